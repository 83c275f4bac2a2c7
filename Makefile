# Set-up, run, test, lint and benchmark; each target installs what it needs first.
# PYTHON: the interpreter for the environment, a command, a path or a version (3.11, 3.12, 3.13);
# by default the first supported one of python3, python3.13, python3.12, python3.11 (see
# .ci/python.sh). The environment is made anew when the interpreter, pyproject.toml or the lock
# file changes.
PYTHON ?=
VENV ?= .venv
PY := $(VENV)/bin/python
READINESS := $(VENV)/bin/readiness
LOCK := requirements-dev.lock
EXAMPLE ?= examples/design-examples.json
FUZZ_EXAMPLES ?= 2000

INTERPRETER := $(shell .ci/python.sh $(PYTHON) 2>/dev/null)
INTERPRETER_VERSION := $(if $(INTERPRETER),$(shell $(INTERPRETER) -c 'import platform; print(platform.python_version())'))
# Names the environment's interpreter: a new version or path means a new environment.
INSTALLED := $(VENV)/.installed-$(INTERPRETER_VERSION)-$(firstword $(shell echo '$(INTERPRETER)' | cksum))

.PHONY: install lock run serve check test test-all lint security bandit audit fuzz bench soak clean

install: $(INSTALLED) ## make the environment from the lock file, with the project (editable) and its dev tools

$(INSTALLED): pyproject.toml $(LOCK)
	@test -n "$(INTERPRETER)" || { .ci/python.sh $(PYTHON); exit 1; }
	@echo "Python $(INTERPRETER_VERSION) ($(INTERPRETER)) -> $(VENV)"
	.ci/venv.sh $(INTERPRETER) $(VENV) $(LOCK)
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps -e .
	$(PY) -m pip check
	touch $@

# uv from the environment when it has one, else the installer's (.venv-uv, see .ci/uv.sh), else
# from PATH (`pip install uv`): the lock must be refreshable when the environment cannot be made
# from the old one.
UV ?= $(or $(wildcard $(VENV)/bin/uv),$(wildcard .venv-uv/bin/uv),uv)
LOCK_OPTIONS := --universal --python-version 3.11 --generate-hashes --custom-compile-command "make lock" --quiet

lock: ## update the lock files to pyproject.toml, keeping other pins (LOCK_ARGS=--upgrade: newest everywhere)
	$(UV) pip compile pyproject.toml --extra dev $(LOCK_OPTIONS) $(LOCK_ARGS) -o requirements-dev.lock
	$(UV) pip compile pyproject.toml -c requirements-dev.lock $(LOCK_OPTIONS) $(LOCK_ARGS) -o requirements.lock

run: install ## assess the shipped example with the shipped rules and print a summary of the result
	$(READINESS) assess $(EXAMPLE) --format text

serve: install ## serve the API with uvicorn (READINESS_* variables; default http://127.0.0.1:8000)
	$(READINESS) serve

check: install ## validate the rule files and print counts
	$(READINESS) rules check

# The fast tier's processes (pytest-xdist): one per core by default; 0 runs it in one process.
TEST_WORKERS ?= auto

test: install ## the fast tier: every test not marked server or slow, one process per core (TEST_WORKERS)
	$(PY) -m pytest -n $(TEST_WORKERS) -m "not server and not slow"

test-all: install ## every tier: also real servers, hostile clients, fuzzing, the soak; slowest shown
	$(PY) -m pytest --durations=15

lint: install ## ruff and mypy (strict)
	$(PY) -m ruff check .
	$(PY) -m mypy

security: bandit audit ## bandit over the code, then pip-audit over every pin of both lock files

bandit: install ## bandit over the shipped code
	$(VENV)/bin/bandit -c pyproject.toml -r api engine schemas store -q

audit: install ## pip-audit over every pin of both lock files: OSV's database, any gap is a failure
	$(VENV)/bin/pip-audit -s osv --strict --progress-spinner off --disable-pip -r requirements.lock -r requirements-dev.lock

fuzz: install ## long contract fuzzing: Schemathesis on every operation (FUZZ_EXAMPLES per operation)
	READINESS_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(PY) -m pytest tests/contract -q -s

bench: install ## run every benchmark, print the figures, write bench/RESULTS.md (BENCH_ARGS=--quick: smoke run)
	$(PY) bench/run.py $(BENCH_ARGS)

soak: install ## ten minutes of mixed traffic at a fixed rate (hey); prints per-minute figures and a verdict
	$(PY) -m tests.soak.soak $(SOAK_ARGS)

clean:
	rm -rf $(VENV) .venv-3.* .pytest_cache .mypy_cache .ruff_cache .hypothesis
