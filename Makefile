# Two commands do everything on a fresh machine: `make run` and `make test` (see README.md).
# Production (docs/deployment.md): `make release` once per deploy, then `make serve` and
# `make worker` on each host.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# What a server needs (requirements.lock) and what development adds (requirements-dev.lock:
# tests, lint, browser). Each install leaves a stamp named after its lock's hash.
RUNTIME_STAMP := $(VENV)/.installed-runtime-$(shell sha256sum requirements.lock | cut -c1-16)
DEV_STAMP := $(VENV)/.installed-dev-$(shell sha256sum requirements-dev.lock | cut -c1-16)
# `make lock` compiles with this uv, whatever the machine has, so two people get the same pins.
UV_VERSION := 0.13.8
# Local development runs with debug on; production settings come from the environment (see `make serve`).
DEV := DJANGO_DEBUG=1
# The suite runs in this many worker processes (pytest-xdist); 0 runs it in this one. A test file stays in one
# worker, in order (--dist loadfile): module fixtures such as the multi-host rehearsal's deployment start once.
PYTEST_WORKERS ?= 2
PYTEST_PARALLEL := -n $(PYTEST_WORKERS) --dist loadfile

.PHONY: install install-runtime migrate seed run release serve worker test lint migrations-check pytest \
	test-postgres bench bench-scale lock clean

define venv_install
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else "redshoes needs Python 3.12 or newer; found " + sys.version.split()[0])'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-hashes -r $(1)
endef

$(RUNTIME_STAMP): requirements.lock
	$(call venv_install,requirements.lock)
	rm -f $(VENV)/.installed-runtime-*
	touch $(RUNTIME_STAMP)

# The development lock pins the runtime packages at the same versions, so it satisfies both.
$(DEV_STAMP): requirements-dev.lock
	$(call venv_install,requirements-dev.lock)
	rm -f $(VENV)/.installed-*
	touch $(DEV_STAMP) $(RUNTIME_STAMP)

install-runtime: $(RUNTIME_STAMP)

install: $(DEV_STAMP)

migrate: install
	$(DEV) $(BIN)/python manage.py migrate --noinput

seed: migrate
	$(DEV) $(BIN)/python manage.py seed_trivia
	$(DEV) $(BIN)/python manage.py setup_roles

# The site on 127.0.0.1:8000 and, beside it, the background worker (exports, big imports);
# Ctrl-C stops both.
run: seed
	$(DEV) $(BIN)/python manage.py run_worker --no-reload --interval 1 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(DEV) $(BIN)/python manage.py runserver 127.0.0.1:8000

# Production. Settings come from the environment (README "Production", docs/deployment.md):
# at least DJANGO_SECRET_KEY and DJANGO_ALLOWED_HOSTS; DATABASE_URL for PostgreSQL,
# REDIS_URL for the shared cache, REDSHOES_BIND for the address.
# `make release`: once per deploy, from one host, before the new code serves: migrations
# and the hashed, compressed static files.
release: install-runtime
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py collectstatic --noinput

# `make serve`: only starts gunicorn (WhiteNoise serves /static/); run it on every app host.
serve: install-runtime
	exec $(BIN)/gunicorn --config redshoes/gunicorn.conf.py

# `make worker`: runs background jobs; one or more per deployment, on any host.
worker: install-runtime
	exec $(BIN)/python manage.py run_worker --no-reload

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

migrations-check: install
	$(DEV) $(BIN)/python manage.py makemigrations --check --dry-run

pytest: install
	$(BIN)/pytest $(PYTEST_PARALLEL)

test: lint migrations-check pytest

# The suite again against PostgreSQL (the server at 127.0.0.1:5432 unless DATABASE_URL says otherwise).
test-postgres: install
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/redshoes} $(BIN)/pytest --create-db $(PYTEST_PARALLEL)

# Performance (README "Benchmark"): builds 1,000- and 100,000-fact databases on SQLite and, when the
# server answers, PostgreSQL (in their own databases, never DATABASE_URL's), loads every public page
# with wrk under gunicorn next to a hello view and a static file, times dumpdata and loaddata,
# measures first visits (uncached, in process) against /healthz, runs the readers scenario (every
# public page, Zipf-distributed, while an editor saves a fact a second), compares per-worker page
# caches with a shared Redis on two servers, and writes docs/performance.md.
# About 15 minutes. wrk comes from Debian's packages.
bench: install
	@command -v wrk >/dev/null || apt-get install -y wrk || sudo apt-get install -y wrk
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/redshoes} $(BIN)/python bench/run.py $(BENCH_ARGS)

# The scaling table (bench/scale.py): 10,000, 100,000 and 1,000,000 facts on each engine (generation,
# database size, first visits per page type, dumpdata and loaddata with their peak memory). Run it on
# its own: most of an hour per engine at a million facts, and several GB of disk.
bench-scale: install
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/redshoes} $(BIN)/python bench/scale.py $(BENCH_ARGS)

# Re-pin every dependency after editing pyproject.toml: the runtime lock first, then the
# development lock constrained to the same runtime versions.
lock: install
	$(BIN)/python -m pip install --quiet uv==$(UV_VERSION)
	$(BIN)/uv pip compile pyproject.toml --generate-hashes --python-version 3.12 -q -o requirements.lock
	$(BIN)/uv pip compile pyproject.toml --extra dev --constraint requirements.lock --generate-hashes \
		--python-version 3.12 -q -o requirements-dev.lock

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
