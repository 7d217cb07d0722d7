"""The demo-data generator: sound citations, the same data from the same seed, seed data left alone."""

from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from tests.factories import TopicFactory
from trivia import integrity, search, text
from trivia.demo.planning import DEMO_PREFIX
from trivia.demo.writing import generate_demo_data
from trivia.models import Citation, Credit, Fact, Film, Person, Source, Topic

pytestmark = pytest.mark.django_db


def snapshot():
    """Every demo row as plain values, ordered by unique keys: what "the same data" means (timestamps aside).

    Explicit orders throughout: PostgreSQL returns ties (two films of the same title and year) in any order.
    """
    facts = Fact.objects.filter(key__startswith=DEMO_PREFIX).order_by("key")
    return {
        "films": list(
            Film.objects.filter(slug__startswith=DEMO_PREFIX).order_by("slug").values_list("slug", "title", "year")
        ),
        "people": list(
            Person.objects.filter(slug__startswith=DEMO_PREFIX).order_by("slug").values_list("slug", "name", "kind")
        ),
        "credits": list(
            Credit.objects.filter(film__slug__startswith=DEMO_PREFIX)
            .order_by("film__slug", "order")
            .values_list("film__slug", "person__slug", "role", "character")
        ),
        "sources": list(
            Source.objects.filter(slug__startswith=DEMO_PREFIX).order_by("slug").values_list("slug", "title", "sha256")
        ),
        "facts": list(
            facts.values_list("key", "film__slug", "topic__slug", "text", "is_spoiler", "status", "position")
        ),
        "people_of_facts": list(
            facts.filter(people__isnull=False).order_by("key", "people__slug").values_list("key", "people__slug")
        ),
        "citations": list(
            Citation.objects.filter(fact__key__startswith=DEMO_PREFIX)
            .order_by("fact__key", "start", "end")
            .values_list("fact__key", "source__slug", "quote", "start", "end", "paragraph")
        ),
    }


def test_every_generated_citation_satisfies_the_invariant_like_the_seed():
    generate_demo_data(films=4, facts=150, seed=3)
    citations = Citation.objects.filter(fact__key__startswith=DEMO_PREFIX).select_related("source")
    assert citations.count() >= 150
    for citation in citations:
        assert citation.source.content[citation.start : citation.end] == citation.quote
        assert citation.paragraph == text.paragraph_number(citation.source.content, citation.start)
        assert not citation.is_broken
        # The checks an editor's save runs pass too (bulk_create skipped them).
        assert integrity.citation_problems(citation, citation.source.content) == {}
        citation.full_clean()


def test_generated_sources_keep_their_fingerprint_and_have_paragraphs():
    generate_demo_data(films=2, facts=80, seed=1)
    for source in Source.objects.filter(slug__startswith=DEMO_PREFIX):
        assert source.sha256 == text.sha256_hex(source.content)
        assert len(source.paragraphs()) > 1
        source.full_clean()


def test_every_generated_fact_is_published_cited_and_names_its_people():
    generate_demo_data(films=3, facts=90, seed=2)
    facts = Fact.objects.filter(key__startswith=DEMO_PREFIX).prefetch_related("people", "citations")
    assert facts.count() == 90
    for fact in facts:
        assert fact.status == Fact.Status.PUBLISHED
        assert fact.citations.all(), fact.key
        for person in fact.people.all():
            assert person.name in fact.text
        fact.full_clean()


def test_a_film_never_states_the_same_fact_twice():
    """A 1,000-fact film drawn from a few dozen templates repeated claims word for word before."""
    generate_demo_data(films=1, facts=600, seed=9)
    texts = list(Fact.objects.filter(key__startswith=DEMO_PREFIX).values_list("text", flat=True))
    assert len(texts) == len(set(texts)) == 600


def test_spoilers_are_the_facts_about_endings():
    generate_demo_data(films=3, facts=300, seed=4)
    spoilers = Fact.objects.filter(key__startswith=DEMO_PREFIX, is_spoiler=True)
    assert spoilers.exists()
    assert set(spoilers.values_list("topic__slug", flat=True)) == {"demo-ending"}


def test_generated_facts_are_found_by_search():
    generate_demo_data(films=2, facts=60, seed=5)
    fact = Fact.objects.filter(key__startswith=DEMO_PREFIX, people__isnull=False).first()
    person = fact.people.first()
    quote = fact.citations.first().quote
    assert fact.search_document == search.build_search_document(
        fact.text, list(fact.people.order_by("name").values_list("name", flat=True)), [quote]
    )
    assert fact in search.search_facts(Fact.objects.published(), person.name)


