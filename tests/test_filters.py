"""The /facts/ FilterSet: each filter alone and combined, defaults, ordering and bad values."""

import pytest
from django.http import QueryDict

from tests.factories import CitationFactory, FactFactory, FilmFactory, PersonFactory, SourceFactory, TopicFactory
from trivia.filters import FactFilter
from trivia.models import Fact
from trivia.selectors.search import choose_results, search_results

pytestmark = pytest.mark.django_db


def keys(query: str) -> list[str]:
    filterset = FactFilter(QueryDict(query))
    assert filterset.is_valid(), filterset.errors
    return [fact.key for fact in filterset.qs]


def errors(query: str) -> dict:
    filterset = FactFilter(QueryDict(query))
    assert not filterset.is_valid()
    return filterset.errors


@pytest.fixture
def archive():
    """Two films, two topics, two people, two sources; one fact of each combination that matters."""
    red, tales = FilmFactory(title="The Red Shoes", year=1948), FilmFactory(title="Tales of Hoffmann", year=1951)
    production, ending = TopicFactory(name="Production", order=1), TopicFactory(name="Ending", order=2)
    moira, heckroth = (
        PersonFactory(name="Moira Shearer", slug="moira-shearer"),
        PersonFactory(name="Hein Heckroth", slug="hein-heckroth"),
    )
    notes, book = SourceFactory(slug="notes", title="Notes"), SourceFactory(slug="book", title="The Book")
    facts = {
        "red-production": FactFactory(key="red-production", film=red, topic=production, text="Ballet paintings."),
        "red-ending": FactFactory(
            key="red-ending", film=red, topic=ending, is_spoiler=True, text="The ballet ends on the tracks."
        ),
        "tales-production": FactFactory(
            key="tales-production", film=tales, topic=production, text="Another ballet film.", people=[heckroth]
        ),
        "tales-moira": FactFactory(
            key="tales-moira", film=tales, topic=production, text="She danced again.", people=[moira, heckroth]
        ),
        "red-draft": FactFactory(
            key="red-draft", film=red, topic=production, status=Fact.Status.DRAFT, text="Ballet draft."
        ),
    }
    CitationFactory(fact=facts["red-production"], source=notes)
    # Two quotes from one source: the fact must still be listed once.
    CitationFactory(fact=facts["tales-moira"], source=book)
    CitationFactory(
        fact=facts["tales-moira"], source=book, quote="A painter designed every backdrop of the long dream sequence"
    )
    return facts


def test_no_filters_lists_published_facts_without_spoilers_by_film_title_then_topic_order(archive):
    assert keys("") == ["tales-production", "tales-moira", "red-production"]


def test_spoilers_include_lists_them_too(archive):
    assert keys("spoilers=include") == ["tales-production", "tales-moira", "red-production", "red-ending"]


def test_spoilers_hide_is_the_default(archive):
    assert keys("spoilers=hide") == keys("")


def test_film_filter(archive):
    assert keys("film=the-red-shoes-1948&spoilers=include") == ["red-production", "red-ending"]


def test_topic_filter(archive):
    assert keys("topic=ending&spoilers=include") == ["red-ending"]


def test_person_filter(archive):
    assert keys("person=moira-shearer") == ["tales-moira"]
    assert keys("person=hein-heckroth") == ["tales-production", "tales-moira"]


def test_source_filter_lists_a_fact_quoting_the_source_twice_once(archive):
    assert keys("source=book") == ["tales-moira"]
    assert keys("source=notes") == ["red-production"]


def test_q_filter(archive):
    assert set(keys("q=ballet")) == {"red-production", "tales-production"}


def test_q_filter_by_a_name_and_a_quote(archive):
    assert keys("q=moira") == ["tales-moira"]
    assert keys("q=backdrop") == ["tales-moira"]


def test_drafts_are_never_listed(archive):
    assert "red-draft" not in keys("q=draft&spoilers=include")
    assert "red-draft" not in keys("spoilers=include")


def test_filters_combine(archive):
    assert keys("q=ballet&film=tales-of-hoffmann-1951") == ["tales-production"]
    assert keys("person=hein-heckroth&source=book") == ["tales-moira"]
    assert keys("film=the-red-shoes-1948&topic=ending") == []
    assert keys("film=the-red-shoes-1948&topic=ending&spoilers=include&q=tracks") == ["red-ending"]
    assert keys("q=ballet&topic=production&person=hein-heckroth&film=tales-of-hoffmann-1951") == ["tales-production"]


