# Loyalty Workbench — every set-up step lives here, so a fresh machine needs only `make demo` or `make test`.
# The environment is installed from requirements/lock.txt (exact versions, compiled from pyproject.toml by uv),
# so a run next year gives today's figures; `make lock` refreshes it.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
UV     := $(BIN)/uv
UV_VERSION := 0.13.9
LOCK   := requirements/lock.txt
STAMP  := $(VENV)/.installed
PARAMS ?= parameters/demo.yaml
DEMO   := data/demo/transactions.csv
TEST_JOBS ?= auto
NBVAL  := --nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg

.PHONY: help install demo-data demo test lint unit nbval notebooks lab benchmark benchmark-uplift benchmark-clv benchmark-scale lock messages clean

help:
	@echo "make demo       set up, simulate the demo data if absent, run every notebook, print the report path"
	@echo "make test       set up, then every test (lint, unit tests and nbval on the notebooks)"
	@echo "make lab        JupyterLab on notebooks/ with the project's environment"
	@echo "make notebooks  re-execute the committed notebooks on the demo data (refreshes their outputs)"
	@echo "make benchmark  speed and memory benchmarks (benchmarks/; speed.py: whole runs as ratios to the notebook floor)"
	@echo "make benchmark-scale   a 10 M-line client (100,000 companies) end to end: wall time and peak memory of the process tree"
	@echo "make benchmark-uplift  coverage of the programme-effect estimators, 200 seeds per world (hours)"
	@echo "make benchmark-clv  coverage of the CLV total's interval against the simulated future, 20 seeds (15 min)"
	@echo "make lock       recompile requirements/lock.txt from pyproject.toml"
	@echo "make messages   extract the report's strings (pybabel) and update the French catalogue (.po) to translate"

$(STAMP): pyproject.toml $(LOCK)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)
	$(UV) pip install --quiet --compile-bytecode --python $(BIN)/python -r $(LOCK)
	$(UV) pip install --quiet --python $(BIN)/python --no-deps -e .
	touch $(STAMP)

install: $(STAMP)

lock: install
	$(UV) pip compile pyproject.toml --extra test --extra lab --universal --python-version 3.11 --quiet -o $(LOCK)

$(DEMO): | $(STAMP)
	$(BIN)/workbench simulate --out data/demo

demo-data: $(DEMO)

demo: install demo-data
	$(BIN)/workbench run $(PARAMS)

lint: install
	$(BIN)/ruff check src tests benchmarks tools
	$(BIN)/ruff format --check src tests benchmarks tools

test: install demo-data lint
	$(BIN)/python -m pytest -n $(TEST_JOBS) --dist loadfile tests notebooks $(NBVAL)

unit: install demo-data
	$(BIN)/python -m pytest tests

nbval: install demo-data
	$(BIN)/python -m pytest notebooks $(NBVAL)

notebooks: install demo-data
	$(BIN)/jupyter nbconvert --to notebook --execute --inplace --ExecutePreprocessor.record_timing=False notebooks/[0-9][0-9]_*.ipynb

lab: install demo-data
	$(BIN)/jupyter lab notebooks/

benchmark-uplift: install
	$(BIN)/python benchmarks/uplift_coverage.py --seeds 200

benchmark-clv: install
	$(BIN)/python benchmarks/clv_coverage.py --seeds 20

benchmark-scale: install
	$(BIN)/python benchmarks/scale.py --steps data data-pandas run --json benchmarks/results/scale.json

benchmark: install
	$(BIN)/python benchmarks/run.py
	$(BIN)/python benchmarks/speed.py --json benchmarks/results/speed.json

# The report's message catalogue: tr()/N_() in the package and the notebooks' code, _() in the index template
# (babel.cfg). The .po is committed and compiled in memory at run time; `pybabel compile` here only checks it.
POT := src/workbench/reporting/locales/workbench.pot
messages: install
	$(BIN)/pybabel extract -F babel.cfg -k tr -k N_ --no-location --sort-output --project loyalty-workbench -o $(POT) .
	$(BIN)/pybabel update -i $(POT) -d src/workbench/reporting/locales -D workbench --no-fuzzy-matching --ignore-obsolete
	$(BIN)/pybabel compile -d src/workbench/reporting/locales -D workbench --statistics
	find src/workbench/reporting/locales -name '*.mo' -delete

clean:
	rm -rf $(VENV) data/demo .pytest_cache .hypothesis
