# Two entry points, both usable on a fresh clone with only Python >= 3.11:
#   make demo   set up, index corpus/ into index/, search "Privacy Shield"
#   make test   set up, run the whole test suite
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: demo test setup clean

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

clean:
	rm -rf $(VENV) index/MAIN* index/_MAIN* index/searchkit.json

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
