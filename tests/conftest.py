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


def database_use(request) -> str | None:
    """How this test touches the database: "db" (rolled back), "transactional_db" (committed, then flushed) or None."""
    marker = request.node.get_closest_marker("django_db")
    fixtures = set(request.fixturenames)
    if marker is None and not {"db", *TRANSACTIONAL_FIXTURES} & fixtures:
        return None
    transactional = bool(TRANSACTIONAL_FIXTURES & fixtures) or bool(marker and marker.kwargs.get("transaction"))
    return "transactional_db" if transactional else "db"


@pytest.fixture(autouse=True)
def planner_statistics_leave_with_the_rows(request):
    """A committed test's SQLite planner statistics are dropped when its rows are flushed.

    A bulk load runs ANALYZE (`bulk.refresh_statistics`), and SQLite keeps sqlite_stat1 after the
    flush empties the tables. The next test in that process then planned as for tables of a few
    rows (rightly scanning them), so the tests that pin SQLite's plans at scale passed or failed
    by which test had run before them: CI's two workers deal files out differently each run.
    """
    if database_use(request) != "transactional_db":
        yield
        return
    request.getfixturevalue("transactional_db")  # so its flush comes after this teardown, with access still open
    yield
    from django.db import connections

    for connection in connections.all(initialized_only=True):
        if connection.vendor != "sqlite":
            continue
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM sqlite_schema WHERE name = 'sqlite_stat1'")
            if cursor.fetchone():
                cursor.execute("DELETE FROM sqlite_stat1")
                cursor.execute("ANALYZE sqlite_schema")  # the planner reloads its (now empty) statistics


@pytest.fixture(autouse=True)
def citations_stay_on_their_quotes(request):
    """After every test that touches the database, `check_citations` finds no citation off its quote,
    and the counts of published facts the database keeps per film and topic are right (`fact_counts`),
    and every fact has its display token (`fact_tokens`).

    Whatever the test did (a load, an import, an edit, a revert, bulk SQL), a citation flagged
    sound must still sit on its quote with the right paragraph. Tests that corrupt a citation
    on purpose say so with `@pytest.mark.unsound_citations`.
    """
    use = database_use(request)
    if use is None or request.node.get_closest_marker("unsound_citations"):
        yield
        return
    request.getfixturevalue(use)
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
