"""PostgreSQL finds the newest facts holding a word of middling frequency a bucket of ids at a time (issue 16).

search.newest_first reads the recent-lexemes index (migration 0012) from the newest bucket
down and stops at the limit, instead of walking the primary key past tens of thousands of
facts. It must find exactly the facts the walk finds, in the same order, whatever the
filters; these tests put facts in several buckets (16,384 ids each) by giving them ids.
"""

import pytest
from django.db import connection
from django.http import QueryDict

from tests.factories import FactFactory, FilmFactory, TopicFactory
from tests.test_search import query_plan
from trivia import search
from trivia.filters import ORDER_RELEVANCE, SPOILERS_INCLUDE, FactFilter
from trivia.models import Fact
from trivia.selectors import search as search_selectors

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif("connection.vendor != 'postgresql'", reason="the recent-lexemes index is PostgreSQL's"),
]

BUCKET = 1 << search.POSTGRES_RECENT_BUCKET_BITS


@pytest.fixture
def spread():
    """Facts in buckets 0, 1, 3 and 5: "ballet" in most, "lisbon" in some, a few spoilers and drafts, two films."""
    films, topic = [FilmFactory(), FilmFactory()], TopicFactory()
    facts = []
    for bucket in (0, 1, 3, 5):
        for n in range(7):
            words = "Ballet. " * (1 + n % 3) + ("Lisbon premiere. " if n % 2 else "")
            facts.append(
                FactFactory(
                    pk=bucket * BUCKET + 100 + n,
                    film=films[n % 2],
                    topic=topic,
                    position=bucket * 10 + n,
                    text=f"{words}Fact {bucket}-{n}.",
                    is_spoiler=n == 5,
                    status=Fact.Status.DRAFT if n == 6 else Fact.Status.PUBLISHED,
                )
            )
    return facts


def both_ways(monkeypatch, make):
    """What `make()` returns with the buckets, then with the walk, asserting the buckets were used."""
    monkeypatch.setattr(search, "_buckets_are_shorter", lambda *args: True)
    with_buckets = make()
    monkeypatch.setattr(search, "_buckets_are_shorter", lambda *args: False)
    return with_buckets, make()


@pytest.mark.parametrize("limit", [1, 2, 5, 11, 1000])
@pytest.mark.parametrize("q", ["ballet", "lisbon", "ballet lisbon", "premiere ballet", "nowhere"])
@pytest.mark.parametrize("spoilers", [True, False])
def test_the_buckets_find_the_newest_matches_the_walk_finds(monkeypatch, spread, limit, q, spoilers):
    FactFactory(text="Ballet in Lisbon, the newest.", pk=7 * BUCKET + 1)  # a bucket of one fact
    facts = Fact.objects.published() if spoilers else Fact.objects.published().filter(is_spoiler=False)
    terms = search.query_terms(q)

    def newest():
        queryset = search.newest_first(search.search_facts(facts, q), terms, limit=limit)
        return list(queryset.values_list("pk", flat=True)[:limit]), str(queryset.query)

    (from_buckets, sql), (walked, _) = both_ways(monkeypatch, newest)
    assert search.POSTGRES_RECENT_QUERY in sql
    assert from_buckets == walked
    assert len(walked) == min(limit, facts.filter(pk__in=search.search_facts(facts, q).values("pk")).count())


@pytest.mark.parametrize(
    "query",
    ["q=ballet", "q=ballet&page=2", "q=lisbon&ordering=film", "q=ballet&spoilers=include&page=2", "q=lisbon+ballet"],
)
@pytest.mark.parametrize("limit", [4, 1000])
def test_a_search_page_is_the_same_read_from_buckets(monkeypatch, spread, query, limit):
    """The whole page (its facts, order, count, hidden spoilers), one read and counted path alike."""
    monkeypatch.setattr(search_selectors, "MATCH_LIMIT", limit)
    monkeypatch.setattr(search_selectors, "PAGE_SIZE", 3)

    def pages():
        filterset = FactFilter(QueryDict(query))
        assert filterset.is_valid()
        include = filterset.form.cleaned_data["spoilers"] == SPOILERS_INCLUDE
        by_relevance = filterset.form.cleaned_data["ordering"] == ORDER_RELEVANCE
        raw_page = QueryDict(query).get("page")
        one_read = search_selectors._page_in_one_read(filterset, filterset.qs, include, raw_page, by_relevance)
        counted = search_selectors._counted_page(filterset, filterset.qs, include, raw_page, by_relevance)
        return one_read, counted[:4]

    (one_read, counted), walked = both_ways(monkeypatch, pages)
    assert one_read is not None
    assert one_read[:4] == counted == walked[0][:4] == walked[1]


