# Two entry points, both usable on a fresh clone with only Python >= 3.11:
#   make demo   set up, index corpus/ into index/, search "Privacy Shield"
#   make test   set up, run the whole test suite
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: demo test setup clean browser

$(BIN)/searchkit: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

setup: $(BIN)/searchkit

demo: setup
	$(BIN)/searchkit index corpus/ --index index/
	$(BIN)/searchkit search '"Privacy Shield"' --index index/

test: setup
	$(BIN)/python -m pytest

# The browser tests drive Debian's Chromium (test tools cannot download their own browser here).
browser:
	@test -x /usr/bin/chromium || (apt-get update && apt-get install -y chromium)

clean:
	rm -rf $(VENV) index/MAIN* index/_MAIN* index/searchkit.json
