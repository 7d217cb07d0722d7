"""The counts of published facts the database keeps per film and per (topic, film) (trivia/fact_counts.py).

The home page's "Best documented" films and the topic pages read them instead of counting
facts on each request, so every way a fact is written must keep them right: the admin,
bulk SQL, both `loaddata` paths, a plain `QuerySet.update()`. (The suite also recounts
after every database test: tests/conftest.py.)
"""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import CitationFactory, FactFactory, FilmFactory, TopicFactory
from tests.htmltree import parse
from tests.test_fixture_fast_path import dumped_fixture
from tests.test_fixtures_roundtrip import build_knowledge_base, empty_trivia_tables
from trivia import bulk, fact_counts
from trivia.models import Fact, Film
from trivia.selectors.home import FEATURED_COUNT
from trivia.services.roles import create_editor

pytestmark = pytest.mark.django_db


def best_documented(client) -> list[str]:
    """The home page's "Best documented" films as a reader sees them: "Title (year) N facts"."""
    page = parse(client.get(reverse("trivia:home")).content.decode())
    cards = page.find_all("ul", class_="film-cards")
    return [" ".join(li.text().split()) for li in cards[0].find_all("li")] if cards else []


def films_with(*fact_counts_: int) -> list[Film]:
    """One film per count, each with that many published facts, and enough empty films to need a featured list."""
    films = [FilmFactory(title=f"Film {n}", year=1950 + n) for n in range(len(fact_counts_))]
    for film, count in zip(films, fact_counts_, strict=True):
        FactFactory.create_batch(count, film=film)
    FilmFactory.create_batch(FEATURED_COUNT)
    return films


def test_publishing_and_unpublishing_in_the_admin_moves_a_film_up_and_down(client):
    editor = Client()
    editor.force_login(create_editor("edna", "a-long-enough-passphrase"))
    first, second = films_with(3, 2)
    # Cited drafts: a fact without a citation cannot be published.
    drafts = [CitationFactory(fact__film=second, fact__status=Fact.Status.DRAFT).fact for _ in range(2)]
    assert best_documented(client) == ["Film 0 (1950) 3 facts", "Film 1 (1951) 2 facts"]

    changelist = reverse("admin:trivia_fact_changelist")
    editor.post(changelist, {"action": "publish", "_selected_action": [fact.pk for fact in drafts]})
    assert best_documented(client) == ["Film 1 (1951) 4 facts", "Film 0 (1950) 3 facts"]

    editor.post(changelist, {"action": "unpublish", "_selected_action": [drafts[0].pk]})
    assert best_documented(client) == ["Film 0 (1950) 3 facts", "Film 1 (1951) 3 facts"]


def test_deleting_facts_one_by_one_or_in_bulk_lowers_the_count(client):
    first, second = films_with(3, 2)
    first.facts.first().delete()
    assert best_documented(client) == ["Film 0 (1950) 2 facts", "Film 1 (1951) 2 facts"]

    bulk.delete_facts(Fact.objects.filter(film=second))
    assert best_documented(client) == ["Film 0 (1950) 2 facts"]


def test_a_fact_moved_to_another_film_or_topic_is_counted_there(client):
    first, second = films_with(3, 1)
    topic = TopicFactory()
    Fact.objects.filter(pk__in=first.facts.values("pk")[:2]).update(film=second, topic=topic)

    assert best_documented(client) == ["Film 1 (1951) 3 facts", "Film 0 (1950) 1 fact"]
    assert fact_counts.films_of_topic(topic.pk) == [(second.pk, 2)]


def test_bulk_inserts_count_published_facts_only(client):
    (film,) = films_with(1)
    topic = film.facts.get().topic
    rows = [Fact(film=film, topic=topic, text=f"Bulk {n}.", status=Fact.Status.DRAFT) for n in range(3)]
    bulk.create(Fact, rows)

    assert best_documented(client) == ["Film 0 (1950) 1 fact"]


