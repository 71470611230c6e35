# Tierdesk: `make run` and `make test` are all a new machine needs (Python 3.11).
PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
PYTEST_ARGS ?=

.PHONY: run test install install-test test-setup lint test-sqlite test-postgres demo clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e .
	$(BIN)/python -m tierdesk.common.catalogues
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(BIN)/pip install --quiet -e ".[test]"
	touch $@

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test

# The browser tests drive Debian's chromium package (never `playwright install`).
test-setup: install-test
	@command -v chromium >/dev/null 2>&1 || { apt-get update && apt-get install -y chromium; }
	@# The mail tests run a private Dovecot IMAP server (tests/mail/dovecot.py).
	@test -x /usr/sbin/dovecot || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y dovecot-imapd; }

# Set up everything (venv, install, migrations, demo pack and data) and serve on 127.0.0.1:8000.
run: install
	$(BIN)/tierdesk serve

demo: install
	$(BIN)/tierdesk demo

lint: install-test
	$(BIN)/ruff check tierdesk tests benchmarks

# The whole suite on the embedded default (SQLite); TIERDESK_DATABASE_URL selects PostgreSQL.
test: test-setup
	$(BIN)/ruff check tierdesk tests benchmarks
	$(BIN)/python -m pytest -n 2 $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) var .pytest_cache

# Issue 15: 10,000 keyed API creates and 1,000 inbound mails while web workers, a web
# instance, the Celery worker and (on PostgreSQL) the database connections are killed, then
# every ticket, audit event and mail counted. Needs Redis on 127.0.0.1:6379;
# TIERDESK_DATABASE_URL selects PostgreSQL.
.PHONY: chaos soak
chaos: install-test
	$(BIN)/python -m tests.chaos.driver --tickets 10000 --mails 1000 --rounds 5

# Ten minutes of mixed API load on PostgreSQL (2 web workers, 1 Celery worker): errors,
# p95 per route, memory of each process (benchmarks/ops/README.md).
soak: install-test
	$(BIN)/python benchmarks/ops/soak.py --minutes 10
