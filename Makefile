# Loyalty Workbench — every set-up step lives here, so a fresh machine needs only `make demo` or `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PARAMS ?= parameters/demo.yaml
DEMO   := data/demo/transactions.csv
NBVAL  := --nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg

.PHONY: help install demo-data demo test unit nbval notebooks lab benchmark clean

help:
	@echo "make demo       set up, simulate the demo data if absent, run every notebook, print the report path"
	@echo "make test       set up, then every test (unit tests and nbval on the notebooks)"
	@echo "make lab        JupyterLab on notebooks/ with the project's environment"
	@echo "make notebooks  re-execute the committed notebooks on the demo data (refreshes their outputs)"
	@echo "make benchmark  speed and memory benchmarks (benchmarks/)"

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(STAMP)

install: $(STAMP)

$(DEMO): | $(STAMP)
	$(BIN)/workbench simulate --out data/demo

demo-data: $(DEMO)

demo: install demo-data
	$(BIN)/workbench run $(PARAMS)

test: install demo-data
	$(BIN)/python -m pytest tests notebooks $(NBVAL)

unit: install demo-data
	$(BIN)/python -m pytest tests

nbval: install demo-data
	$(BIN)/python -m pytest notebooks $(NBVAL)

notebooks: install demo-data
	$(BIN)/jupyter nbconvert --to notebook --execute --inplace --ExecutePreprocessor.record_timing=False notebooks/[0-9][0-9]_*.ipynb

lab: install demo-data
	$(BIN)/jupyter lab notebooks/

benchmark: install
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) data/demo .pytest_cache .hypothesis
