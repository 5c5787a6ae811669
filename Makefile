# 政务服务"好差评"差评处置 — two commands: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask
export FLASK_APP := wsgi.py
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: setup run test test-sqlite test-postgres bench lint assets db-upgrade clean

## setup: venv + Python packages + front-end assets + translations + database migrations (idempotent)
MO := app/translations/en/LC_MESSAGES/messages.mo
setup: $(VENV)/.installed app/static/vendor/.installed $(MO) db-upgrade

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: $(VENV)/bin/python requirements.txt requirements-dev.txt
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

assets: app/static/vendor/.installed
app/static/vendor/.installed: package.json package-lock.json scripts/vendor.sh $(wildcard assets/modeler/*.js)
	npm ci --no-audit --no-fund --loglevel=error
	bash scripts/vendor.sh
	touch $@

# The English catalog, compiled from the committed .po (the .mo is a build artifact).
$(MO): app/translations/en/LC_MESSAGES/messages.po $(VENV)/.installed
	$(VENV)/bin/pybabel compile --statistics -d app/translations
	touch $@

db-upgrade: $(VENV)/.installed
	$(FLASK) db upgrade

# make run's session key: random, made once and kept (a SECRET_KEY in the environment wins);
# a server outside debug mode refuses the development default.
SECRET_KEY_FILE := instance/secret_key
$(SECRET_KEY_FILE):
	@mkdir -p $(@D)
	@umask 077 && $(PYTHON) -c 'import secrets; print(secrets.token_hex(32))' > $@.tmp && mv $@.tmp $@

## run: set up, load the demo data once, serve on http://127.0.0.1:5000/
run: setup $(SECRET_KEY_FILE)
	$(FLASK) demo load
	@echo ""
	@echo "  好差评差评处置系统 is starting on http://$(HOST):$(PORT)/"
	@echo "  API docs (Swagger UI): http://$(HOST):$(PORT)/api/v1/docs   health: http://$(HOST):$(PORT)/healthz"
	@echo ""
	SECRET_KEY="$${SECRET_KEY:-$$(cat $(SECRET_KEY_FILE))}" SCHEDULER_IN_APP=1 \
		$(FLASK) run --host $(HOST) --port $(PORT)

## test: set up, run the suite on SQLite and, when TEST_DATABASE_URL is set, on PostgreSQL at the
## same time (scripts/test-both.sh; TEST_SERIAL=1 runs them one after the other)
test: setup
	@if [ -z "$$TEST_DATABASE_URL" ]; then $(MAKE) --no-print-directory test-sqlite; \
	elif [ -n "$$TEST_SERIAL" ]; then $(MAKE) --no-print-directory test-sqlite test-postgres; \
	else PY=$(PY) bash scripts/test-both.sh; fi

test-sqlite:
	env -u TEST_DATABASE_URL $(PY) -m pytest

test-postgres:
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
		echo "== again on PostgreSQL ($$TEST_DATABASE_URL)"; \
		$(PY) -m pytest; \
	else echo "TEST_DATABASE_URL not set: PostgreSQL run skipped"; fi

## bench: run benchmarks/ and print each figure next to its goal
bench: setup
	$(PY) benchmarks/run.py

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .

clean:
	rm -rf $(VENV) node_modules app/static/vendor
