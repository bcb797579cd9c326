# Two commands do everything: `make run` and `make test`. See README.md.
SHELL := /bin/bash
PYTHON ?= $(shell for p in python3.13 python3.12 python3.11 python3; do \
	$$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' >/dev/null 2>&1 && { echo $$p; break; }; done)
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app app
PORT ?= 5000
# Links printed by the demo point at the port actually served.
export PUBLIC_BASE_URL ?= http://127.0.0.1:$(PORT)
PIP := $(BIN)/python -m pip --quiet --quiet

.PHONY: install install-test run test bench worker beat migrate compile-translations clean

$(BIN)/python:
	@test -n "$(PYTHON)" || { echo "Python 3.11 or newer is needed." >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --upgrade pip

$(VENV)/.installed-run: pyproject.toml | $(BIN)/python
	$(PIP) install -e .
	@touch $@

$(VENV)/.installed-test: pyproject.toml package-lock.json | $(BIN)/python
	$(PIP) install -e '.[test]'
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@ $(VENV)/.installed-run

install: $(VENV)/.installed-run
install-test: $(VENV)/.installed-test

# .mo files are built, not committed: compile them wherever the app runs.
compile-translations: install
	$(FLASK) translations compile

migrate: install
	$(FLASK) db upgrade

run: compile-translations migrate
	$(FLASK) surveys load
	$(FLASK) demo
	$(FLASK) reports refresh
	$(FLASK) run --host 127.0.0.1 --port $(PORT)

test: install-test compile-translations
	$(BIN)/ruff check app tests bench config.py migrations
	$(FLASK) surveys validate
	$(FLASK) translations coverage
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: install-test
	$(BIN)/python -m bench

worker: install
	$(BIN)/celery -A app.worker worker --loglevel INFO

beat: install
	$(BIN)/celery -A app.worker beat --loglevel INFO

clean:
	rm -rf $(VENV) instance/*.sqlite .pytest_cache
