"""The caches: Redis shared by every host when `REDIS_URL` is set, each worker's memory when not.

A cache is an optimisation, never a dependency: when Redis stops answering, a lookup
is a miss and a store is dropped, so pages are rendered instead of failing. Each
process then leaves Redis alone for `RETRY_SECONDS` (a request never waits on a dead
server more than once in that window) and says so in the log at most once a minute,
not once per request. `/healthz` asks Redis directly (`ping`) and reports "degraded".
"""

import logging
import pickle
import time
from urllib.parse import urlsplit

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from django.core.exceptions import ImproperlyConfigured

logger = logging.getLogger(__name__)

REDIS_BACKEND = "redshoes.cache.ResilientRedisCache"
# Loopback or a LAN: a healthy Redis answers in well under a millisecond, so a server that
# takes this long is treated as down rather than holding a request (and a worker) hostage.
SOCKET_TIMEOUT_SECONDS = 0.25
RETRY_SECONDS = 1.0
LOG_EVERY_SECONDS = 60.0
# What unpickling a value written by other code can raise.
UNREADABLE = (pickle.UnpicklingError, AttributeError, EOFError, ImportError)


# Rendered facts (trivia/fragments.py) are keyed by what they show, so they stay right across
# edits and outlive the pages that are rebuilt after every edit: a week, not a day.
FRAGMENT_SECONDS = 7 * 24 * 60 * 60
# Per worker without Redis: ~1 KB each, so about 20 MB; a page of 100 facts fits many times over.
FRAGMENT_ENTRIES = 20_000
# Whole pages kept under their inputs (trivia/page_renders.py): ~100 KB each uncompressed plus its
# codings, so per worker without Redis about 100 MB at most; with Redis they expire like the pages.
RENDER_ENTRIES = 1_000


DUMMY = {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}


def caches_from_environment(
    redis_url: str,
    key_prefix: str,
    page_entries: int,
    page_seconds: int,
    fragment_entries: int = FRAGMENT_ENTRIES,
    render_entries: int = RENDER_ENTRIES,
) -> dict:
    """`CACHES`: every alias in Redis when a URL is given, else per-process memory; an alias given 0 entries is off."""
    if redis_url:
        scheme = urlsplit(redis_url).scheme
        if scheme not in {"redis", "rediss", "unix"}:
            raise ImproperlyConfigured(f"REDIS_URL must start with redis://, rediss:// or unix://, not {scheme!r}.")
        options = {"socket_connect_timeout": SOCKET_TIMEOUT_SECONDS, "socket_timeout": SOCKET_TIMEOUT_SECONDS}
        shared = {"BACKEND": REDIS_BACKEND, "LOCATION": redis_url, "OPTIONS": options}

        def in_redis(suffix: str, seconds: int, entries: int) -> dict:
            return {**shared, "KEY_PREFIX": f"{key_prefix}:{suffix}", "TIMEOUT": seconds} if entries else DUMMY

        return {
            "default": {**shared, "KEY_PREFIX": key_prefix},
            "pages": in_redis("pages", page_seconds, page_entries),
            "fragments": in_redis("fragments", FRAGMENT_SECONDS, fragment_entries),
            "renders": in_redis("renders", page_seconds, render_entries),
        }
    return {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "pages": _in_memory("redshoes-pages", page_seconds, page_entries),
        "fragments": _in_memory("redshoes-fragments", FRAGMENT_SECONDS, fragment_entries),
        "renders": _in_memory("redshoes-renders", page_seconds, render_entries),
    }


def _in_memory(location: str, seconds: int, entries: int) -> dict:
    """A per-process cache holding at most `entries` (none at 0: Django's dummy cache)."""
    if not entries:
        return {**DUMMY, "LOCATION": location}
    return {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": location,
        "TIMEOUT": seconds,
        "OPTIONS": {"MAX_ENTRIES": entries},
    }


class _Outage:
    """One Redis server's state in this process: when it last failed, when that was last logged."""

    def __init__(self, location: str):
        self.location = location
        self.down_until = 0.0
        self.logged_at = float("-inf")
        self.failures_since_log = 0

    def skipping(self) -> bool:
        return time.monotonic() < self.down_until

    def failed(self, exc: Exception) -> None:
        now = time.monotonic()
        self.down_until = now + RETRY_SECONDS
        self.failures_since_log += 1
        if now - self.logged_at >= LOG_EVERY_SECONDS:
            logger.warning(
                "Redis at %s does not answer (%s: %s); serving without the shared cache "
                "(%d failed call(s) in this process since the last such line; logged at most once a minute)",
                self.location,
                type(exc).__name__,
                exc,
                self.failures_since_log,
            )
            self.logged_at = now
            self.failures_since_log = 0

    def answered(self) -> None:
        if self.down_until:
            logger.info("Redis at %s answers again; the shared cache is back in use", self.location)
        self.down_until = 0.0


_outages: dict[str, _Outage] = {}


def _redacted(url: str) -> str:
    """The URL without its password, for the log."""
    parts = urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        return parts._replace(netloc=netloc).geturl()
    return url


def _key_not_found(key, delta):
    raise ValueError(f"Key '{key}' not found.")


def _resilient(name: str, fallback):
    def call(self, *args, **kwargs):
        outage = self._outage
        if outage.skipping():
            return fallback(*args) if callable(fallback) else fallback
        try:
            result = getattr(super(ResilientRedisCacheClient, self), name)(*args, **kwargs)
        except self._lib.exceptions.RedisError as exc:
            outage.failed(exc)
            return fallback(*args) if callable(fallback) else fallback
        except UNREADABLE as exc:
            # A value this code cannot unpickle (written by another release under the same key): a miss.
            logger.warning("Redis at %s: a cached value could not be read (%s); a miss", outage.location, exc)
            return fallback(*args) if callable(fallback) else fallback
        outage.answered()
        return result

    call.__name__ = name
    return call


class ResilientRedisCacheClient(RedisCacheClient):
    """Django's Redis client; a Redis error becomes a miss (reads) or a dropped write."""

    def __init__(self, servers, **options):
        super().__init__(servers, **options)
        location = ",".join(_redacted(server) for server in servers)
        self._outage = _outages.setdefault(location, _Outage(location))

    get = _resilient("get", lambda key, default: default)
    get_many = _resilient("get_many", lambda keys: {})
    has_key = _resilient("has_key", False)
    add = _resilient("add", False)
    set = _resilient("set", None)
    set_many = _resilient("set_many", None)
    incr = _resilient("incr", _key_not_found)
    touch = _resilient("touch", False)
    delete = _resilient("delete", False)
    delete_many = _resilient("delete_many", None)
    clear = _resilient("clear", False)

    def ping(self) -> bool:
        """Whether Redis answers now (ignores the retry pause; for the health check)."""
        try:
            answered = bool(self.get_client(write=True).ping())
        except self._lib.exceptions.RedisError as exc:
            self._outage.failed(exc)
            return False
        self._outage.answered()
        return answered


class ResilientRedisCache(RedisCache):
    """Django's built-in Redis cache backend with `ResilientRedisCacheClient` under it."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ResilientRedisCacheClient

    def ping(self) -> bool:
        return self._cache.ping()


def cache_state(cache) -> str:
    """For `/healthz`: "ok" (Redis answers), "degraded" (it does not), "local" (per-process memory), "off"."""
    if isinstance(cache, ResilientRedisCache):
        return "ok" if cache.ping() else "degraded"
    if type(cache).__name__ == "DummyCache":
        return "off"
    return "local"
