# Two commands do everything on a fresh machine: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell sha256sum requirements.lock | cut -c1-16)
# Local development runs with debug on; production settings come from the environment (see `make serve`).
DEV := DJANGO_DEBUG=1

.PHONY: install migrate seed run serve test lint migrations-check pytest test-postgres bench lock clean

$(STAMP): requirements.lock
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else "redshoes needs Python 3.12 or newer; found " + sys.version.split()[0])'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements.lock
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

install: $(STAMP)

migrate: install
	$(DEV) $(BIN)/python manage.py migrate --noinput

seed: migrate
	$(DEV) $(BIN)/python manage.py seed_trivia
	$(DEV) $(BIN)/python manage.py setup_roles

run: seed
	$(DEV) $(BIN)/python manage.py runserver 127.0.0.1:8000

# Production: gunicorn with WhiteNoise serving the hashed, compressed static files.
# Settings come from the environment (README "Production"): at least DJANGO_SECRET_KEY
# and DJANGO_ALLOWED_HOSTS; DATABASE_URL for PostgreSQL; REDSHOES_BIND for the address.
serve: install
	$(BIN)/python manage.py collectstatic --noinput
	$(BIN)/python manage.py migrate --noinput
	exec $(BIN)/gunicorn --config redshoes/gunicorn.conf.py

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

migrations-check: install
	$(DEV) $(BIN)/python manage.py makemigrations --check --dry-run

pytest: install
	$(BIN)/pytest

test: lint migrations-check pytest

# The suite again against PostgreSQL (the server at 127.0.0.1:5432 unless DATABASE_URL says otherwise).
test-postgres: install
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/redshoes} $(BIN)/pytest --create-db

# Performance (README "Benchmark"): builds 1,000- and 100,000-fact databases on SQLite and, when the
# server answers, PostgreSQL (in their own databases, never DATABASE_URL's), loads every public page
# with wrk under gunicorn next to a hello view and a static file, and writes docs/performance.md.
# About 10 minutes. wrk comes from Debian's packages.
bench: install
	@command -v wrk >/dev/null || apt-get install -y wrk || sudo apt-get install -y wrk
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/redshoes} $(BIN)/python bench/run.py $(BENCH_ARGS)

# Re-pin every dependency after editing pyproject.toml.
lock: install
	$(BIN)/python -m pip install --quiet uv
	$(BIN)/uv pip compile pyproject.toml --extra dev --generate-hashes --python-version 3.12 -q -o requirements.lock

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
