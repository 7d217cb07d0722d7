"""Settings for redshoes, read from the environment.

Every value a deployment changes comes from an environment variable (see
`.env.example`); the defaults are the safe, local ones: a SQLite file in the
project and debug off.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

from redshoes.cache import caches_from_environment
from redshoes.env import env_bool, env_list, env_number
from redshoes.logging import stdout_logging
from redshoes.release import release_id

BASE_DIR = Path(__file__).resolve().parent.parent


DEBUG = env_bool("DJANGO_DEBUG")

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set. Set it to a long random string in production, "
            "or set DJANGO_DEBUG=1 for local development (see .env.example)."
        )
    # Only ever used with debug on, on a developer's machine.
    SECRET_KEY = "django-insecure-local-development-only"

# With debug on and nothing set, the local addresses; in production nothing is allowed
# until DJANGO_ALLOWED_HOSTS names the site's hosts.
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS") or (["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.postgres",
    "django_filters",
    "django_tasks_db",
    "reversion",
    "axes",
    "trivia",
    "trivia.jobs",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a lockout flagged during login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "redshoes.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.csp",
            ],
        },
    },
]

WSGI_APPLICATION = "redshoes.wsgi.application"

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_number("DJANGO_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers carry on while an editor writes; IMMEDIATE transactions take the
    # write lock up front so two concurrent saves queue instead of failing with
    # "database is locked" half-way through.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # No JIT compilation: a page's queries run in milliseconds, and PostgreSQL compiles any
    # query whose estimated cost passes jit_above_cost, which the bucketed search's estimate
    # (a series of unknown length) does at a million facts: 300 ms of compiling for a 2 ms
    # query (docs/decisions.md, "First visits, phase 6").
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
# `collectstatic` writes here and WhiteNoise serves from here; a deployment may put it elsewhere.
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT") or BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LOGIN_URL = "admin:login"
# After logging in with no (or an unsafe) `next`, editors land on the admin index, not /accounts/profile/.
LOGIN_REDIRECT_URL = "admin:index"

# Fixtures (dumpdata, loaddata, export_trivia) keep timestamps to the microsecond, so a
# dump, load and dump again gives the same bytes (trivia/fixture_json.py).
SERIALIZATION_MODULES = {"json": "trivia.fixture_json"}

# The public site's own address, used in "Cite this fact" blocks, canonical links and
# the sitemap when a page is rendered outside a request (e.g. an export).
SITE_URL = os.environ.get("REDSHOES_SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# `make bench` only: adds /bench/hello/, a view that renders nothing and reads no
# database, so page timings can be compared with the framework's own floor.
REDSHOES_BENCH = env_bool("REDSHOES_BENCH")

# --- Caches, release and background jobs (issue 15) -------------------------------------
# Rendered public pages are kept under a key made of the release, the content version,
# the audience and the query parameters the page reads (trivia/page_cache.py), so
# nothing stale is ever served and nothing needs invalidating.
# With REDIS_URL set, the page cache and the default cache live in Redis, shared by every
# worker on every host; without it, in each worker's memory (the embedded default for one
# machine). A Redis that stops answering costs renders, never a failed page
# (redshoes/cache.py).
PAGE_CACHE_ENTRIES = env_number("REDSHOES_PAGE_CACHE_ENTRIES", 500)
PAGE_CACHE_SECONDS = 24 * 60 * 60
REDIS_URL = os.environ.get("REDIS_URL", "").strip()
CACHE_KEY_PREFIX = os.environ.get("REDSHOES_CACHE_KEY_PREFIX", "redshoes").strip()
# Each fact's rendered list item (trivia/fragments.py), kept across edits: the entries a
# worker keeps without Redis (0: off).
FRAGMENT_CACHE_ENTRIES = env_number("REDSHOES_FRAGMENT_CACHE_ENTRIES", 20_000)
# Whole pages kept under a digest of what they show (trivia/page_renders.py), so an edit
# costs a first render only to the pages showing what it changed (0: off).
RENDER_CACHE_ENTRIES = env_number("REDSHOES_RENDER_CACHE_ENTRIES", 1_000)
CACHES = caches_from_environment(
    REDIS_URL, CACHE_KEY_PREFIX, PAGE_CACHE_ENTRIES, PAGE_CACHE_SECONDS, FRAGMENT_CACHE_ENTRIES, RENDER_CACHE_ENTRIES
)

# Which code this process runs: part of every page's ETag and cache key, so two hosts on
# different releases during a rolling deploy never share HTML. Default: a hash of the
# code, templates, static files and lock file (redshoes/release.py).
RELEASE = release_id(os.environ.get("REDSHOES_RELEASE", ""), BASE_DIR)

# Long jobs (exports, draft facts from big sources) run in `make worker`, from a queue kept
# in the database (django-tasks-db), so any host may enqueue and any worker may run them.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
# A running job's worker writes a heartbeat this often; a job silent for JOB_STALE_SECONDS
# lost its worker and is retried (at most JOB_MAX_ATTEMPTS runs) or failed with the reason.
JOB_HEARTBEAT_SECONDS = env_number("REDSHOES_JOB_HEARTBEAT_SECONDS", 10.0, minimum=0.1, kind=float)
JOB_STALE_SECONDS = env_number("REDSHOES_JOB_STALE_SECONDS", 120, minimum=1)
JOB_MAX_ATTEMPTS = env_number("REDSHOES_JOB_MAX_ATTEMPTS", 3, minimum=1)
# A finished export is offered for download this long, then its file is deleted.
JOB_FILE_HOURS = env_number("REDSHOES_JOB_FILE_HOURS", 48, minimum=1)

# --- Security (issue 7) -------------------------------------------------------------
# With debug off these are the production defaults; `manage.py check --deploy` passes
# with no warnings. Each switch that a deployment may need to change reads the
# environment (README "Production").

# Content-Security-Policy: only this site's own files. No 'unsafe-inline': templates
# carry no inline <script> or style="" (JSON-LD <script type="application/ld+json"> is
# a data block the browser never executes, so the policy does not apply to it).
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

# Behind a TLS-terminating reverse proxy (nginx, a load balancer) that sets
# X-Forwarded-Proto and X-Forwarded-For, turn this on so Django knows a request came
# over HTTPS and login rate limiting sees the reader's address, not the proxy's.
# Never turn it on without such a proxy: anyone could then claim HTTPS or any address.
BEHIND_PROXY = env_bool("DJANGO_BEHIND_PROXY")
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Plain-HTTP requests are redirected to HTTPS in production; the benchmark and local
# smoke runs on http://127.0.0.1 switch it off with DJANGO_SECURE_SSL_REDIRECT=0.
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", default=not DEBUG)
# Load balancers probe /healthz over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env_number("DJANGO_SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_SECURE_HSTS_PRELOAD", default=not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

SESSION_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
# The admin reads the CSRF token from its forms, never from the cookie, so scripts
# need no access to it.
CSRF_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_HTTPONLY = True

# Login rate limiting (django-axes): after AXES_FAILURE_LIMIT wrong passwords for one
# user name from one address, that pair is locked out for the cool-off period. Locking
# on the pair, not the name alone, means a stranger cannot lock a real editor out.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_number("REDSHOES_LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_number("REDSHOES_LOGIN_COOLOFF_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "axes/lockout.html"
if BEHIND_PROXY:
    AXES_IPWARE_PROXY_COUNT = 1
    AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]

# --- Logging: one line per event on stdout ------------------------------------------
# `ts=… level=… logger=… msg="…"` plus method/path/status when a request is involved.
# The container or process manager collects stdout; nothing is mailed, and no settings
# are ever written out (debug is off in production, so error pages show none either).
LOG_LEVEL = os.environ.get("REDSHOES_LOG_LEVEL", "INFO").upper()
LOGGING = stdout_logging(
    LOG_LEVEL,
    {
        # Django's own handlers (console only with debug on, mail to ADMINS) are
        # replaced: everything goes through the root handler.
        "django": {"handlers": [], "level": LOG_LEVEL, "propagate": True},
        "django.server": {"handlers": [], "level": "INFO", "propagate": True},
        # Lockouts are warnings; axes' per-attempt and start-up chatter stays out of the log.
        "axes": {"level": "WARNING"},
    },
)