def test_a_film_or_topic_narrowed_search_keeps_its_own_indexes(monkeypatch, spread):
    monkeypatch.setattr(search, "_buckets_are_shorter", lambda *args: True)
    film = spread[0].film
    filterset = FactFilter(QueryDict(f"q=ballet&film={film.slug}"))
    assert filterset.is_valid() and filterset.narrowed
    assert search.POSTGRES_RECENT_QUERY not in str(search_selectors._newest(filterset, filterset.qs).query)
    plain = FactFilter(QueryDict("q=ballet"))
    assert plain.is_valid() and not plain.narrowed
    assert search.POSTGRES_RECENT_QUERY in str(search_selectors._newest(plain, plain.qs).query)


def test_the_bucket_query_is_read_from_the_recent_lexemes_index(monkeypatch, spread):
    monkeypatch.setattr(search, "_buckets_are_shorter", lambda *args: True)
    queryset = search.newest_first(search.search_facts(Fact.objects.all(), "lisbon"), ["lisbon"], limit=3)
    # A few dozen facts would be read whole; as on a large table, no scan of the whole table.
    plan = "\n".join(query_plan(queryset[:3], "EXPLAIN ", setup="SET enable_seqscan = off"))
    assert search.POSTGRES_RECENT_INDEX in plan
    # Each bucket tests the stored vector row by row: the whole word's GIN bitmap is never read for a bucket.
    assert "IS TRUE" in plan


def test_the_bucket_query_rewrites_every_lexeme_and_keeps_the_operators():
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {search.POSTGRES_RECENT_QUERY}(3, to_tsquery('simple', %s))::text", ["'ballet' & 'lisb':* & 'x'"]
        )
        assert cursor.fetchone()[0] == "'3~ballet' & '3~lisb':* & '3~x'"
        vector = f"{search.POSTGRES_RECENT_LEXEMES}(%s, to_tsvector('simple', 'Ballet in Lisbon'))"
        cursor.execute(f"SELECT {vector}::text", [BUCKET * 2 + 9])
        assert cursor.fetchone()[0] == "'2~ballet' '2~in' '2~lisbon'"


@pytest.mark.parametrize(
    "terms, shares, expected",
    [
        (["lisbon"], {"lisbon": 0.026}, True),  # 26,000 of a million facts: buckets
        (["scene"], {"scene": 0.38}, False),  # the walk meets 1,001 matches within 2,700 facts
        (["heckroth"], {"lisbon": 0.026}, False),  # not among the common words: GIN finds its few facts
        (["lisbon", "vienna"], {"lisbon": 0.026, "vienna": 0.028}, False),  # both: about 730 facts, GIN
        (["lisbon", "scene"], {"lisbon": 0.026, "scene": 0.38}, True),  # both: about 9,900 facts
        (["lisb*"], {"lisbon": 0.026}, False),  # a prefix: how many words it stands for is not known
    ],
)
def test_buckets_are_chosen_for_words_neither_rare_nor_common(monkeypatch, terms, shares, expected):
    monkeypatch.setattr(search, "_word_shares", lambda using: (1_000_000.0, shares))
    assert search._buckets_are_shorter("default", terms, 1001) is expected


def test_the_word_shares_come_from_the_planners_statistics(monkeypatch):
    film, topic = FilmFactory(), TopicFactory()
    for n in range(40):
        FactFactory(film=film, topic=topic, text=f"Ballet rehearsal {n}." + (" Lisbon." if n % 4 == 0 else ""))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE trivia_fact")
    monkeypatch.setattr(search, "_shares_read", {})
    facts, shares = search._word_shares("default")
    assert facts == Fact.objects.count()
    assert shares["ballet"] == pytest.approx(1.0)
    assert shares["lisbon"] == pytest.approx(10 / facts)


def test_the_connection_never_compiles_queries_just_in_time():
    """The bucket query's estimate (a series of unknown length) would otherwise cost 300 ms of compiling."""
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"


@pytest.mark.parametrize(
    "q",
    [
        "it's",  # a quote inside the lexeme, doubled in the query's text form
        "o'brien ballet",
        "x" * 64,
        "9" * 40,
        "héckroth",  # folded before it reaches the database
        "北京 ballet",
        "ballet\\",
        "ballet | lisbon",  # operators from a reader are words' separators, never syntax
        "Lisbon!!! <-> :* & ballet",
    ],
)
def test_any_words_read_from_buckets_find_what_the_walk_finds(monkeypatch, spread, q):
    FactFactory(text="It's O'Brien in Lisbon, 北京, ballet.", pk=6 * BUCKET + 3)
    terms = search.query_terms(q)

    def newest():
        queryset = search.newest_first(search.search_facts(Fact.objects.published(), q), terms, limit=4)
        return list(queryset.values_list("pk", flat=True)[:4]), str(queryset.query)

    (from_buckets, sql), (walked, _) = both_ways(monkeypatch, newest)
    assert search.POSTGRES_RECENT_QUERY in sql
    assert from_buckets == walked
