# Supplier portal — `make up` runs the whole system, `make test` runs the whole suite.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV ?= .venv
PY := $(VENV)/bin/python
SERVICE_DIRS := $(patsubst %/pyproject.toml,%,$(wildcard services/*/pyproject.toml))
# The services need Python 3.11+; pgserver ships PostgreSQL wheels for CPython 3.10-3.12, so
# prefer 3.12 or 3.11 and otherwise take any newer python3 (PostgreSQL then comes from PATH).
PYTHON ?= $(shell for p in python3.12 python3.11 python3 python3.13 python3.14; do \
	if command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info[:2] < (3,11))' 2>/dev/null; then echo $$p; break; fi; done)
INSTALL_INPUTS := requirements/dev.lock shared/pyproject.toml devstack/pyproject.toml $(addsuffix /pyproject.toml,$(SERVICE_DIRS)) cli/pyproject.toml tests/requirements.txt bench/requirements.txt
PYTEST_ARGS ?=
BENCH_ARGS ?=
TEST_WORKERS ?= 6

.PHONY: help setup up test lint audit lock unit chaos docs screenshots bench bench-quick clean

help:
	@echo "make up     set up (venv, install, data dir) and run the whole system (portal up)"
	@echo "make test   set up and run the whole test suite"
	@echo "make lint   ruff and mypy"
	@echo "make lock   write requirements/*.lock again (every dependency pinned with its hashes)"
	@echo "make audit  the locks against known vulnerabilities (pip-audit, OSV)"
	@echo "make docs   write every service's OpenAPI and AsyncAPI documents to docs/api/"
	@echo "make screenshots  run the browser tests and keep their screenshots of the main pages in docs/ui/"
	@echo "make chaos  fault injection at full size (CHAOS_FULL=1); report in var/chaos/report.md and .json"
	@echo "make bench  benchmark: pipeline vs its floor, matching cost, read path (~15 min); var/bench/latest.json and .png"
	@echo "make bench-quick  the same with short phases and small sizes (under 2 minutes)"
	@echo "           BENCH_ARGS=--running measures the system make up runs instead of starting one"
	@echo "make clean  remove the venv and all local data (var/)"

$(VENV)/.installed: $(INSTALL_INPUTS)
	@if [ -z "$(PYTHON)" ]; then echo "Python 3.11 or newer is required" >&2; exit 1; fi
	@if [ ! -x $(PY) ]; then echo "Creating $(VENV) with $$($(PYTHON) --version)"; $(PYTHON) -m venv $(VENV); fi
	@$(PY) -c 'import sys; v=sys.version_info[:2]; v <= (3,12) or print("note: pgserver has no wheel for Python %d.%d; the embedded PostgreSQL uses initdb/pg_ctl from PATH" % v)'
	$(PY) -m pip install --quiet --upgrade pip
	@# Every dependency from the lock, checked against its hashes; then the repository's own
	@# packages from their folders, adding nothing (`make lock` after changing a dependency).
	$(PY) -m pip install --quiet --require-hashes -r requirements/dev.lock
	$(PY) -m pip install --quiet --no-deps -e shared -e devstack $(addprefix -e ,$(SERVICE_DIRS)) -e cli
	@$(PY) -m pip check || { echo "the lock does not satisfy the packages' dependencies: run make lock" >&2; exit 1; }
	@touch $@

setup: $(VENV)/.installed
	@mkdir -p $${PORTAL_DATA_DIR:-var}

up: setup
	$(VENV)/bin/portal up

lint: setup
	$(VENV)/bin/ruff check shared devstack services cli tests bench
	$(VENV)/bin/ruff format --check shared devstack services cli tests bench
	$(VENV)/bin/mypy

# Unit and integration tests spread over TEST_WORKERS processes (they mostly wait on their own
# servers); then the two whole-system layers on two processes, each taking the next test as it
# ends one: the end-to-end tests first (a process starts the end-to-end stack once, for those it
# runs), then the chaos scenarios (each on stacks of its own). No test names an xdist group, so
# ``loadgroup`` makes each test a unit of its own, handed out in order (``load`` would send each
# process a block of tests at once).
test: setup lint audit
	$(VENV)/bin/pytest -c tests/pytest.ini -m "not e2e and not chaos" -n $(TEST_WORKERS) $(PYTEST_ARGS)
	$(VENV)/bin/pytest -c tests/pytest.ini -m "e2e or chaos" -n 2 --dist loadgroup --durations=25 $(PYTEST_ARGS)

# Every lock (requirements/*.lock) against the vulnerability service: fails on a vulnerability
# that has a fix; says so and audits nothing where the service cannot be reached.
audit: setup
	$(PY) -m portal_dev.lockfiles audit

# The locks written again from requirements/*.in and the packages' dependencies (uv, from the index).
lock: setup
	$(PY) -m portal_dev.lockfiles compile

unit: setup
	$(VENV)/bin/pytest -c tests/pytest.ini -m "not integration and not e2e and not chaos" $(PYTEST_ARGS)

# Fault injection with bigger counts and longer faults than the quick run in `make test`.
chaos: setup
	@mkdir -p var/chaos
	CHAOS_FULL=1 CHAOS_REPORT_DIR=var/chaos $(VENV)/bin/pytest -c tests/pytest.ini tests/chaos $(PYTEST_ARGS)

# Built from each service's bootstrap without starting it; a test fails when docs/api/ is stale.
docs: setup
	$(PY) -m portal_dev.apidocs --write docs/api

# The web portal's browser tests write their screenshots where PORTAL_SCREENSHOT_DIR says.
screenshots: setup
	PORTAL_SCREENSHOT_DIR=$(CURDIR)/docs/ui $(VENV)/bin/pytest -c tests/pytest.ini $(wildcard tests/e2e/test_web_*.py) $(PYTEST_ARGS)

# Starts its own stack on free ports in a data directory under /tmp (never var/ of a running `make up`),
# or with BENCH_ARGS=--running measures the system `make up` runs.
bench: setup
	$(PY) -m bench --out var/bench $(BENCH_ARGS)

bench-quick: setup
	$(PY) -m bench --quick --out var/bench $(BENCH_ARGS)

clean:
	rm -rf $(VENV) var
