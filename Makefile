# The two commands: `make run` and `make test`. Each sets itself up on a fresh machine.
SHELL := /bin/bash
PORT ?= 8000
LOAD_SECONDS ?= 60
LOAD_CLIENTS ?= 100
PYTHON ?= python3.11
TOOLS := .tools
UV := $(shell command -v uv 2>/dev/null || echo $(TOOLS)/bin/uv)
export UV_PYTHON_DOWNLOADS := never
export UV_PYTHON := $(PYTHON)
MANAGE := .venv/bin/python manage.py

.PHONY: install run test migrate demo serve bench bench-flood lint vendor messages audit loadtest worker beat topology

$(TOOLS)/bin/uv:
	$(PYTHON) -m venv $(TOOLS) && $(TOOLS)/bin/pip install --quiet uv

.venv/.synced: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen
	touch $@

install: .venv/.synced

migrate: install
	$(MANAGE) migrate --noinput

demo: migrate
	$(MANAGE) load_demo_if_empty

run: demo
	$(MANAGE) runserver 127.0.0.1:$(PORT)

test: install
	.venv/bin/pytest -q $(PYTEST_ARGS)

lint: install
	.venv/bin/ruff check .
	$(MANAGE) makemigrations --check --dry-run
	DATABASE_URL=$${LINT_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres} $(MANAGE) lintmigrations

# Background work beside `make run` when CELERY_BROKER_URL names a broker (without one tasks run in-process).
worker: install
	.venv/bin/celery -A kaikukanta worker --loglevel INFO

beat: install
	.venv/bin/celery -A kaikukanta beat --loglevel INFO --schedule var/celerybeat-schedule

# The whole system as separate processes (HAProxy, two app instances, worker, beat, Redis, PostgreSQL primary
# and standby) under 50 desks, with an app instance, the worker, the broker and the standby lost on the way.
topology: install
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/kaikukanta_topology} KAIKUKANTA_REQUIRE_POSTGRES=1 \
	  .venv/bin/pytest -q -s kaikukanta/operations/tests/test_topology.py

bench: install
	.venv/bin/python -m bench.run

# The sync flood alone (200 devices × 50 queued visits by default; BENCH_FLOOD=DEVICESxVISITS).
bench-flood: install
	.venv/bin/python -m bench.sync_flood

# 100 desks for 60 s through the production server (production settings) on PostgreSQL; fails on any error or miscount.
loadtest: install
	LOAD_SECONDS=$(LOAD_SECONDS) LOAD_CLIENTS=$(LOAD_CLIENTS) .venv/bin/python -m bench.loadtest

vendor:
	npm ci --no-audit --no-fund
	bash scripts/vendor.sh

# Compile every app's translations (.po → .mo; the .mo files are committed so `make run` needs no gettext).
messages: install
	cd kaikukanta && ../.venv/bin/django-admin compilemessages --ignore '.venv' >/dev/null && echo compiled

# Known vulnerabilities in the locked dependencies (pip-audit against PyPI's advisory data). Packages the
# service cannot be asked about are listed with a warning rather than passed silently.
audit: install
	mkdir -p var
	$(UV) export --frozen --format requirements-txt --no-hashes --no-emit-project --quiet -o var/requirements-audit.txt
	.venv/bin/python scripts/audit.py var/requirements-audit.txt
