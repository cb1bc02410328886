# The two commands of the README: `make demo` and `make test`. Everything else is underneath them.
PYTHON ?= python3
VENV ?= .venv
DATA ?= ./pubdata-data
HOST ?= 127.0.0.1
PORT ?= 8000
# `make demo NOW=2026-12-28` builds and serves the demo city on that day (its clock then runs on from there).
NOW ?=
BIN := $(VENV)/bin

.PHONY: demo test lint system-packages demo-packages services venv clean-demo bench bench-privacy

## Build the demo on the embedded default (SQLite + files in $(DATA)) and serve it.
demo: venv demo-packages
	$(BIN)/pubdata demo --data-dir $(DATA) $(if $(NOW),--now $(NOW))
	$(BIN)/pubdata serve --data-dir $(DATA) --host $(HOST) --port $(PORT) $(if $(NOW),--now $(NOW))

## Install what the tests need (chromium, CJK fonts, bubblewrap and libseccomp, PostgreSQL), lint and type-check,
## and run the whole suite on SQLite and PostgreSQL, one worker per core (each worker has its own PostgreSQL schema).
## Browser tests leave a screenshot of each step in test-artefacts/screenshots/<test>/ (PUBDATA_ARTEFACTS moves it).
test: venv system-packages services lint
	$(BIN)/python -m pytest -n auto

## ruff (lint and format, line length 120) and mypy (the whole package; rules, common and engines strictly).
lint: venv
	$(BIN)/ruff check src tests benchmarks client/src
	$(BIN)/ruff format --check src tests benchmarks client/src
	$(BIN)/mypy

venv: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml client/pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	$(BIN)/python -m pip install --quiet -e ./client
	touch $@

system-packages:
	bash scripts/system-packages.sh

demo-packages:
	bash scripts/system-packages.sh bubblewrap libseccomp2 fonts-noto-cjk libpango-1.0-0 libpangoft2-1.0-0

services:
	bash scripts/ensure-postgres.sh

bench: venv
	$(BIN)/python benchmarks/ledger_bench.py
	$(BIN)/python benchmarks/catalog_bench.py
	$(BIN)/python benchmarks/sandbox_bench.py
	$(BIN)/python benchmarks/sm2_bench.py
	$(BIN)/python benchmarks/privacy_bench.py
	$(BIN)/python benchmarks/billing_bench.py

## PSI, labelled lookup and joint scoring beside the raw libraries, one table (1M-item sets: minutes on one core).
bench-privacy: venv
	$(BIN)/python benchmarks/privacy_bench.py

clean-demo:
	rm -rf $(DATA)
