"""Person and topic pages: their published facts across films, with the same citations."""

import json

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import CitationFactory, CreditFactory, FactFactory, FilmFactory, PersonFactory, TopicFactory
from tests.htmltree import parse
from tests.reading_data import film_with_facts
from trivia import fact_counts
from trivia.models import Fact, Person
from trivia.selectors import listings
from trivia.selectors.listings import LIST_PAGE_SIZE

pytestmark = pytest.mark.django_db


def person_url(person, page=None):
    url = reverse("trivia:person_detail", args=[person.slug])
    return url if page is None else f"{url}?page={page}"


def topic_url(topic, page=None):
    url = reverse("trivia:topic_detail", args=[topic.slug])
    return url if page is None else f"{url}?page={page}"


def get_page(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return parse(response.content.decode())


def fact_keys(page):
    return [li.attrs["id"].removeprefix("fact-") for li in page.find_all("li") if li.has_class("fact")]


def json_ld(page):
    return [json.loads(s.text()) for s in page.find_all("script", type="application/ld+json")]


def film_headings(page):
    return [h.text() for h in page.find_all() if h.tag in ("h2", "h3") and h.attrs.get("id", "").startswith("film-")]


@pytest.fixture
def staff_client():
    """A second browser, logged in as an editor, beside the anonymous `client`."""
    staff = Client()
    staff.force_login(get_user_model().objects.create_user("editor", is_staff=True))
    return staff


@pytest.fixture
def two_films():
    """A person and a topic with facts in two films, one fact a draft, one a spoiler."""
    person = PersonFactory(name="Hein Heckroth")
    topic = TopicFactory(name="Production")
    early = FilmFactory(title="Early Film", year=1940)
    late = FilmFactory(title="Late Film", year=1960)
    facts = {
        "late": FactFactory(film=late, topic=topic, text="He painted the late film.", people=[person]),
        "early": FactFactory(film=early, topic=topic, text="He painted the early film.", people=[person]),
        "spoiler": FactFactory(
            film=early, topic=topic, text="The ending is in paint.", people=[person], is_spoiler=True, position=5
        ),
        "draft": FactFactory(
            film=early, topic=topic, text="An unchecked claim.", people=[person], status=Fact.Status.DRAFT
        ),
        "elsewhere": FactFactory(film=early, text="Nothing to do with him."),
    }
    for fact in facts.values():
        CitationFactory(fact=fact)
    return person, topic, facts


def test_a_person_page_lists_their_published_facts_by_film(client, two_films):
    person, _, facts = two_films
    page = get_page(client, person_url(person))

    assert page.find_all("h1")[0].text() == "Hein Heckroth"
    assert film_headings(page) == ["Early Film (1940)", "Late Film (1960)"]
    assert fact_keys(page) == [facts["early"].key, facts["spoiler"].key, facts["late"].key]


def test_a_topic_page_lists_its_published_facts_across_films(client, two_films):
    _, topic, facts = two_films
    page = get_page(client, topic_url(topic))

    assert page.find_all("h1")[0].text() == "Production"
    assert film_headings(page) == ["Early Film (1940)", "Late Film (1960)"]
    assert fact_keys(page) == [facts["early"].key, facts["spoiler"].key, facts["late"].key]


@pytest.mark.parametrize("url_for", [lambda p, t: person_url(p), lambda p, t: topic_url(t)])
def test_drafts_are_hidden_from_readers_and_marked_for_staff(client, staff_client, two_films, url_for):
    person, topic, facts = two_films
    url = url_for(person, topic)

    anonymous = client.get(url).content.decode()
    assert "An unchecked claim." not in anonymous

    page = get_page(staff_client, url)
    draft = page.by_id(f"fact-{facts['draft'].key}")
    assert "Draft" in draft.text() and "An unchecked claim." in draft.text()


@pytest.mark.parametrize("url_for", [lambda p, t: person_url(p), lambda p, t: topic_url(t)])
def test_spoilers_are_folded_last_in_their_film_behind_one_control(client, two_films, url_for):
    person, topic, facts = two_films
    page = get_page(client, url_for(person, topic))

    (details,) = page.find_all("details", class_="spoiler spoiler-group")
    summary = " ".join(details.find_all("summary")[0].text().split())
    assert summary.startswith("Show 1 spoiler") and "reveals the ending" in summary
    assert details.by_id(f"fact-{facts['spoiler'].key}") is not None
    assert "The ending is in paint." not in summary
    section = next(s for s in page.find_all("section") if details in s.iter())
    assert section.find_all("h2" if "topics" in url_for(person, topic) else "h3")[0].text() == "Early Film (1940)"


def test_a_person_page_names_the_others_a_fact_mentions_but_not_the_person(client):
    heckroth, andersen = PersonFactory(name="Hein Heckroth"), PersonFactory(name="Hans Christian Andersen")
    alone = FactFactory(text="He painted alone.", people=[heckroth])
    together = FactFactory(film=alone.film, topic=alone.topic, text="They met.", people=[heckroth, andersen])
    for fact in (alone, together):
        CitationFactory(fact=fact)

    page = get_page(client, person_url(heckroth))

    assert "Mentions Hein Heckroth" not in " ".join(page.text().split())
    assert "Hein Heckroth" not in page.by_id(f"fact-{alone.key}").text()
    meta = page.by_id(f"fact-{together.key}").find_all("p", class_="fact-meta")[0]
    assert " ".join(meta.text().split()).endswith("Also mentions Hans Christian Andersen")
    assert [a.text() for a in meta.find_all("a")][-1] == "Hans Christian Andersen"


@pytest.mark.parametrize("url_for", [lambda p, t: person_url(p), lambda p, t: topic_url(t)])
def test_every_footnote_leads_to_a_reference_linking_the_cited_passage(client, two_films, url_for):
    person, topic, facts = two_films
    page = get_page(client, url_for(person, topic))

    markers = [a for sup in page.find_all("sup", class_="fn") for a in sup.find_all("a")]
    assert len(markers) == 3
    for marker in markers:
        reference = page.by_id(marker.attrs["href"].removeprefix("#"))
        passage_links = [a.attrs["href"] for a in reference.find_all("a") if "/sources/" in a.attrs["href"]]
        assert len(passage_links) == 1
        source_path, anchor = passage_links[0].split("#")
        source_page = get_page(client, source_path)
        assert source_page.by_id(anchor).text() in reference.text()


def test_the_person_page_links_to_the_filtered_search(client, two_films):
    person, topic, _ = two_films
    person_page = get_page(client, person_url(person))
    topic_page = get_page(client, topic_url(topic))

    assert person_page.find_all("a", href=f"/facts/?person={person.slug}")
    assert topic_page.find_all("a", href=f"/facts/?topic={topic.slug}")


def test_the_person_page_shows_their_credits(client):
    person = PersonFactory(name="Moira Shearer")
    film = FilmFactory(title="The Red Shoes", year=1948)
    CreditFactory(film=film, person=person, character='Victoria "Vicky" Page')

    page = get_page(client, person_url(person))

    (credits,) = page.find_all("ul", class_="credits")
    assert " ".join(credits.text().split()) == 'The Red Shoes (1948): Actor (Victoria "Vicky" Page)'


def test_a_person_is_described_as_a_person_and_a_company_as_an_organization(client):
    person = PersonFactory(name="Moira Shearer", description="Ballerina.")
    company = PersonFactory(name="Universal", kind=Person.Kind.ORGANISATION)

    (person_data,) = json_ld(get_page(client, person_url(person)))
    (company_data,) = json_ld(get_page(client, person_url(company)))

    assert (person_data["@type"], person_data["name"], person_data["description"]) == (
        "Person",
        "Moira Shearer",
        "Ballerina.",
    )
    assert person_data["url"].endswith(person_url(person))
    assert company_data["@type"] == "Organization"


def test_html_in_names_and_facts_is_escaped_on_the_page_and_in_json_ld(client):
    hostile = '</script><script>alert(1)</script><b onmouseover="x">bold</b>'
    person = PersonFactory(name=hostile, slug="hostile", description=hostile)
    topic = TopicFactory(name=hostile, slug="hostile-topic")
    CitationFactory(fact=FactFactory(text=hostile, people=[person], topic=topic))

    for url in (person_url(person), topic_url(topic)):
        page = get_page(client, url)
        assert page.find_all("b") == []
        assert all(s.attrs.get("type") == "application/ld+json" or s.attrs.get("src") for s in page.find_all("script"))
        assert page.find_all("h1")[0].text() == hostile
    (data,) = json_ld(get_page(client, person_url(person)))
    assert data["name"] == hostile


def test_many_facts_are_split_into_pages(client):
    film, facts = film_with_facts(LIST_PAGE_SIZE + 5, topics=1)
    person = facts[0].people.get()

    first = get_page(client, person_url(person))
    second = get_page(client, person_url(person, page=2))

    assert len(fact_keys(first)) == LIST_PAGE_SIZE
    assert len(fact_keys(second)) == 5
    assert first.find_all("a", rel="next") and second.find_all("a", rel="prev")
    # Out of range or junk: clamped, as on every paged page.
    assert fact_keys(get_page(client, person_url(person, page=3))) == fact_keys(second)
    assert fact_keys(get_page(client, person_url(person, page="abc"))) == fact_keys(first)
    assert fact_keys(get_page(client, topic_url(facts[0].topic, page="１"))) == fact_keys(first)


def test_unknown_people_and_topics_are_404(client):
    assert client.get(reverse("trivia:person_detail", args=["nobody"])).status_code == 404
    assert client.get(reverse("trivia:topic_detail", args=["nothing"])).status_code == 404


def test_a_person_with_no_published_facts_says_so(client):
    person = PersonFactory(name="Nobody Yet")
    page = get_page(client, person_url(person))
    assert "No published fact mentions Nobody Yet yet." in " ".join(page.text().split())


def count_queries(client, url, render="RENDERED"):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200 and response["X-Render"] == render
    return len(queries)


@pytest.mark.parametrize("fact_count", [10, 1000])
def test_person_page_query_count_does_not_grow_with_facts(client, fact_count):
    """Content version, person, count, credits, the page's tokens, facts, their people, their citations: 8, never
    one per fact; asked for again unchanged, the first five (trivia/page_renders.py)."""
    _, facts = film_with_facts(fact_count)
    url = person_url(facts[0].people.get())
    assert count_queries(client, url) == 8
    assert count_queries(client, url, "REUSED") == 5


@pytest.mark.parametrize("fact_count", [10, 1000])
def test_topic_page_query_count_does_not_grow_with_facts(client, fact_count):
    """Content version, topic, its total, the films on the page, the page's tokens, facts, their people, their
    citations: 8, never one per fact; asked for again unchanged, the first five (trivia/page_renders.py)."""
    _, facts = film_with_facts(fact_count, topics=1)
    assert count_queries(client, topic_url(facts[0].topic)) == 8
    assert count_queries(client, topic_url(facts[0].topic), "REUSED") == 5


@pytest.mark.parametrize("walk_from", [0, 1000], ids=["films walked in title order", "the topic's rows sorted"])
def test_a_topic_held_by_many_films_pages_through_them_the_same_either_way(client, monkeypatch, walk_from):
    """A topic held by many films walks the films in title order to the page's (fact_counts.films_of_topic); the
    pages are those of the whole sorted read, edges inside films included."""
    monkeypatch.setattr(fact_counts, "WALK_FROM", walk_from)
    monkeypatch.setattr(listings, "LIST_PAGE_SIZE", 4)
    topic = TopicFactory(name="Music")
    for number, title in enumerate(["Oak", "Elm", "Ash", "Yew", "Fir", "Bay", "Box", "Ivy", "Lime", "Pine"]):
        film = FilmFactory(title=title, year=1950 + number % 2)
        FactFactory.create_batch(1 + number % 3, film=film, topic=topic)
    FactFactory.create_batch(3, film=film)  # other topics
    expected = list(
        Fact.objects.published()
        .filter(topic=topic)
        .order_by("film__title", "position", "pk")
        .values_list("key", flat=True)
    )

    pages = [fact_keys(get_page(client, topic_url(topic, page=number))) for number in range(1, 7)]

    assert [len(page) for page in pages] == [4, 4, 4, 4, 3, 3]  # 19 facts; the last page clamped
    assert [key for page in pages[:5] for key in page] == expected


def test_a_topic_pages_through_every_fact_once_in_film_order_whatever_the_films_sizes(client, staff_client):
    """Readers' topic pages are cut from the counts kept per (topic, film): page edges fall inside films too."""
    topic = TopicFactory(name="Music")
    films = [FilmFactory(title=title, year=1950) for title in ("Zebra", "Apple", "Mango", "Kiwi")]
    sizes = {"Zebra": 30, "Apple": LIST_PAGE_SIZE + 20, "Mango": 1, "Kiwi": 75}
    for film in films:
        FactFactory.create_batch(sizes[film.title], film=film, topic=topic)
        FactFactory(film=film, topic=topic, status=Fact.Status.DRAFT)
    FactFactory.create_batch(5, film=films[0])  # other topics
    expected = list(
        Fact.objects.published()
        .filter(topic=topic)
        .order_by("film__title", "position", "pk")
        .values_list("key", flat=True)
    )

    pages = [get_page(client, topic_url(topic, page=number)) for number in (1, 2, 3)]

    assert [key for page in pages for key in fact_keys(page)] == expected
    headings = [[title.removesuffix(" (1950)") for title in film_headings(page)] for page in pages]
    assert headings == [["Apple"], ["Apple", "Kiwi", "Mango", "Zebra"], ["Zebra"]]
    intro = " ".join(pages[1].find_all("p", class_="page-intro")[0].text().split())
    assert intro.startswith("226 facts, by film") and "Page 2 of 3." in intro
    assert fact_keys(get_page(client, topic_url(topic, page=99))) == fact_keys(pages[2])  # clamped
    staff_keys = [key for number in (1, 2, 3) for key in fact_keys(get_page(staff_client, topic_url(topic, number)))]
    assert set(expected) < set(staff_keys) and len(staff_keys) == len(expected) + 4  # the drafts too
