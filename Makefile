# Entry points, all usable on a fresh clone with only Python >= 3.11 and make:
#   make demo        set up, index corpus/ into index/, search "Privacy Shield"
#   make test        set up, lint, type-check and run the whole test suite (what CI runs)
#   make test-fast   the quick loop: every test but the slow tier
#   make lint        ruff;  make typecheck  mypy
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: demo test test-fast lint typecheck setup clean browser

$(BIN)/searchkit: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

setup: $(BIN)/searchkit

demo: setup
	$(BIN)/searchkit index corpus/ --index index/
	$(BIN)/searchkit search '"Privacy Shield"' --index index/
	$(BIN)/searchkit count 'kind:article OR kind:comment' --by year --index index/
	@echo
	@echo "Next, try (the command is $(BIN)/searchkit, or run '. $(BIN)/activate' first):"
	@echo "  $(BIN)/searchkit search 'Java NOT Scala' --index index/          # hits grouped by post"
	@echo "  $(BIN)/searchkit show ID --thread --index index/                 # an ID from the search"
	@echo "  $(BIN)/searchkit serve --index index/                            # the same in a browser"

lint: setup
	$(BIN)/ruff check searchkit tests benchmarks eval

typecheck: setup
	$(BIN)/mypy

test: lint typecheck
	$(BIN)/python -m pytest

# The browser tests drive Debian's Chromium (test tools cannot download their own browser here).
browser:
	@test -x /usr/bin/chromium || (apt-get update && apt-get install -y chromium)

test-fast: setup
	$(BIN)/python -m pytest -m "not slow" -x -q

# Everything an index folder may hold but its README (tracked).
clean:
	rm -rf $(VENV)
	find index -mindepth 1 -maxdepth 1 ! -name README.md -exec rm -rf {} +

# A local OpenSearch node for the OpenSearch backend (needs Java 17 and Maven; the jars come from
# Maven Central, built once into tools/opensearch/launcher/target/). Data under .opensearch/.
OPENSEARCH_DATA ?= .opensearch

.PHONY: opensearch opensearch-stop opensearch-build

opensearch-build:
	$(PYTHON) tools/opensearch/node.py build

opensearch:
	$(PYTHON) tools/opensearch/node.py start --port 9200 --data $(OPENSEARCH_DATA)

opensearch-stop:
	$(PYTHON) tools/opensearch/node.py stop --data $(OPENSEARCH_DATA)
