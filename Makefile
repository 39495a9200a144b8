# nearzero: `make run` serves the demo dashboard, `make test` runs the whole suite.
# Both set up what they need (uv, the locked environment, Debian packages for tests).

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3.11
UV_VERSION := 0.13.9
# uv is run as a module of $(PYTHON), so a fresh `pip install` needs no PATH change.
UV := $(PYTHON) -m uv
RUN := $(UV) run --no-sync

export UV_PYTHON := $(PYTHON)
export UV_PYTHON_DOWNLOADS := never

.PHONY: help run test lint fmt bench uv venv system-deps

help:
	@echo "make run    set up, load the Zhangqiu demo data and serve http://127.0.0.1:8000"
	@echo "make test   set up (Debian packages, uv, env), lint, type-check, pytest on SQLite+PostgreSQL+Chromium"
	@echo "make lint   ruff check, ruff format --check, mypy"
	@echo "make fmt    ruff format and ruff check --fix"
	@echo "make bench  run every bench/*.py"

uv:
	@if ! $(UV) --version 2>/dev/null | grep -qx "uv $(UV_VERSION)\( .*\)\?"; then \
		echo "installing uv==$(UV_VERSION) with pip"; \
		$(PYTHON) -m pip install -q --disable-pip-version-check "uv==$(UV_VERSION)" \
		|| $(PYTHON) -m pip install -q --disable-pip-version-check --user --break-system-packages "uv==$(UV_VERSION)"; \
	fi

venv: uv
	$(UV) sync --frozen --all-extras --compile-bytecode

system-deps:
	@scripts/setup-system.sh

# Only `make run` gets the default database; the tests choose their own.
run: export NEARZERO_DATABASE_URL ?= sqlite:///var/nearzero.sqlite3
run: venv
	mkdir -p var
	$(RUN) nearzero db upgrade
	$(RUN) nearzero demo load
	$(RUN) nearzero serve

lint: venv
	$(RUN) ruff check
	$(RUN) ruff format --check
	$(RUN) mypy

fmt: venv
	$(RUN) ruff format
	$(RUN) ruff check --fix

# PYTEST_ARGS overrides the default "-n 2", e.g. make test PYTEST_ARGS="-x tests/test_platform.py"
test: system-deps venv lint
	UV="$(UV)" scripts/run-tests.sh $(PYTEST_ARGS)

# The benches with a PostgreSQL leg get a throwaway cluster (stopped afterwards) unless
# NEARZERO_TEST_PG_URL names one.
bench: venv
	@shopt -s nullglob; files=(bench/bench_*.py); \
	if [ $${#files[@]} -eq 0 ]; then echo "no bench/bench_*.py"; exit 0; fi; \
	cluster=""; \
	if [ -z "$${NEARZERO_TEST_PG_URL:-}" ]; then \
		cluster="$$PWD/var/pg-bench-make"; \
		NEARZERO_TEST_PG_URL="$$(scripts/pg-cluster.sh start "$$cluster" | tail -n 1)"; \
		trap 'scripts/pg-cluster.sh stop "$$cluster"' EXIT; \
	fi; \
	export NEARZERO_TEST_PG_URL; \
	for f in "$${files[@]}"; do echo "== $$f"; $(RUN) python "$$f"; done
