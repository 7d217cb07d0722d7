"""A search with words counts and ranks no more than the newest MATCH_LIMIT matches (issue 16).

A word found in most facts must cost the same at 10,000 and at 1,000,000 facts, so the
/facts/ page stops after the newest MATCH_LIMIT matches and says "N+" past it. These
tests shrink the limit to a handful of facts; under it, nothing changes.
"""

import pytest
from django.db import connection
from django.http import QueryDict
from django.urls import reverse

from tests.factories import FactFactory, FilmFactory, TopicFactory
from tests.test_search import query_plan
from tests.test_views_facts import page, result_keys, summary
from trivia import search
from trivia.fact_tokens import with_tokens
from trivia.filters import ORDER_RELEVANCE, RELEVANCE_ORDER, SPOILERS_INCLUDE, FactFilter
from trivia.models import Fact
from trivia.page_renders import RENDERED, REUSED
from trivia.selectors import search as search_selectors

pytestmark = pytest.mark.django_db

URL = reverse("trivia:fact_list")


@pytest.fixture
def limit_of_five(monkeypatch):
    monkeypatch.setattr(search_selectors, "MATCH_LIMIT", 5)


def ballet_facts(count: int, **fields) -> list[Fact]:
    film, topic = FilmFactory(), TopicFactory()
    # More mentions rank higher, so the order by relevance differs from the order by id.
    return [
        FactFactory(film=film, topic=topic, position=n, text="Ballet. " * (1 + n % 3) + f"Fact {n}.", **fields)
        for n in range(count)
    ]


def test_past_the_limit_the_count_says_plus_and_the_page_says_how_to_narrow_it(client, limit_of_five):
    ballet_facts(8)
    html = page(client, "q=ballet")
    assert summary(html) == "5+ facts match “ballet”."
    assert "Only the 5 newest matches are counted and ranked here" in html
    assert len(result_keys(html)) == 5


def test_past_the_limit_the_newest_matches_are_ranked_best_first(client, limit_of_five):
    facts = ballet_facts(8)
    newest = sorted(facts, key=lambda fact: fact.pk)[-5:]
    expected = search.search_facts(Fact.objects.filter(pk__in=[f.pk for f in newest]), "ballet").order_by(
        *RELEVANCE_ORDER
    )
    assert result_keys(page(client, "q=ballet")) == [fact.key for fact in expected]


def test_under_the_limit_every_match_is_counted_and_ranked_as_before(client):
    facts = ballet_facts(8)
    html = page(client, "q=ballet")
    assert summary(html) == "8 facts match “ballet”."
    assert "newest matches are counted" not in html
    expected = search.search_facts(Fact.objects.filter(pk__in=[f.pk for f in facts]), "ballet")
    assert result_keys(html) == [fact.key for fact in expected.order_by(*RELEVANCE_ORDER)]


def test_film_order_past_the_limit_lists_the_newest_matches_by_film_and_topic(client, limit_of_five):
    facts = ballet_facts(8)
    html = page(client, "q=ballet&ordering=film")
    assert summary(html) == "5+ facts match “ballet”."
    assert result_keys(html) == [fact.key for fact in sorted(facts, key=lambda fact: fact.pk)[-5:]]


def test_hidden_spoilers_are_counted_up_to_the_limit(client, limit_of_five):
    ballet_facts(2)
    ballet_facts(7, is_spoiler=True)
    html = page(client, "q=ballet")
    assert summary(html) == "2 facts match “ballet”."
    assert "5+ more facts match but reveal the ending" in html


def test_hidden_spoilers_are_not_counted_when_the_shown_matches_are_past_the_limit(client, limit_of_five):
    ballet_facts(6)
    ballet_facts(2, is_spoiler=True)
    html = page(client, "q=ballet")
    assert summary(html) == "5+ facts match “ballet”."
    assert "but reveal the ending" not in html
    assert "5+ facts match" in page(client, "q=ballet&spoilers=include")


def test_a_page_past_the_ranked_matches_shows_the_last_one(client, limit_of_five):
    ballet_facts(8)
    html = page(client, "q=ballet&page=9")
    assert len(result_keys(html)) == 5


# --- Words too common to rank (SQLite) ------------------------------------------------------------


@pytest.fixture
def rank_limit_of_five(monkeypatch):
    monkeypatch.setattr(search, "SQLITE_RANK_LIMIT", 5)


def newest_keys(facts) -> list[str]:
    return [fact.key for fact in sorted(facts, key=lambda fact: fact.pk, reverse=True)]


