"""Fixtures shared across the suite."""

import pytest

from tests.redis_support import (
    REDIS_TEST_URL,
    delete_prefixed,
    report_skipped_redis_tests,
    require_redis,
    unique_prefix,
)
from trivia.services.seeding import seed_from_spec


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    report_skipped_redis_tests(terminalreporter, config)


@pytest.fixture
def seeded(db):
    """The database as `make run` leaves it: the seed document and its facts."""
    seed_from_spec()


@pytest.fixture
def red_shoes(seeded):
    from trivia.models import Film

    return Film.objects.get(slug="the-red-shoes-1948")


@pytest.fixture
def redis_url(request):
    """The test Redis (database 15), skipped loudly where none answers; yields (url, key prefix), cleaned after."""
    require_redis(request)
    prefix = unique_prefix()
    yield REDIS_TEST_URL, prefix
    delete_prefixed(REDIS_TEST_URL, prefix)
