"""The click-through from a note to its passage: "Cited for", the way back, and the links that carry it."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import CitationFactory, FactFactory, PersonFactory, SourceFactory
from tests.htmltree import parse
from trivia import bulk
from trivia.models import Citation, Fact
from trivia.selectors.clickthrough import Origin

pytestmark = pytest.mark.django_db

SOURCE = reverse("trivia:source_detail", args=["the-red-shoes-1948-trivia"])


def source_page(client, query="", status=200):
    response = client.get(f"{SOURCE}?{query}" if query else SOURCE)
    assert response.status_code == status
    return parse(response.content.decode())


def note_links(client, url) -> dict[int, str]:
    """{note number: its passage link} on the page at `url`."""
    page = parse(client.get(url).content.decode())
    notes = page.find_all("ol", class_="notes")[0].find_all("li", id=True)
    return {
        int(li.attrs["id"].removeprefix("ref-")): a.attrs["href"]
        for li in notes
        for a in li.find_all("a")
        if a.attrs["href"].startswith("/sources/")
    }


def test_a_note_names_the_fact_the_page_and_its_number(client, seeded):
    links = note_links(client, "/films/the-red-shoes-1948/")
    over_budget = Citation.objects.get(fact__key="over-budget")

    assert links[1] == f"{SOURCE}?for=over-budget&note=1&from=film#{over_budget.anchor}"


def test_arriving_from_a_note_says_which_fact_and_links_back_to_its_place(client, seeded):
    page = source_page(client, "for=over-budget&note=1&from=film")

    banner = page.find_all("aside", class_="cited-for")[0]
    assert " ".join(banner.text().split()) == (
        "Cited for: The film went massively over budget. — back to The Red Shoes (1948) [1]"
    )
    (back,) = banner.find_all("a")
    assert back.attrs["href"] == "/films/the-red-shoes-1948/#fact-over-budget"
    # The fact's passage is picked out; the other passages are not.
    anchor = Citation.objects.get(fact__key="over-budget").anchor
    assert page.by_id(anchor).has_class("is-cited-for")
    assert len(page.find_all("mark", class_="citation is-cited-for")) == 1
    assert page.find_all("div", class_="source-text is-focused")
    # Its arrow goes back to the reader's place too; the others still go to their facts.
    arrows = {a.attrs["href"]: a.attrs["aria-label"] for a in page.find_all("a", class_="backlink")}
    assert arrows["/films/the-red-shoes-1948/#fact-over-budget"] == (
        "Back to The Red Shoes (1948) [1]: The film went massively over budget."
    )
    assert "/facts/over-budget/" not in arrows and "/facts/rank-walked-out/" in arrows


@pytest.mark.parametrize(
    "origin, back, label",
    [
        ("film.2", "/films/the-red-shoes-1948/?page=2#fact-kennedy-knew-instantly", "The Red Shoes (1948) [4]"),
        ("person.moira-shearer", "/people/moira-shearer/#fact-kennedy-knew-instantly", "Moira Shearer [4]"),
        ("person.moira-shearer.3", "/people/moira-shearer/?page=3#fact-kennedy-knew-instantly", "Moira Shearer [4]"),
        ("topic.off-screen", "/topics/off-screen/#fact-kennedy-knew-instantly", "Off screen [4]"),
        ("fact", "/facts/kennedy-knew-instantly/#fact-kennedy-knew-instantly", "the fact [4]"),
    ],
)
def test_the_way_back_goes_to_the_page_the_note_was_on(client, seeded, origin, back, label):
    page = source_page(client, f"for=kennedy-knew-instantly&note=4&from={origin}")

    (link,) = page.find_all("aside", class_="cited-for")[0].find_all("a")
    assert link.attrs["href"] == back
    assert link.text() == f"— back to {label}"


def test_every_page_with_notes_links_them_with_its_own_origin(client, seeded):
    person = note_links(client, "/people/moira-shearer/")
    topic = note_links(client, "/topics/off-screen/")
    fact = note_links(client, "/facts/kennedy-shearer-wedding-1950/")

    assert all(link.split("#")[0].endswith(f"&note={n}&from=person.moira-shearer") for n, link in person.items())
    assert all(link.split("#")[0].endswith(f"&note={n}&from=topic.off-screen") for n, link in topic.items())
    assert list(fact) == [1, 2] and all("&from=fact#" in link for link in fact.values())
    for link in [*person.values(), *topic.values(), *fact.values()]:
        path = link.split("#")[0]
        assert parse(client.get(path).content.decode()).find_all("aside", class_="cited-for"), path


@pytest.mark.parametrize(
    "query",
    [
        "for=no-such-fact&note=1&from=film",
        "for=over-budget&note=0&from=film",
        "for=over-budget&note=abc&from=film",
        "for=over-budget&note=１&from=film",
        "for=over-budget&note=99999999&from=film",
        "for=over-budget&note=1&from=film.1",
        "for=over-budget&note=1&from=film.x",
        "for=over-budget&note=1&from=film.2.3",
        "for=over-budget&note=1&from=fact.2",
        "for=over-budget&note=1&from=elsewhere",
        "for=over-budget&note=1&from=person.moira-shearer",  # the fact does not mention her
        "for=over-budget&note=1&from=person.no-such-person",
        "for=over-budget&note=1&from=topic.off-screen",  # not the fact's topic
        "for=over-budget&note=1&from=person",
        "for=over-budget&note=1&from=person.%00",
        "for=over-budget%00&note=1&from=film",
        "for=" + "x" * 5000 + "&note=1&from=film",
        "for=over-budget&note=1",
        "for=over-budget",
        "note=1&from=film",
    ],
)
def test_a_bogus_click_through_gives_the_plain_page(client, seeded, query):
    page = source_page(client, query)
    assert page.find_all("aside", class_="cited-for") == []
    assert page.find_all("div", class_="source-text")[0].attrs["class"] == "source-text"


def test_a_fact_that_does_not_cite_this_source_gives_the_plain_page(client, seeded):
    elsewhere = CitationFactory(fact__text="Cited elsewhere.").fact
    assert source_page(client, f"for={elsewhere.key}&note=1&from=film").find_all("aside") == []


def test_a_draft_is_named_to_staff_only(client, django_user_model, seeded):
    source = SourceFactory()
    draft = CitationFactory(source=source, fact__status=Fact.Status.DRAFT, fact__text="A draft claim.").fact
    url = f"{source.get_absolute_url()}?for={draft.key}&note=1&from=fact"

    assert "A draft claim." not in client.get(url).content.decode()
    client.force_login(django_user_model.objects.create_user("editor", is_staff=True))
    banner = parse(client.get(url).content.decode()).find_all("aside", class_="cited-for")[0]
    assert "A draft claim." in banner.text()


def test_the_mode_is_a_separate_cached_page_per_link_and_answers_304(client, seeded):
    plain = client.get(SOURCE)
    focused = client.get(f"{SOURCE}?for=over-budget&note=1&from=film")
    again = client.get(f"{SOURCE}?for=over-budget&note=1&from=film", headers={"if-none-match": focused["ETag"]})
    other = client.get(f"{SOURCE}?for=rank-walked-out&note=9&from=film")

    assert len({plain["ETag"], focused["ETag"], other["ETag"]}) == 3
    assert again.status_code == 304
    assert "The film went massively over budget." in focused.content.decode().split("</aside>")[0]
    assert "J. Arthur Rank, the film" in other.content.decode().split("</aside>")[0]
    assert 'class="cited-for"' not in plain.content.decode()


@pytest.mark.parametrize(("origin", "queries"), [("film", 4), ("person.{person}", 4), ("", 4)])
@pytest.mark.parametrize("fact_count", [10, 1000])
def test_query_count_is_constant(client, origin, queries, fact_count):
    """The plain page: version, source, its citing facts' tokens (it may be kept, trivia/page_renders.py),
    citations. The mode is never kept: no tokens, and one query for the fact (and the person)."""
    source = SourceFactory()
    person = PersonFactory()
    quote = source.content.split("\n\n")[0]
    film, topic = FactFactory().film, FactFactory().topic
    facts = bulk.create(  # the bulk writer dates their publication, as every write path must
        Fact, [Fact(film=film, topic=topic, text=f"F{n}", status="published", position=n) for n in range(fact_count)]
    )
    bulk.create(Citation, [Citation(fact=fact, source=source, quote=quote, start=0, end=len(quote)) for fact in facts])
    facts[0].people.add(person)
    query = f"?for={facts[0].key}&note=1&from={origin.format(person=person.slug)}" if origin else ""

    with CaptureQueriesContext(connection) as captured:
        response = client.get(source.get_absolute_url() + query)

    assert response.status_code == 200
    assert len(captured) == queries
    assert ('class="cited-for"' in response.content.decode()) == bool(origin)


@pytest.mark.parametrize(
    "token, parsed",
    [
        ("film", Origin("film")),
        ("film.12", Origin("film", page=12)),
        ("person.hein-heckroth.2", Origin("person", "hein-heckroth", 2)),
        ("topic.the_ending", Origin("topic", "the_ending")),
        ("fact", Origin("fact")),
        ("film.01", None),
        ("fact.2", None),
        ("topic.", None),
        ("person.a b", None),
        ("", None),
        ("film.-2", None),
    ],
)
def test_origin_tokens_round_trip_and_refuse_anything_else(token, parsed):
    assert Origin.parse(token) == parsed
    if parsed:
        assert parsed.token == token


def test_the_link_a_search_result_gives_returns_to_the_facts_own_page(client, seeded):
    html = client.get("/facts/?q=bury").content.decode()
    links = re.findall(r'href="(/sources/[^"]+)"', html)
    assert [link.split("#")[0].replace("&amp;", "&") for link in links] == [
        f"{SOURCE}?for=rank-tried-to-bury-it&note=1&from=fact",
        f"{SOURCE}?for=rank-tried-to-bury-it&note=2&from=fact",
    ]