@pytest.mark.skipif("connection.vendor != 'sqlite'", reason="bm25() is SQLite's")
def test_sqlite_lists_words_in_more_facts_than_it_ranks_newest_first(client, limit_of_five, rank_limit_of_five):
    """bm25() counts every fact holding the word before it ranks one (12 ms at 1,000,000 facts): past the
    rank limit the newest matches come first, and the page says so instead of "ranked"."""
    facts = ballet_facts(8)
    html = page(client, "q=ballet")
    assert summary(html) == "5+ facts match “ballet”."
    assert "Only the 5 newest matches are counted and listed here, newest first" in html
    assert "counted and ranked" not in html
    assert result_keys(html) == newest_keys(facts)[:5]
    # Page 2 continues the same order.
    assert result_keys(page(client, "q=ballet&ordering=relevance&page=1")) == newest_keys(facts)[:5]


@pytest.mark.skipif("connection.vendor != 'sqlite'", reason="bm25() is SQLite's")
def test_sqlite_says_why_a_narrowed_search_for_a_common_word_is_not_ranked(client, rank_limit_of_five):
    """Narrowed to a film, the matches are few, but bm25() would still count every fact holding the word."""
    ballet_facts(4)
    narrowed = ballet_facts(3)
    film = narrowed[0].film
    html = page(client, f"q=ballet&film={film.slug}")
    assert summary(html) == f"3 facts match “ballet” in {film}."
    assert "“ballet” is found in more than 5 facts, too many to rank by best match here: the newest come first." in html
    assert result_keys(html) == newest_keys(narrowed)
    # Ordered by film, nothing is said about ranking.
    assert "too many to rank" not in page(client, f"q=ballet&film={film.slug}&ordering=film")


def test_words_in_no_more_facts_than_the_rank_limit_are_ranked_best_first(client, rank_limit_of_five):
    facts = ballet_facts(5)
    html = page(client, "q=ballet")
    assert "too many to rank" not in html and "newest first" not in html
    expected = search.search_facts(Fact.objects.filter(pk__in=[f.pk for f in facts]), "ballet")
    assert result_keys(html) == [fact.key for fact in expected.order_by(*RELEVANCE_ORDER)]
    assert result_keys(html) != newest_keys(facts)


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="the rank limit is SQLite's")
def test_postgresql_ranks_however_many_facts_hold_the_word(client, limit_of_five, rank_limit_of_five):
    ballet_facts(8)
    html = page(client, "q=ballet")
    assert "Only the 5 newest matches are counted and ranked here" in html
    assert "too many to rank" not in html


@pytest.mark.skipif("connection.vendor != 'sqlite'", reason="bm25() is SQLite's")
def test_a_kept_search_page_is_rendered_again_when_its_words_become_too_common_to_rank(client, rank_limit_of_five):
    """The page's facts, counts and tokens are unchanged, but it now says why they are not ranked."""
    elsewhere = ballet_facts(2)[0]  # with the film's three, five facts hold the word: ranked
    narrowed = ballet_facts(3)
    url = f"{URL}?q=ballet&film={narrowed[0].film.slug}"
    assert "too many to rank" not in client.get(url).content.decode()
    FactFactory(film=elsewhere.film, topic=elsewhere.topic, text="Not about dance.")
    assert client.get(url)["X-Render"] == REUSED  # an edit elsewhere: the kept render serves
    FactFactory(film=elsewhere.film, topic=elsewhere.topic, text="Ballet again.")  # six facts hold the word
    response = client.get(url)
    assert response["X-Render"] == RENDERED
    assert "too many to rank" in response.content.decode()
    assert result_keys(response.content.decode()) == newest_keys(narrowed)


@pytest.mark.skipif("connection.vendor != 'sqlite'", reason="FTS5 is the SQLite index")
def test_sqlite_reads_the_newest_matches_from_the_index_without_sorting_them():
    """A sort would read every match of a common word; FTS5 walks its lists backwards and stops at the limit."""
    FactFactory(text="Heckroth.")
    newest = search.newest_first(search.search_facts(Fact.objects.published(), "heckroth"))
    steps = query_plan(newest.values("pk")[:1000], "EXPLAIN QUERY PLAN ")
    assert steps[0].startswith(f"SCAN {search.FTS_TABLE} VIRTUAL TABLE")
    assert not any("TEMP B-TREE" in step for step in steps)
    assert connection.vendor == "sqlite"


# --- Without words: filters alone, or every published fact -----------------------------------------


def test_without_words_past_the_limit_the_newest_facts_are_listed_by_film(client, limit_of_five):
    """Bare /facts/ counted and sorted every published fact (140–200 ms at 100,000): now the newest five."""
    older, newer = ballet_facts(4), ballet_facts(4)
    html = page(client)
    assert summary(html) == "5+ facts."
    assert "Only the 5 newest facts are counted and listed here" in html
    newest = sorted(older + newer, key=lambda fact: fact.pk)[-5:]
    assert result_keys(html) == [fact.key for fact in sorted(newest, key=lambda f: (f.film.title, f.position))]


