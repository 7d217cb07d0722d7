"""Fixtures shared across the suite."""

import pytest

from tests.redis_support import (
    REDIS_TEST_URL,
    delete_prefixed,
    report_skipped_redis_tests,
    require_redis,
    unique_prefix,
)
from tests.scratch import scratch_database_url, scratch_postgres_url  # noqa: F401  (shared fixtures)
from trivia import fact_counts, fact_tokens, integrity
from trivia.services.seeding import seed_from_spec

TRANSACTIONAL_FIXTURES = {"transactional_db", "live_server"}


@pytest.fixture(autouse=True)
def citations_stay_on_their_quotes(request):
    """After every test that touches the database, `check_citations` finds no citation off its quote,
    and the counts of published facts the database keeps per film and topic are right (`fact_counts`),
    and every fact has its display token (`fact_tokens`).

    Whatever the test did (a load, an import, an edit, a revert, bulk SQL), a citation flagged
    sound must still sit on its quote with the right paragraph. Tests that corrupt a citation
    on purpose say so with `@pytest.mark.unsound_citations`.
    """
    marker = request.node.get_closest_marker("django_db")
    fixtures = set(request.fixturenames)
    if (marker is None and not {"db", *TRANSACTIONAL_FIXTURES} & fixtures) or request.node.get_closest_marker(
        "unsound_citations"
    ):
        yield
        return
    transactional = bool(TRANSACTIONAL_FIXTURES & fixtures) or bool(marker and marker.kwargs.get("transaction"))
    request.getfixturevalue("transactional_db" if transactional else "db")
    yield
    unsound = integrity.audit().unsound
    assert not unsound, "check_citations found citations off their quotes:\n" + "\n".join(unsound)
    miscounted = fact_counts.problems()
    assert not miscounted, "The kept counts of published facts are wrong:\n" + "\n".join(miscounted)
    untokened = fact_tokens.problems()
    assert not untokened, "The display tokens of facts are wrong:\n" + "\n".join(untokened)


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    report_skipped_redis_tests(terminalreporter, config)


@pytest.fixture(autouse=True)
def empty_default_cache():
    """Each test starts with an empty cache, as its database starts fresh.

    What the admin keeps there is keyed by the content version, and a rolled-back test lets the
    next one reach the same version with other rows (the editorial queue, trivia/editorial_queue.py).
    """
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def page_cache_on(settings):
    """The page cache switched on (the suite runs without it, see test_settings) and empty; yields it."""
    from django.core.cache import caches

    from trivia.page_cache import PAGE_CACHE_ALIAS

    settings.CACHES = {
        **settings.CACHES,
        PAGE_CACHE_ALIAS: {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "test-pages"},
    }
    caches[PAGE_CACHE_ALIAS].clear()
    yield caches[PAGE_CACHE_ALIAS]
    caches[PAGE_CACHE_ALIAS].clear()


@pytest.fixture
def editor_client(client, db):
    """The test client logged in as an editor (an Editors-group account, as `create_editor` makes)."""
    from trivia.services.roles import create_editor

    client.force_login(create_editor("edna", "a-long-enough-passphrase"))
    return client


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


@pytest.fixture
def stock_loads(monkeypatch):
    """The fixture labels the stock `loaddata` path read (it reads each through `load_label`)."""
    from trivia.management.commands import loaddata as trivia_loaddata

    labels = []
    original = trivia_loaddata.Command.load_label

    def spy(self, fixture_label):
        labels.append(fixture_label)
        return original(self, fixture_label)

    monkeypatch.setattr(trivia_loaddata.Command, "load_label", spy)
    return labels
