"""Kept fact list items (trivia/fragments.py): after any write, every page shows what the rows say now.

Each test warms the fragment cache and the page cache by visiting the pages first, then
writes the way editors, bulk actions and loads do, and reads the pages again as a reader.
"""

import json
import re
from io import StringIO

import pytest
from django.core.cache import caches
from django.core.management import call_command
from django.urls import reverse

from tests.factories import CitationFactory, FactFactory, FilmFactory, PersonFactory, SourceFactory, TopicFactory
from trivia import bulk
from trivia.fragments import FRAGMENT_CACHE_ALIAS
from trivia.models import Citation, Fact, Person, Source, Topic
from trivia.page_cache import PAGE_CACHE_ALIAS
from trivia.services.editing import update_facts

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def caches_on(page_cache_on):
    """The page cache on (the suite runs without it), both caches empty at the start."""
    caches[FRAGMENT_CACHE_ALIAS].clear()


@pytest.fixture
def shelf():
    """A film with two facts about one person, each citing its own source."""
    person = PersonFactory(name="Moira Shearer", slug="moira-shearer")
    film = FilmFactory(title="The Red Shoes", year=1948)
    topic = TopicFactory(name="Casting", slug="casting")
    first = CitationFactory(fact=FactFactory(film=film, topic=topic, text="She was cast first.", position=1)).fact
    second = CitationFactory(fact=FactFactory(film=film, topic=topic, text="She danced the ballet.", position=2)).fact
    for fact in (first, second):
        fact.people.add(person)
    return film, person, topic, first, second


def pages(film, person, topic, word="ballet"):
    return [
        film.get_absolute_url(),
        person.get_absolute_url(),
        topic.get_absolute_url(),
        f"{reverse('trivia:fact_list')}?q={word}",
    ]


def read_all(client, urls) -> list[str]:
    texts = []
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        texts.append(response.content.decode())
    return texts


def warm(client, urls) -> None:
    read_all(client, urls)
    assert len(caches[FRAGMENT_CACHE_ALIAS]._cache) > 0  # the items are kept


def test_a_page_from_kept_items_is_byte_identical_to_a_fresh_render(client, shelf):
    urls = pages(*shelf[:3])
    fresh = read_all(client, urls)
    caches[PAGE_CACHE_ALIAS].clear()
    Topic.objects.filter(pk=shelf[2].pk).update(order=shelf[2].order)  # moves the content version only

    assert read_all(client, urls) == fresh


def test_an_edited_fact_text_shows_on_every_page(client, shelf):
    film, person, topic, first, _ = shelf
    warm(client, pages(film, person, topic))
    first.text = "She was cast first, after a long search for a ballet dancer."
    first.save()

    for page in read_all(client, pages(film, person, topic)):
        # The search page marks the words it matched: "<mark>ballet</mark>".
        assert "after a long search for a " in page
        assert "She was cast first.<" not in page


def test_a_renamed_person_shows_on_every_page_that_mentions_them(client, shelf):
    film, person, topic, *_ = shelf
    warm(client, pages(film, person, topic))
    Person.objects.filter(pk=person.pk).update(name="Moira King")

    film_page, _, topic_page, _ = read_all(client, pages(film, person, topic))
    for page in (film_page, topic_page):
        assert "Moira King" in page and "Moira Shearer" not in page


def test_a_renamed_topic_shows_on_person_pages(client, shelf):
    film, person, topic, *_ = shelf
    warm(client, pages(film, person, topic))
    Topic.objects.filter(pk=topic.pk).update(name="Who played whom")

    person_page = client.get(person.get_absolute_url()).content.decode()
    assert ">Who played whom</a>" in person_page and ">Casting</a>" not in person_page


def test_a_citation_that_breaks_flags_its_fact_and_one_that_is_fixed_drops_the_flag(client, shelf):
    film, person, topic, first, _ = shelf
    urls = pages(film, person, topic)
    warm(client, urls)
    Citation.objects.filter(fact=first).update(is_broken=True, broken_reason="The passage was rewritten.")

    for page in read_all(client, urls[:3]):
        assert page.count("attention-flag") == 1
        # …and its note says why, without linking the passage.
        assert '<strong class="needs-attention">Needs attention:</strong> The passage was rewritten.' in page
    permalink = client.get(first.get_absolute_url()).content.decode()
    assert "The passage was rewritten." in permalink

    Citation.objects.filter(fact=first).update(is_broken=False, broken_reason="")
    for page in read_all(client, urls[:3]):
        assert "attention-flag" not in page


def test_an_edited_source_shows_in_the_notes(client, shelf):
    film, person, topic, first, _ = shelf
    urls = [*pages(film, person, topic)[:3], first.get_absolute_url()]
    warm(client, urls)
    Source.objects.filter(citations__fact=first).update(title="Dancing Days: a memoir", slug="dancing-days")

    for page in read_all(client, urls):
        assert ">Dancing Days, ¶1</a>" in page  # the note's short title…
        assert 'href="/sources/dancing-days/?' in page  # …and its link to the passage


def test_a_quote_moved_by_a_source_edit_shows_in_the_notes(client, shelf):
    film, person, topic, first, _ = shelf
    urls = [*pages(film, person, topic)[:3], first.get_absolute_url()]
    warm(client, urls)
    citation = first.citations.select_related("source").get()
    quote = citation.source.content.split("\n\n")[1]
    start = citation.source.content.index(quote)
    # What re-anchoring writes when the cited passage moved to the next paragraph.
    Citation.objects.filter(pk=citation.pk).update(paragraph=2, quote=quote, start=start, end=start + len(quote))

    for page in read_all(client, urls):
        assert ", ¶2</a>" in page and f"<q>{quote}</q>" in page


def test_a_bulk_action_and_a_bulk_update_show_at_once(client, shelf):
    film, person, topic, first, second = shelf
    urls = pages(film, person, topic)
    warm(client, urls)
    unpublished = update_facts(Fact.objects.filter(pk=first.pk), comment="For checking.", status=Fact.Status.DRAFT)
    assert unpublished.changed
    second.text = "She danced the ballet in one take."
    bulk.update(Fact, [second], ["text"])

    film_page, person_page, topic_page, search_page = read_all(client, urls)
    for page in (film_page, person_page, topic_page):
        assert "She was cast first." not in page
        assert "She danced the ballet in one take." in page
    assert "in one take" in search_page


def test_a_loaddata_that_changes_a_fact_shows_at_once(client, shelf, tmp_path):
    film, person, topic, first, _ = shelf
    warm(client, pages(film, person, topic))
    out = StringIO()
    call_command("dumpdata", "trivia.fact", "--natural-foreign", "--pks", str(first.pk), stdout=out)
    entries = json.loads(out.getvalue())
    entries[0]["fields"]["text"] = "Loaded from a backup: she was cast first."
    fixture = tmp_path / "fact.json"
    fixture.write_text(json.dumps(entries), encoding="utf-8")

    call_command("loaddata", str(fixture), stdout=StringIO())

    for page in read_all(client, pages(film, person, topic)[:3]):
        assert "Loaded from a backup" in page and "She was cast first.<" not in page


def test_staff_see_a_draft_marked_and_readers_never_see_it(client, shelf, django_user_model):
    film, person, topic, first, _ = shelf
    draft = FactFactory(film=film, topic=topic, text="Held back until checked.", status="draft", position=3)
    draft.people.add(person)
    CitationFactory(fact=draft)  # publishing needs one
    staff = django_user_model.objects.create_user("editor", is_staff=True)
    client.force_login(staff)
    for page in read_all(client, [film.get_absolute_url(), person.get_absolute_url()]):
        assert re.search(r'<strong class="badge">Draft</strong> Held back until checked\.', page)
    client.logout()

    for page in read_all(client, pages(film, person, topic)):
        assert "Held back until checked." not in page

    assert update_facts(Fact.objects.filter(pk=draft.pk), comment="Checked.", status=Fact.Status.PUBLISHED).changed
    client.force_login(staff)
    staff_page = client.get(film.get_absolute_url()).content.decode()
    assert "Held back until checked." in staff_page and "Draft</strong> Held back" not in staff_page


def test_footnote_numbers_follow_a_new_citation_on_an_earlier_fact(client, shelf):
    film, person, topic, first, second = shelf
    warm(client, pages(film, person, topic))
    CitationFactory(fact=first, source=SourceFactory())

    page = client.get(film.get_absolute_url()).content.decode()
    assert f'id="cite-{first.key}-1"' in page and f'id="cite-{first.key}-2"' in page
    assert f'id="cite-{second.key}-3"' in page and f'id="cite-{second.key}-1"' not in page


def test_a_person_page_says_also_mentions_and_a_film_page_mentions(client, shelf):
    film, person, topic, first, _ = shelf
    other = PersonFactory(name="Anton Walbrook", slug="anton-walbrook")
    first.people.add(other)
    film_page = client.get(film.get_absolute_url()).content.decode()
    person_page = client.get(person.get_absolute_url()).content.decode()
    other_page = client.get(other.get_absolute_url()).content.decode()

    assert "Mentions <a" in film_page and "Also mentions" not in film_page
    assert "Also mentions <a" in person_page and ">Anton Walbrook</a>" in person_page
    assert ">Moira Shearer</a>" in other_page and ">Anton Walbrook</a>" not in other_page


def test_after_an_edit_only_the_edited_facts_item_is_rendered_again(client, shelf):
    film, person, topic, first, _ = shelf
    fresh = client.get(film.get_absolute_url())
    assert [t.name for t in fresh.templates].count("includes/fact.html") == 2
    caches[PAGE_CACHE_ALIAS].clear()  # as a page-cache eviction or a restart of the page cache would

    Fact.objects.filter(pk=first.pk).update(text="She was cast first, in 1946.")
    again = client.get(film.get_absolute_url())

    assert again["X-Cache"] == "MISS"
    assert [t.name for t in again.templates].count("includes/fact.html") == 1
    assert [t.name for t in again.templates].count("includes/reference.html") == 0
    assert "She was cast first, in 1946." in again.content.decode()