@pytest.mark.parametrize("tables_hold_rows", [False, True], ids=["fast path", "stock path"])
def test_loaddata_keeps_the_counts_on_either_path(client, tmp_path, tables_hold_rows):
    build_knowledge_base()
    FilmFactory.create_batch(FEATURED_COUNT)
    before = best_documented(client)
    fixture = dumped_fixture(tmp_path)
    empty_trivia_tables()
    assert best_documented(client) == []
    if tables_hold_rows:
        FilmFactory(title="Already here", slug="already-here")

    call_command("loaddata", str(fixture), stdout=StringIO())

    assert before and best_documented(client) == before


def test_check_citations_reports_a_count_that_differs_from_the_facts():
    (film,) = films_with(2)
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {fact_counts.FILM_TABLE} SET published = 5 WHERE film_id = %s", [film.pk])

    with pytest.raises(CommandError, match="1 kept count"):
        call_command("check_citations", stdout=StringIO(), stderr=StringIO())
    assert fact_counts.problems() == [f"Published facts of film {film.pk}: kept 5, counted 2."]

    fact_counts.recount(connection)
    assert fact_counts.problems() == []


@pytest.mark.skipif(
    "connection.vendor != 'sqlite'", reason="a SQLite query plan (PostgreSQL's planner reads a tiny table whole)"
)
def test_the_best_documented_films_are_read_from_the_top_of_the_count_index():
    """Ranking every film by a count of its facts cost 304 ms (SQLite) and 907 ms (PostgreSQL) at a million facts."""
    films_with(5, 4, 3, 2, 1, 1, 1)
    with CaptureQueriesContext(connection) as queries:
        assert [film.published_fact_count for film in fact_counts.best_documented(FEATURED_COUNT)] == [5, 4, 3, 2, 1, 1]
    plan = plan_of(queries)
    assert plan[0].startswith(f"SEARCH c USING COVERING INDEX {fact_counts.FILM_TABLE}_rank"), plan
    assert not any(step.startswith("SCAN f") for step in plan), plan


def plan_of(queries) -> list[str]:
    (sql,) = [query["sql"] for query in queries.captured_queries]
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + sql)
        return [str(row[-1]) for row in cursor.fetchall()]


def topic_held_by(films: int):
    topic = TopicFactory()
    for number in range(films):
        FactFactory(film=FilmFactory(title=f"Film {number:03}"), topic=topic)
    return topic


@pytest.mark.skipif("connection.vendor != 'sqlite'", reason="a SQLite query plan")
def test_a_topics_total_is_read_from_the_count_index_alone():
    """Summing a table row per film cost 0.69 ms for a topic held by 3,920 films; the index alone, 0.2 ms."""
    topic = topic_held_by(3)
    with CaptureQueriesContext(connection) as queries:
        assert fact_counts.topic_totals(topic.pk) == (3, 3)
    assert plan_of(queries) == [
        f"SEARCH {fact_counts.TOPIC_TABLE} USING COVERING INDEX {fact_counts.TOPIC_TABLE}_total (topic_id=?)"
    ]


@pytest.mark.skipif("connection.vendor != 'sqlite'", reason="a SQLite query plan")
def test_a_topic_held_by_many_films_walks_them_in_title_order_and_stops():
    """Sorting every film holding a topic cost 3.3 ms at 3,920 films; walking to the page's films, 0.2 ms."""
    topic = topic_held_by(5)
    with CaptureQueriesContext(connection) as queries:
        films = fact_counts.films_of_topic(topic.pk, first=2, holding=fact_counts.WALK_FROM + 1)
    assert films == fact_counts.films_of_topic(topic.pk)[:2]
    plan = plan_of(queries)
    assert plan[0] == "SCAN f USING COVERING INDEX film_by_title_idx", plan
    assert not any("TEMP B-TREE" in step for step in plan), plan


@pytest.mark.skipif("connection.vendor != 'sqlite'", reason="a SQLite query plan")
def test_a_topic_held_by_few_films_reads_its_own_rows_not_every_film():
    """Walking the films in title order for a topic held by one passed all of them (0.37 ms at 4,000 films)."""
    topic = topic_held_by(2)
    with CaptureQueriesContext(connection) as queries:
        fact_counts.films_of_topic(topic.pk, first=100, holding=2)
    plan = plan_of(queries)
    assert plan[0].startswith("SEARCH c USING "), plan
