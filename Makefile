# Pathmark — the two commands a new user needs are `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Two locks: what a server needs (requirements.lock) and that plus what development and CI add
# (requirements-dev.lock). Each install leaves its own stamp.
SERVER_STAMP := $(VENV)/.installed-server
DEV_STAMP := $(VENV)/.installed-dev
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: demo test lint install install-server serve clean

define venv_install
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Pathmark needs Python 3.11 or newer")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=24"
	$(BIN)/python -m pip install --quiet --require-hashes -r $(1)
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
endef

$(SERVER_STAMP): requirements.lock pyproject.toml
	$(call venv_install,requirements.lock)
	touch $(SERVER_STAMP)

$(DEV_STAMP): requirements-dev.lock pyproject.toml
	$(call venv_install,requirements-dev.lock)
	touch $(DEV_STAMP) $(SERVER_STAMP)

## make install — a development checkout: the server's packages plus tests, lint and CI tools
install: $(DEV_STAMP)

## make install-server — only what a server runs (no pytest, Playwright, mypy, ruff, hypothesis)
install-server: $(SERVER_STAMP)

# A local demo configuration with its own random key; never overwrites an existing .env.
.env:
	@printf 'DEBUG=true\nPATHMARK_DEMO=true\nSECRET_KEY=%s\n' "$$($(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(50))')" > .env
	@echo "Wrote .env for a local demo (DEBUG=true)."

## make demo — a working demo partnership on SQLite at http://$(HOST):$(PORT)
demo: $(SERVER_STAMP) .env
	$(BIN)/pathmark migrate --no-input
	HOST=$(HOST) PORT=$(PORT) $(BIN)/pathmark demo
	$(BIN)/pathmark runserver $(HOST):$(PORT)

## make test — the whole test suite (DATABASE_URL selects the database; SQLite by default)
test: $(DEV_STAMP)
	$(BIN)/python -m pytest

lint: $(DEV_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

clean:
	rm -rf $(VENV) db.sqlite3 db.sqlite3-wal db.sqlite3-shm
