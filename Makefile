# Mitra: the single entry point. `make run` serves the demo; `make test` runs every test.
SHELL := /bin/bash
.DEFAULT_GOAL := help
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8000
PG_TEST_URL ?= postgres://postgres@127.0.0.1:5432/postgres

# Django 6 needs Python 3.12+: take python3.13 or python3.12 from PATH, else pyenv's, else stop.
PYTHON ?= $(shell for c in python3.13 python3.12; do \
	  p=$$(command -v $$c 2>/dev/null) && $$p -c 'import sys; assert sys.version_info >= (3, 12)' 2>/dev/null && { echo $$p; exit; }; \
	done; \
	for d in $$(ls -d $${PYENV_ROOT:-$$HOME/.pyenv}/versions/3.1[3-9]* $${PYENV_ROOT:-$$HOME/.pyenv}/versions/3.12* 2>/dev/null | sort -rV); do \
	  [ -x $$d/bin/python3 ] && { echo $$d/bin/python3; exit; }; \
	done)

.PHONY: help run test test-sqlite test-postgres lint format messages bench-regions clean

help:
	@echo "make run    install, prepare the database and serve Mitra on http://127.0.0.1:$(PORT)"
	@echo "make test   install the test needs (Chromium too) and run every test on SQLite and PostgreSQL"

$(BIN)/python:
	@if [ -z "$(PYTHON)" ]; then echo "Mitra needs Python 3.12 or newer (python3.12/python3.13 or pyenv). None was found." >&2; exit 1; fi
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(VENV)/.installed $@

run: $(VENV)/.installed
	MITRA_DEMO=$${MITRA_DEMO:-1} PORT=$(PORT) $(BIN)/mitra run

/usr/bin/chromium:
	@echo "Installing Debian's Chromium for the browser tests…"
	@if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium fonts-dejavu-core >/dev/null

# The two databases run side by side (one per core), each printing when it is done; the run fails
# when either fails.
test: $(VENV)/.installed-test /usr/bin/chromium lint
	@$(MAKE) --no-print-directory -j2 --output-sync=target test-sqlite test-postgres

lint: $(VENV)/.installed-test
	$(BIN)/ruff check mitra bench
	$(BIN)/ruff format --check mitra bench

test-sqlite: $(VENV)/.installed-test
	@echo "== Tests on SQLite =="
	env -u DATABASE_URL MITRA_VAR_DIR=$(CURDIR)/var/test-sqlite $(BIN)/pytest -q

# PostgreSQL: TEST_DATABASE_URL or the local server. Skipped (loudly) only outside CI when unreachable.
test-postgres: $(VENV)/.installed-test
	@url="$${TEST_DATABASE_URL:-$(PG_TEST_URL)}"; \
	if $(BIN)/python -c "import psycopg,sys; psycopg.connect(sys.argv[1], connect_timeout=3).close()" "$$url" 2>/dev/null; then \
	  echo "== Tests on PostgreSQL =="; DATABASE_URL="$$url" MITRA_VAR_DIR=$(CURDIR)/var/test-postgres $(BIN)/pytest -q; \
	elif [ -n "$$CI" ]; then echo "PostgreSQL is not reachable at $$url, and CI must test on it." >&2; exit 1; \
	else echo "!! PostgreSQL not reachable at $$url: PostgreSQL tests SKIPPED."; fi

format: $(VENV)/.installed-test
	$(BIN)/ruff format mitra bench
	$(BIN)/ruff check --fix mitra bench

messages: $(VENV)/.installed-test
	cd mitra && ../$(BIN)/python ../manage.py makemessages -l id --no-obsolete --no-location
	$(BIN)/python -m mitra.core.i18n_fill || true
	$(BIN)/python -m mitra.core.i18n_compile

bench-regions: $(VENV)/.installed-test
	$(BIN)/python bench/regions.py

clean:
	rm -rf $(VENV) var .pytest_cache
