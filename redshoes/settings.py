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

from redshoes.logging import stdout_logging

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    """Read a yes/no switch: `1`/`true`/`yes`/`on` are on; unset, `0`/`false` are off."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be 1/true/yes/on or 0/false/no/off, not {raw!r}.")


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


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
    "reversion",
    "axes",
    "trivia",
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
        conn_max_age=int(os.environ.get("DJANGO_CONN_MAX_AGE", "60")),
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

# Rendered public pages, kept under their ETag (trivia/page_cache.py), so asking again for
# an unchanged page costs a lookup instead of a render; an edit changes every ETag, so
# nothing stale is ever served. In each worker's memory: at most this many pages per
# worker (about 100 KB each at most); 0 turns the page cache off.
PAGE_CACHE_ENTRIES = int(os.environ.get("REDSHOES_PAGE_CACHE_ENTRIES", "500"))
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "pages": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache"
        if PAGE_CACHE_ENTRIES
        else "django.core.cache.backends.dummy.DummyCache",
        "LOCATION": "redshoes-pages",
        "TIMEOUT": 24 * 60 * 60,
        "OPTIONS": {"MAX_ENTRIES": max(PAGE_CACHE_ENTRIES, 1)},
    },
}

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
SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_SECURE_HSTS_SECONDS", "0" if DEBUG else "31536000"))
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
AXES_FAILURE_LIMIT = int(os.environ.get("REDSHOES_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("REDSHOES_LOGIN_COOLOFF_MINUTES", "15")))
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
