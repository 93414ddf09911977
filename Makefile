# The two commands a newcomer needs: `make run` and `make test`.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
VENDOR := static/vendor/.installed
PYTHON ?= python3

.PHONY: run test install lint messages compilemessages clean bench-data bench check-embedded

run: install compilemessages
	bin/run

test: install compilemessages
	bin/system-deps --browser
	bin/ensure-services
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	ALERT4YOU_VAR_DIR=$$(mktemp -d) $(PY) manage.py makemigrations --check --dry-run
	DJANGO_ALLOW_ASYNC_UNSAFE=true $(VENV)/bin/pytest --create-db -n 2 --dist loadgroup

install: $(STAMP) $(VENDOR)

# Every page the demo users reach, on `make run`'s SQLite (the tests use PostgreSQL).
check-embedded: install compilemessages
	$(PY) bin/check-embedded

$(STAMP): requirements.txt requirements-dev.txt constraints.txt
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11 or newer is needed"'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt -c constraints.txt
	touch $@

# Front-end libraries come from the npm registry and are served from static/.
$(VENDOR): package.json package-lock.json
	npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
	mkdir -p static/vendor/bootstrap static/vendor/htmx
	cp node_modules/bootstrap/dist/css/bootstrap.min.css node_modules/bootstrap/dist/css/bootstrap.min.css.map static/vendor/bootstrap/
	cp node_modules/bootstrap/dist/js/bootstrap.bundle.min.js node_modules/bootstrap/dist/js/bootstrap.bundle.min.js.map static/vendor/bootstrap/
	cp node_modules/htmx.org/dist/htmx.min.js static/vendor/htmx/
	touch $@

# National-scale benchmarks (README, "Benchmarks"): a PostgreSQL database of their own.
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/alert4you_bench
# Production's shared cache (dashboards, sessions); a Redis database of its own.
BENCH_CACHE_URL ?= redis://127.0.0.1:6379/3
BENCH_ENV := DATABASE_URL=$(BENCH_DATABASE_URL) CACHE_URL=$(BENCH_CACHE_URL) DJANGO_SETTINGS_MODULE=bench.settings

bench-data: install compilemessages
	bin/ensure-services
	psql "$(dir $(BENCH_DATABASE_URL))postgres" -qc 'DROP DATABASE IF EXISTS "$(notdir $(BENCH_DATABASE_URL))"' -c 'CREATE DATABASE "$(notdir $(BENCH_DATABASE_URL))"'
	$(BENCH_ENV) $(PY) manage.py migrate -v 0
	time $(BENCH_ENV) $(PY) manage.py generate_national_data
	# Visibility maps too (index-only scans), not just statistics: autovacuum may be off.
	psql "$(BENCH_DATABASE_URL)" -qc 'VACUUM ANALYZE'

bench: install compilemessages
	bin/ensure-services
	$(BENCH_ENV) $(PY) manage.py migrate -v 0
	$(BENCH_ENV) $(PY) -m bench.run
	# Each reminder run rolls back, leaving its outbox rows dead: clear them first.
	psql "$(BENCH_DATABASE_URL)" -qc 'VACUUM ANALYZE alert4you_reminder'
	$(BENCH_ENV) $(PY) -m bench.reminders
	bin/system-deps --wrk
	$(BENCH_ENV) $(PY) -m bench.load
	$(PY) -m bench.report

lint: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Extract translatable strings into locale/nl (then translate the .po file).
messages: install
	bin/system-deps
	$(PY) manage.py makemessages -l nl -i $(VENV) -i node_modules -i var --no-obsolete

compilemessages: install
	@bin/system-deps
	@$(PY) manage.py compilemessages -i $(VENV) -i node_modules -i var -v 0

clean:
	rm -rf $(VENV) node_modules static/vendor var