def test_filters_without_words_count_exactly_under_the_limit_and_say_plus_past_it(client, limit_of_five):
    facts = ballet_facts(3)
    topic = facts[0].topic
    FactFactory.create_batch(2, film=facts[0].film, topic=topic, is_spoiler=True)
    html = page(client, f"topic={topic.slug}")
    assert summary(html) == f"3 facts under {topic.name}."
    assert "2 more facts match but reveal the ending" in html
    assert result_keys(html) == [fact.key for fact in facts]

    FactFactory.create_batch(3, film=facts[0].film, topic=topic)
    assert summary(page(client, f"topic={topic.slug}")) == f"5+ facts under {topic.name}."


@pytest.mark.skipif("connection.vendor != 'sqlite'", reason="a SQLite query plan")
def test_sqlite_reads_the_newest_published_facts_from_the_index_without_sorting_them():
    FactFactory()
    newest = Fact.objects.published().filter(is_spoiler=False).order_by("-published_at", "-pk")
    steps = query_plan(newest.values("pk")[:1001], "EXPLAIN QUERY PLAN ")
    assert not any("TEMP B-TREE" in step for step in steps), steps


@pytest.mark.skipif("connection.vendor != 'sqlite'", reason="a SQLite query plan")
def test_sqlite_reads_a_topics_newest_facts_from_the_topic_index():
    """A topic of four facts read every published fact newest first looking for them (29 ms at 100,000)."""
    fact = FactFactory()
    filterset = FactFilter(QueryDict(f"topic={fact.topic.slug}"))
    assert filterset.is_valid()
    newest = search_selectors._newest(filterset, filterset.qs)
    steps = query_plan(newest.values("pk")[:1001], "EXPLAIN QUERY PLAN ")
    assert steps[0].startswith("SEARCH trivia_fact USING INDEX fact_topic_newest_idx (topic_id=? AND status=?)"), steps
    assert not any("TEMP B-TREE" in step for step in steps), steps


# --- One read or counted: the same page -----------------------------------------------------------


@pytest.mark.parametrize("limit, rank_limit", [(5, 1000), (1000, 1000), (5, 5), (1000, 5)])
@pytest.mark.parametrize(
    "query",
    [
        "q=ballet",
        "q=ballet&page=2",
        "q=ballet&ordering=film&page=2",
        "q=ballet&spoilers=include",
        "",
        "ordering=film&page=2",
        "spoilers=include&page=2",
    ],
)
def test_the_one_read_shows_the_page_the_counted_path_shows(monkeypatch, query, limit, rank_limit):
    """The page read in one query (selectors/search.py) is the counted path's: facts, order, counts, spoilers,
    and whether they were ranked (on SQLite, words in more facts than it ranks are listed newest first)."""
    monkeypatch.setattr(search_selectors, "MATCH_LIMIT", limit)
    monkeypatch.setattr(search, "SQLITE_RANK_LIMIT", rank_limit)
    monkeypatch.setattr(search_selectors, "PAGE_SIZE", 3)
    ballet_facts(8)
    ballet_facts(3, is_spoiler=True)
    ballet_facts(2)  # another film, so the film order differs from the order of the ids
    filterset = FactFilter(QueryDict(query))
    assert filterset.is_valid()
    matches = filterset.qs
    include = filterset.form.cleaned_data["spoilers"] == SPOILERS_INCLUDE
    by_relevance = bool(filterset.terms) and filterset.form.cleaned_data["ordering"] == ORDER_RELEVANCE
    raw_page = QueryDict(query).get("page")

    one_read = search_selectors._page_in_one_read(filterset, matches, include, raw_page, by_relevance)
    counted = search_selectors._counted_page(filterset, matches, include, raw_page, by_relevance)

    assert one_read is not None and one_read[1]
    window, page_ids, hidden, capped, tokens, ranked = one_read
    assert (window, page_ids, hidden, capped, ranked) == (*counted[:4], counted[5])
    assert tokens == {fact.pk: fact.display_token for fact in with_tokens(Fact.objects.filter(pk__in=page_ids))}


def test_a_page_past_the_last_is_left_to_the_counted_path(limit_of_five):
    ballet_facts(3)
    filterset = FactFilter(QueryDict("q=ballet&page=2"))
    assert filterset.is_valid()
    assert search_selectors._page_in_one_read(filterset, filterset.qs, False, "2", True) is None
    assert search_selectors._bounded_page(filterset, filterset.qs, False, "2")[0].number == 1
