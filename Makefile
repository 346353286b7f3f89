# Each target builds .venv itself on a fresh machine with only Python 3.11 and make.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install test lint demo bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	# The CPU build of torch first (a wheel on disk here): left to resolve it from the
	# assist extra, pip would fetch a CUDA build of several GB.
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e '.[dev]'
	# An editable install leaves our own modules uncompiled; compile them now so that
	# every command does not (PYTHONDONTWRITEBYTECODE may forbid writing them later).
	$(BIN)/python -m compileall -q src
	touch $(STAMP)

install: $(STAMP)

test: $(STAMP)
	$(BIN)/ruff check src tests benchmarks examples
	$(BIN)/python -m pytest -n 2 $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks examples
	$(BIN)/ruff format --check src tests benchmarks examples

demo: $(STAMP)
	$(BIN)/python examples/parent-infant-study/run_demo.py --out demo-output

bench: $(STAMP)
	$(BIN)/python benchmarks/core.py

clean:
	rm -rf $(VENV) demo-output .pytest_cache
