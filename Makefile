# Set-up, run, test, lint and benchmark; each target installs what it needs first.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
EXAMPLE ?= examples/design-examples.json

.PHONY: install run serve check test lint bench clean

install: $(VENV)/.installed ## create the virtual environment and install the project with its dev tools

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

run: install ## assess the shipped example with the shipped rules and print the result
	$(PY) -m engine assess $(EXAMPLE) --explain

serve: install ## serve the API with uvicorn (READINESS_* variables; default http://127.0.0.1:8000)
	$(PY) -m api

check: install ## validate the rule files and print counts
	$(PY) -m engine rules check

test: install ## run the test suite
	$(PY) -m pytest

lint: install ## ruff and mypy (strict)
	$(PY) -m ruff check .
	$(PY) -m mypy

bench: install ## run every benchmark, print the figures, write bench/RESULTS.md (BENCH_ARGS=--quick: smoke run)
	$(PY) bench/run.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis
