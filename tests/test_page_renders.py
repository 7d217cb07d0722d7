"""Pages kept under their inputs (trivia/page_renders.py): an edit elsewhere costs a page nothing, and
every change to something a page shows gives it a new render.

Each test reads a page, writes the way editors, bulk actions and loads do, and reads it
again: `X-Render` says whether the kept render was reused, and the page must show what the
rows say now. The page cache stays off here (the suite's setting), so every request
reaches the view; tests/test_fragments.py runs the same kinds of write with it on.
"""

import pytest
from django.core.cache import caches
from django.db import connection
from django.urls import reverse

from tests.factories import (
    CitationFactory,
    CreditFactory,
    FactFactory,
    FilmFactory,
    PersonFactory,
    SourceFactory,
    TopicFactory,
)
from trivia import fact_tokens
from trivia.models import Citation, Credit, Fact, Film, Person, Source, Topic
from trivia.page_renders import RENDER_CACHE_ALIAS, RENDERED, REUSED

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def renders_empty():
    caches[RENDER_CACHE_ALIAS].clear()
    yield
    caches[RENDER_CACHE_ALIAS].clear()


@pytest.fixture
def film_page():
    """A film with two cited facts about a credited person, and another film."""
    person = PersonFactory(name="Moira Shearer", slug="moira-shearer")
    film = FilmFactory(title="The Red Shoes", year=1948)
    CreditFactory(film=film, person=person, character="Victoria Page")
    topic = TopicFactory(name="Casting", slug="casting")
    source = SourceFactory(title="Production notes")
    facts = []
    for position, text in enumerate(["She was cast first.", "She danced the ballet."], start=1):
        fact = FactFactory(film=film, topic=topic, text=text, position=position)
        fact.people.add(person)
        CitationFactory(fact=fact, source=source)
        facts.append(fact)
    elsewhere = FilmFactory(title="Black Narcissus", year=1947)
    other = FactFactory(film=elsewhere, topic=TopicFactory(name="Filming"), text="Shot at Pinewood.")
    return film, person, topic, source, facts, other


def read(client, url, expected=None, user_client=None):
    response = (user_client or client).get(url)
    assert response.status_code == 200, url
    if expected is not None:
        assert response["X-Render"] == expected, url
    return response.content.decode()


def urls(film, person, topic, source, facts) -> list[str]:
    return [
        film.get_absolute_url(),
        person.get_absolute_url(),
        topic.get_absolute_url(),
        facts[0].get_absolute_url(),
        source.get_absolute_url(),
        f"{reverse('trivia:fact_list')}?q=ballet",
        reverse("trivia:home"),
    ]


def test_an_edit_elsewhere_reuses_every_page_byte_for_byte(client, film_page):
    film, person, topic, source, facts, other = film_page
    pages = urls(film, person, topic, source, facts)
    first = [read(client, url, RENDERED) for url in pages]
    Fact.objects.filter(pk=other.pk).update(position=other.position + 1)  # not shown on these pages

    assert [read(client, url, REUSED) for url in pages] == first


def test_a_reused_page_is_what_a_fresh_render_writes(client, film_page):
    film, person, topic, source, facts, _ = film_page
    pages = urls(film, person, topic, source, facts)
    reused = [read(client, url) for url in pages] and [read(client, url, REUSED) for url in pages]
    caches[RENDER_CACHE_ALIAS].clear()

    assert [read(client, url, RENDERED) for url in pages] == reused


EDITS = {
    "the fact's text": lambda f: Fact.objects.filter(pk=f["facts"][0].pk).update(text="She was cast at last."),
    "a citation broken": lambda f: Citation.objects.filter(fact=f["facts"][0]).update(is_broken=True),
    "a person's name": lambda f: Person.objects.filter(pk=f["person"].pk).update(name="Moira Shearer King"),
    "a topic's name": lambda f: Topic.objects.filter(pk=f["topic"].pk).update(name="Who played whom"),
    "the film's title": lambda f: Film.objects.filter(pk=f["film"].pk).update(title="The Red Shoes (restored)"),
    "a source's title": lambda f: Source.objects.filter(pk=f["source"].pk).update(title="Notes, revised"),
    "a person unlinked": lambda f: f["facts"][0].people.clear(),
    "a fact unpublished": lambda f: Fact.objects.filter(pk=f["facts"][0].pk).update(status="draft"),
    "a fact deleted": lambda f: Fact.objects.filter(pk=f["facts"][0].pk).delete(),
}


@pytest.mark.parametrize("what", EDITS)
def test_a_change_to_what_a_page_shows_renders_it_again(client, film_page, what):
    film, person, topic, source, facts, _ = film_page
    named = {"film": film, "person": person, "topic": topic, "source": source, "facts": facts}
    pages = [film.get_absolute_url(), person.get_absolute_url(), topic.get_absolute_url(), source.get_absolute_url()]
    before = [read(client, url) for url in pages]

    EDITS[what](named)

    after = [read(client, url, RENDERED) for url in pages]  # each shows one of the facts changed
    assert after[0] != before[0]  # the film page shows all of it: text, notes, people, topic, title


def test_credits_and_the_film_row_are_inputs_of_the_film_page(client, film_page):
    film, person, *_ = film_page
    read(client, film.get_absolute_url())
    Credit.objects.filter(film=film).update(character="Vicky Page")
    assert "Vicky Page" in read(client, film.get_absolute_url(), RENDERED)
    Film.objects.filter(pk=film.pk).update(description="A ballet film.")
    assert "A ballet film." in read(client, film.get_absolute_url(), RENDERED)
    assert "A ballet film." in read(client, film.get_absolute_url(), REUSED)


def test_a_new_fact_under_the_topic_is_counted_and_shown(client, film_page):
    film, _, topic, *_ = film_page
    read(client, topic.get_absolute_url())
    FactFactory(film=FilmFactory(title="Zzz", year=1990), topic=topic, text="A late fact.")
    page = read(client, topic.get_absolute_url(), RENDERED)
    assert "3 facts" in page and "A late fact." in page


def test_a_renamed_topic_shows_in_the_search_forms_list(client, film_page):
    url = f"{reverse('trivia:fact_list')}?q=nothing-matches-this"
    read(client, url)
    Topic.objects.filter(pk=film_page[2].pk).update(name="Who played whom")
    assert ">Who played whom</option>" in read(client, url, RENDERED)


def test_a_film_chosen_by_address_shows_its_current_title(client, film_page):
    film = film_page[0]
    url = f"{reverse('trivia:fact_list')}?film={film.slug}"
    read(client, url)
    Film.objects.filter(pk=film.pk).update(title="The Red Shoes (restored)")
    assert "The Red Shoes (restored)" in read(client, url, RENDERED)


def test_staff_and_readers_never_share_a_render(client, admin_client, film_page):
    film, *_ = film_page
    FactFactory(film=film, topic=film_page[2], text="A draft about the ballet.", status=Fact.Status.DRAFT)
    assert "A draft about the ballet." not in read(client, film.get_absolute_url())
    assert "A draft about the ballet." in read(client, film.get_absolute_url(), RENDERED, admin_client)
    assert "A draft about the ballet." not in read(client, film.get_absolute_url(), REUSED)


def test_a_click_through_source_page_is_rendered_each_time(client, film_page):
    _, _, _, source, facts, _ = film_page
    url = f"{source.get_absolute_url()}?for={facts[0].key}&note=1&from=fact"
    read(client, url, RENDERED)
    read(client, url, RENDERED)


def test_a_fact_without_a_token_is_rendered_and_never_kept(client, film_page):
    film, *_ = film_page
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {fact_tokens.TOKEN_TABLE} WHERE fact_id = %s", [film_page[4][0].pk])
    read(client, film.get_absolute_url(), RENDERED)
    read(client, film.get_absolute_url(), RENDERED)
    assert fact_tokens.problems()  # check_citations says so
    fact_tokens.fill_missing(connection)


def test_renders_can_be_switched_off(client, film_page, settings):
    off = {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}
    settings.CACHES = {**settings.CACHES, RENDER_CACHE_ALIAS: off}
    url = film_page[0].get_absolute_url()
    read(client, url, RENDERED)
    read(client, url, RENDERED)


def test_a_missing_page_is_not_kept(client, db):
    assert client.get("/facts/no-such-fact/").status_code == 404
    assert client.get("/facts/no-such-fact/").status_code == 404
    assert not caches[RENDER_CACHE_ALIAS]._cache
