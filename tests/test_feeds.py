"""Atom feeds of newly published facts: well-formed, newest first, stable ids, linked from the pages."""

import datetime
import xml.etree.ElementTree as ET

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import CitationFactory, FactFactory, FilmFactory, PersonFactory, TopicFactory
from trivia.models import Fact
from trivia.services.editing import update_facts

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"


def feed(client, path, status=200):
    response = client.get(path)
    assert response.status_code == status, response.content[:500]
    assert response["Content-Type"] == "application/atom+xml; charset=utf-8"
    root = ET.fromstring(response.content)  # raises if the XML is not well-formed
    assert root.tag == f"{ATOM}feed"
    return root


def entries(root) -> list[ET.Element]:
    return root.findall(f"{ATOM}entry")


def ids(root) -> list[str]:
    return [entry.findtext(f"{ATOM}id") for entry in entries(root)]


def published_on(fact, day: int):
    Fact.objects.filter(pk=fact.pk).update(published_at=datetime.datetime(2026, 1, day, tzinfo=datetime.UTC))


def test_the_site_feed_is_valid_atom_newest_first(client, seeded):
    root = feed(client, "/feed.atom")
    # What RFC 4287 requires of a feed and of each entry.
    for name in ("id", "title", "updated"):
        assert root.findtext(f"{ATOM}{name}")
    assert root.find(f"{ATOM}author/{ATOM}name").text == "redshoes"
    assert root.find(f"{ATOM}link[@rel='self']").get("href") == settings.SITE_URL + "/feed.atom"
    for entry in entries(root):
        for name in ("id", "title", "updated", "published"):
            assert entry.findtext(f"{ATOM}{name}"), name
        assert entry.find(f"{ATOM}link[@rel='alternate']").get("href") == entry.findtext(f"{ATOM}id")
    published = [entry.findtext(f"{ATOM}published") for entry in entries(root)]
    assert published == sorted(published, reverse=True)
    assert len(published) == Fact.objects.published().count()


def test_entry_ids_are_permalinks_and_stay_the_same(client, seeded):
    before = ids(feed(client, "/feed.atom"))
    assert (
        before[-1] == settings.SITE_URL + Fact.objects.published().order_by("published_at", "pk")[0].get_absolute_url()
    )
    Fact.objects.filter(key="over-budget").update(text="Edited after publication.")
    assert ids(feed(client, "/feed.atom")) == before


def test_republishing_keeps_a_fact_where_it_was(client, seeded):
    fact = Fact.objects.get(key="over-budget")
    before = ids(feed(client, "/feed.atom"))
    update_facts([fact], comment="Unpublished", status=Fact.Status.DRAFT)
    assert settings.SITE_URL + fact.get_absolute_url() not in ids(feed(client, "/feed.atom"))
    update_facts([fact], comment="Published", status=Fact.Status.PUBLISHED)
    assert ids(feed(client, "/feed.atom")) == before


def test_newly_published_facts_come_first_and_drafts_never(client, seeded):
    draft = CitationFactory(fact=FactFactory(status=Fact.Status.DRAFT)).fact
    new = CitationFactory().fact
    keys = ids(feed(client, "/feed.atom"))
    assert keys[0] == settings.SITE_URL + new.get_absolute_url()
    assert settings.SITE_URL + draft.get_absolute_url() not in keys


def test_film_person_and_topic_feeds_hold_only_their_facts(client, seeded):
    film, person, topic = FilmFactory(), PersonFactory(), TopicFactory()
    mine = CitationFactory(fact=FactFactory(film=film, topic=topic, people=[person])).fact
    published_on(mine, 2)
    other = CitationFactory(fact=FactFactory(film=film)).fact
    published_on(other, 1)
    mine_id = settings.SITE_URL + mine.get_absolute_url()
    other_id = settings.SITE_URL + other.get_absolute_url()
    assert ids(feed(client, f"/films/{film.slug}/feed.atom")) == [mine_id, other_id]
    assert ids(feed(client, f"/people/{person.slug}/feed.atom")) == [mine_id]
    assert ids(feed(client, f"/topics/{topic.slug}/feed.atom")) == [mine_id]
    for path in ("/films/nope/feed.atom", "/people/nope/feed.atom", "/topics/nope/feed.atom"):
        assert client.get(path).status_code == 404


def test_a_spoiler_entry_does_not_give_the_ending_away(client, seeded):
    spoiler = Fact.objects.filter(is_spoiler=True).first()
    root = feed(client, "/feed.atom")
    entry = next(e for e in entries(root) if e.findtext(f"{ATOM}id").endswith(spoiler.get_absolute_url()))
    assert entry.findtext(f"{ATOM}title") == f"A spoiler about {spoiler.film}"
    assert spoiler.text not in ET.tostring(entry, encoding="unicode")


def test_hostile_stored_text_gives_well_formed_xml(client, seeded):
    nul = "\x00" if connection.vendor == "sqlite" else ""  # PostgreSQL cannot store a NUL
    hostile = f"]]><x>&amp; {nul}\x01\x08\x0b\x1f\ufffe <script>alert(1)</script> 🩰"
    film = FilmFactory(title=hostile, slug="hostile-film")
    topic = TopicFactory(name=hostile, slug="hostile-topic")
    fact = FactFactory(film=film, text=hostile, topic=topic, people=[PersonFactory(name=hostile, slug="hostile")])
    CitationFactory(fact=fact)
    root = feed(client, f"/films/{film.slug}/feed.atom")
    title = entries(root)[0].findtext(f"{ATOM}title")
    assert "<script>alert(1)</script>" in title and "\x00" not in title
    summary = entries(root)[0].findtext(f"{ATOM}summary")
    assert "&lt;script&gt;" in summary  # the fact's text is text inside the HTML summary, never markup


def test_a_feed_costs_the_same_queries_however_many_facts(client, seeded):
    def count():
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/feed.atom").status_code == 200
        return len(captured)

    few = count()
    for number in range(60):
        CitationFactory(fact=FactFactory(text=f"Extra {number}.", people=[PersonFactory()]))
    assert count() == few


def test_a_repeat_request_is_answered_304(client, seeded):
    first = client.get("/feed.atom")
    assert client.get("/feed.atom", headers={"If-None-Match": first["ETag"]}).status_code == 304


def test_pages_link_to_their_feeds(client, red_shoes):
    site = '<link rel="alternate" type="application/atom+xml" title="redshoes: new facts" href="/feed.atom">'
    assert site in client.get("/").content.decode()
    film_page = client.get(red_shoes.get_absolute_url()).content.decode()
    assert (
        f'type="application/atom+xml" title="New facts about {red_shoes}" href="/films/{red_shoes.slug}/feed.atom"'
        in film_page
    )
    person_page = client.get("/people/moira-shearer/").content.decode()
    assert 'href="/people/moira-shearer/feed.atom"' in person_page
    topic_page = client.get("/topics/production/").content.decode()
    assert 'href="/topics/production/feed.atom"' in topic_page
    assert '<link rel="alternate" type="application/json" href="/api/v1/topics/production">' in topic_page
