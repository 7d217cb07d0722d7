"""trivia/bulk.py's update: many rows in one statement on PostgreSQL, every value written as given."""

import pytest
from django.db import connection

from tests.factories import SourceFactory
from trivia import bulk
from trivia.freshness import content_version
from trivia.models import Source

pytestmark = pytest.mark.django_db


def test_update_writes_each_rows_own_values_including_nulls():
    sources = [SourceFactory(author=f"Author {n}") for n in range(3)]
    for n, source in enumerate(sources):
        source.accessed = None  # a NULL in every row: PostgreSQL must still know the column's type
        source.author = f"Edited {n}"
    bulk.update(Source, sources, ["accessed", "author"])
    assert list(Source.objects.order_by("pk").values_list("accessed", "author")) == [
        (None, "Edited 0"),
        (None, "Edited 1"),
        (None, "Edited 2"),
    ]


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="SQLite's triggers run once per row")
def test_an_update_of_many_rows_moves_the_content_version_once_on_postgresql():
    """One statement per batch: rebuilding a million search documents must not bump the version a million times."""
    sources = [SourceFactory() for _ in range(5)]
    for source in sources:
        source.author = "Someone else"
    epoch, version = content_version().rsplit("-", 1)
    bulk.update(Source, sources, ["author"])
    assert content_version() == f"{epoch}-{int(version) + 1}"
    assert connection.vendor == "postgresql"