def test_the_same_seed_gives_the_same_data():
    generate_demo_data(films=3, facts=120, seed=42)
    first = snapshot()
    generate_demo_data(films=3, facts=120, seed=42)
    assert snapshot() == first


def test_a_different_seed_gives_different_data():
    generate_demo_data(films=3, facts=120, seed=1)
    first = snapshot()
    generate_demo_data(films=3, facts=120, seed=2)
    assert snapshot()["facts"] != first["facts"]


def test_rerunning_replaces_the_demo_data_instead_of_adding_to_it():
    generate_demo_data(films=3, facts=100, seed=1)
    generate_demo_data(films=2, facts=40, seed=1)
    assert Film.objects.filter(slug__startswith=DEMO_PREFIX).count() == 2
    assert Fact.objects.filter(key__startswith=DEMO_PREFIX).count() == 40


def test_the_first_film_is_the_big_one():
    report = generate_demo_data(films=5, facts=400, seed=0, big_film_facts=150)
    big = Film.objects.get(slug=report.big_film)
    assert big.facts.count() == report.big_film_facts == 150
    others = Film.objects.filter(slug__startswith=DEMO_PREFIX).exclude(pk=big.pk)
    assert all(film.facts.count() < 150 for film in others)


def test_seeded_data_is_left_alone(seeded):
    seeded_facts = list(Fact.objects.order_by("key").values_list("key", "text", "film__slug", "topic__slug"))
    seeded_citations = Citation.objects.count()
    generate_demo_data(films=2, facts=50, seed=1)
    generate_demo_data(films=0, facts=0)
    assert list(Fact.objects.order_by("key").values_list("key", "text", "film__slug", "topic__slug")) == seeded_facts
    assert Citation.objects.count() == seeded_citations
    assert Film.objects.filter(slug="the-red-shoes-1948").exists()
    assert Topic.objects.filter(slug__startswith=DEMO_PREFIX).count() == 0


def test_the_command_reports_what_it_created():
    out = StringIO()
    call_command("generate_demo_data", "--films", "2", "--facts", "30", "--seed", "7", stdout=out)
    assert "2 films" in out.getvalue()
    assert "30 facts" in out.getvalue()
    assert Fact.objects.filter(key__startswith=DEMO_PREFIX).count() == 30


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--films", "2", "--facts", "-1"], "--facts must be 0 or more"),
        (["--films", "-3", "--facts", "10"], "--films must be 0 or more"),
        (["--films", "0", "--facts", "10"], "need at least one film"),
        (["--films", "2", "--facts", "10", "--big-film-facts", "-5"], "--big-film-facts must be 0 or more"),
    ],
)
def test_a_bad_argument_is_a_command_error_and_keeps_the_old_demo_data(arguments, message):
    generate_demo_data(films=1, facts=5, seed=0)
    with pytest.raises(CommandError, match=message):
        call_command("generate_demo_data", *arguments, stdout=StringIO())
    assert Fact.objects.filter(key__startswith=DEMO_PREFIX).count() == 5


def test_a_topic_name_already_taken_is_a_command_error_with_nothing_written():
    TopicFactory(name="Casting", slug="casting")
    with pytest.raises(CommandError, match="Casting"):
        call_command("generate_demo_data", "--films", "1", "--facts", "5", stdout=StringIO())
    assert not Fact.objects.filter(key__startswith=DEMO_PREFIX).exists()
    assert not Person.objects.filter(slug__startswith=DEMO_PREFIX).exists()


def test_demo_rows_another_fact_depends_on_are_not_deleted(seeded):
    generate_demo_data(films=1, facts=5, seed=0)
    demo_source = Source.objects.filter(slug__startswith=DEMO_PREFIX).first()
    seeded_fact = Fact.objects.exclude(key__startswith=DEMO_PREFIX).first()
    Citation.objects.create(fact=seeded_fact, source=demo_source, quote=demo_source.content[:10], start=0, end=10)
    with pytest.raises(CommandError, match="still refers to a demo row"):
        call_command("generate_demo_data", "--films", "1", "--facts", "5", stdout=StringIO())
    assert Fact.objects.filter(key__startswith=DEMO_PREFIX).count() == 5


def test_a_tampered_quote_would_fail_the_integrity_check():
    """The integrity test above must be able to fail: a shifted offset is caught."""
    generate_demo_data(films=1, facts=5, seed=0)
    citation = Citation.objects.filter(fact__key__startswith=DEMO_PREFIX).select_related("source").first()
    citation.start += 1
    with pytest.raises(ValidationError):
        citation.full_clean()
