# Set-up, run, test, lint and benchmark; each target installs what it needs first.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
EXAMPLE ?= examples/design-examples.json
FUZZ_EXAMPLES ?= 2000

.PHONY: install run serve check test test-all lint security fuzz bench soak clean

install: $(VENV)/.installed ## create the virtual environment and install the project with its dev tools

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip setuptools
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

run: install ## assess the shipped example with the shipped rules and print the result
	$(PY) -m engine assess $(EXAMPLE) --explain

serve: install ## serve the API with uvicorn (READINESS_* variables; default http://127.0.0.1:8000)
	$(PY) -m api

check: install ## validate the rule files and print counts
	$(PY) -m engine rules check

test: install ## the fast tier: every test not marked server or slow (no server processes, nothing long)
	$(PY) -m pytest -m "not server and not slow"

test-all: install ## every tier: also real servers, hostile clients, fuzzing, the soak; slowest shown
	$(PY) -m pytest --durations=15

lint: install ## ruff and mypy (strict)
	$(PY) -m ruff check .
	$(PY) -m mypy

security: install ## bandit over the code, pip-audit over the installed dependencies
	$(VENV)/bin/bandit -c pyproject.toml -r api engine schemas store -q
	$(PY) .ci/audit.py

fuzz: install ## long contract fuzzing: Schemathesis on every operation (FUZZ_EXAMPLES per operation)
	READINESS_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(PY) -m pytest tests/contract -q -s

bench: install ## run every benchmark, print the figures, write bench/RESULTS.md (BENCH_ARGS=--quick: smoke run)
	$(PY) bench/run.py $(BENCH_ARGS)

soak: install ## ten minutes of mixed traffic at a fixed rate (hey); prints per-minute figures and a verdict
	$(PY) -m tests.soak.soak $(SOAK_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis
