# Pathmark — the two commands a new user needs are `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: demo test lint install serve clean

$(STAMP): requirements.lock pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Pathmark needs Python 3.11 or newer")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=24"
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

install: $(STAMP)

# A local demo configuration with its own random key; never overwrites an existing .env.
.env:
	@printf 'DEBUG=true\nPATHMARK_DEMO=true\nSECRET_KEY=%s\n' "$$($(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(50))')" > .env
	@echo "Wrote .env for a local demo (DEBUG=true)."

## make demo — a working demo partnership on SQLite at http://$(HOST):$(PORT)
demo: $(STAMP) .env
	$(BIN)/pathmark migrate --no-input
	$(BIN)/pathmark demo
	$(BIN)/pathmark runserver $(HOST):$(PORT)

## make test — the whole test suite (DATABASE_URL selects the database; SQLite by default)
test: $(STAMP)
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

clean:
	rm -rf $(VENV) db.sqlite3 db.sqlite3-wal db.sqlite3-shm
