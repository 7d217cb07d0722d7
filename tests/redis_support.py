"""Redis for the tests that need a real one: database 15 of the server at 127.0.0.1:6379, under a key prefix
of the run's own, so nothing the tests write meets anything else's keys (and `clear()`, which would flush
the whole database, is never called).

Where no Redis answers, those tests are skipped and the run says so in its summary ("REDIS TESTS
SKIPPED"); with REDSHOES_REQUIRE_REDIS=1 (set by .ci/run, which starts Redis) they fail instead.
"""

import os
import uuid

import pytest

from tests.run_summary import skipped_because

REDIS_TEST_URL = os.environ.get("REDSHOES_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
REQUIRE_REDIS = os.environ.get("REDSHOES_REQUIRE_REDIS", "").strip().lower() in {"1", "true", "yes", "on"}
NO_REDIS = f"no Redis answers at {REDIS_TEST_URL} (start one: `redis-server --daemonize yes`)"
SKIPPED_REDIS = "Redis test skipped"


def redis_answers(url: str = REDIS_TEST_URL) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1).ping())
    except redis.RedisError:
        return False


def unique_prefix() -> str:
    return f"redshoes-test-{uuid.uuid4().hex[:12]}"


def delete_prefixed(url: str, prefix: str) -> None:
    import redis

    client = redis.Redis.from_url(url)
    keys = list(client.scan_iter(match=f"*{prefix}*", count=1000))
    if keys:
        client.delete(*keys)


def require_redis(request) -> None:
    """Skip (counted for the summary) or, under REDSHOES_REQUIRE_REDIS=1, fail when Redis does not answer."""
    if redis_answers():
        return
    if REQUIRE_REDIS:
        pytest.fail(f"REDSHOES_REQUIRE_REDIS=1 but {NO_REDIS}.", pytrace=False)
    pytest.skip(f"{SKIPPED_REDIS}: {NO_REDIS}")


def report_skipped_redis_tests(terminalreporter, config) -> None:
    skipped = skipped_because(terminalreporter, SKIPPED_REDIS)
    if skipped:
        terminalreporter.write_sep("=", "REDIS TESTS SKIPPED", yellow=True, bold=True)
        terminalreporter.write_line(
            f"{skipped} test(s) of the shared cache did not run: {NO_REDIS}. "
            "CI starts Redis and sets REDSHOES_REQUIRE_REDIS=1, which turns this into a failure."
        )