def test_relevance_is_the_default_order_with_q_and_film_order_can_be_chosen(archive):
    tales = archive["tales-production"]
    FactFactory(key="ballet-thrice", film=tales.film, topic=tales.topic, text="Ballet, ballet, ballet.")
    assert keys("q=ballet")[0] == "ballet-thrice"
    assert keys("q=ballet&ordering=film") == ["tales-production", "ballet-thrice", "red-production"]


def test_relevance_order_without_q_falls_back_to_film_order(archive):
    assert keys("ordering=relevance") == keys("")


@pytest.mark.parametrize(
    "query, field",
    [
        ("film=no-such-film", "film"),
        ("topic=nope", "topic"),
        ("person=nobody", "person"),
        ("source=missing", "source"),
        ("spoilers=maybe", "spoilers"),
        ("ordering=price", "ordering"),
        ("q=%22*%28-", "q"),
        ("q=a%00b", "q"),
        ("q=" + "x" * 1001, "q"),
        ("film=%00", "film"),
        ("person=" + "p" * 5000, "person"),
    ],
)
def test_invalid_values_are_form_errors_with_a_message(archive, query, field):
    found = errors(query)
    assert list(found) == [field]
    assert found[field][0]


def test_unknown_slug_message_names_the_value(archive):
    assert errors("person=nobody")["person"] == ["There is no person called “nobody”."]


def test_repeated_parameters_use_the_last_value(archive):
    assert keys("film=no-such-film&film=the-red-shoes-1948") == ["red-production"]


def test_unknown_parameters_are_ignored(archive):
    assert keys("colour=red&utm_source=x") == keys("")


def test_describe_names_the_narrowing_filters(archive):
    filterset = FactFilter(QueryDict("film=the-red-shoes-1948&topic=production&person=moira-shearer&source=book"))
    assert filterset.is_valid()
    assert (
        filterset.describe() == "in The Red Shoes (1948), under Production, mentioning Moira Shearer, citing The Book"
    )


def test_canonical_query_keeps_only_meaningful_values(archive):
    filterset = FactFilter(QueryDict("q=ballet&film=the-red-shoes-1948&spoilers=hide&ordering=relevance&junk=1"))
    assert filterset.is_valid()
    assert filterset.canonical_query() == "q=ballet&film=the-red-shoes-1948"
    assert filterset.canonical_query(page_number=3) == "q=ballet&film=the-red-shoes-1948&page=3"


def results_for(query: str):
    filterset = FactFilter(QueryDict(query))
    return search_results(filterset, choose_results(filterset))


def test_results_count_shown_facts_and_hidden_spoilers(archive):
    results = results_for("q=ballet")
    assert results.count == 2
    assert results.hidden_spoilers == 1
    assert results.summary == "2 facts match “ballet”."


def test_results_summary_for_one_and_for_none(archive):
    assert results_for("q=tracks").summary == "No facts match “tracks”."
    one = results_for("q=tracks&spoilers=include")
    assert one.summary == "1 fact matches “tracks”."
    assert results_for("topic=production").summary == "3 facts under Production."


@pytest.mark.parametrize(
    "typed",
    ["moira-shearer", "Moira Shearer", "MOIRA SHEARER", "  moira   shearer ", "Moïra Shéarer", "shearer", "Moi"],
)
def test_a_person_is_found_by_what_a_reader_types(archive, typed):
    """The slug still works; so does the name in any case, accents folded, or a word of it that fits only them."""
    assert keys(f"person={typed}") == ["tales-moira"]


def test_a_source_is_found_by_its_title_or_a_word_of_it(archive):
    assert keys("source=The Book") == ["tales-moira"]
    assert keys("source=book") == ["tales-moira"]
    assert keys("source=NOTES") == ["red-production"]


def test_a_name_that_fits_several_is_an_error_listing_them(archive):
    PersonFactory(name="Moira Lister", slug="moira-lister")
    filterset = FactFilter(QueryDict("person=moira"))

    assert not filterset.is_valid()
    assert filterset.errors["person"] == ["“moira” fits more than one person: choose one below."]
    assert [person.name for person in filterset.candidates()["person"]] == ["Moira Lister", "Moira Shearer"]


def test_a_full_name_wins_over_longer_names_that_start_the_same(archive):
    PersonFactory(name="Moira Shearer King", slug="moira-shearer-king")
    assert keys("person=moira shearer") == ["tales-moira"]


def test_the_box_shows_the_full_name_of_what_was_found(archive):
    filterset = FactFilter(QueryDict("person=heckroth&source=book"))
    assert filterset.is_valid()
    assert filterset.form["person"].value() == "Hein Heckroth"
    assert filterset.form["source"].value() == "The Book"
    assert filterset.canonical_query() == "person=hein-heckroth&source=book"
