"""The open-data API at /api/v1/: what a client programmer meets.

The facts list is held to the /facts/ page (same query strings, same facts, same order,
same messages); every list pages by cursor; every response is JSON (problem details for
errors), carries CORS and an ETag, and answers a repeat with 304.
"""

import json
import re

import pytest
from django.conf import settings
from django.db import connection, models
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openapi_spec_validator import validate

from tests.factories import CitationFactory, CreditFactory, FactFactory, FilmFactory, PersonFactory, SourceFactory
from trivia import filters, search
from trivia.models import Fact, Person, Source, Topic

pytestmark = pytest.mark.django_db

API = "/api/v1"


def get_json(client, path, status=200, **headers):
    response = client.get(path, headers=headers)
    assert response.status_code == status, (path, response.status_code, response.content[:1000])
    assert response["Access-Control-Allow-Origin"] == "*"
    if status != 304:
        return response, json.loads(response.content)
    return response, None


def walk(client, path) -> list[dict]:
    """Every item of a list, following `next` links to the end."""
    items, url, pages = [], path, 0
    while url:
        response, page = get_json(client, url.removeprefix(settings.SITE_URL))
        items += page["items"]
        url = page["next"]
        if url:
            assert response["Link"] == f'<{url}>; rel="next"'
        pages += 1
        assert pages < 200, "the cursor never ended"
    return items


def facts_page_keys(client, query: str) -> list[str]:
    """Every fact /facts/ lists for `query`, page after page."""
    keys, number = [], 1
    while True:
        html = client.get(f"/facts/?{query}&page={number}").content.decode()
        found = re.findall(r'<li class="fact" id="fact-([\w-]+)">', html)
        if not found or (keys and found[-1] == keys[-1]):  # past the end, /facts/ shows the last page again
            return keys
        keys += found
        number += 1


@pytest.fixture
def catalogue(seeded):
    """The seed plus a second film: drafts, spoilers, facts sharing words (ties in rank), people on both films."""
    film = FilmFactory(title="A Matter of Life and Death", year=1946)
    moira = PersonFactory(name="Moira Shearer", slug="moira-shearer")
    topic = Topic.objects.get(slug="production")
    source = SourceFactory(title="Second notes", slug="second-notes")
    for number in range(12):
        fact = FactFactory(
            film=film, topic=topic, text=f"The ballet rehearsal number {number} ran late.", position=number
        )
        fact.people.set([moira])
        CitationFactory(fact=fact, source=source)
    CitationFactory(fact=FactFactory(film=film, topic=topic, text="A secret ballet draft.", status="draft"))
    CitationFactory(fact=FactFactory(film=film, topic=topic, text="The ballet ends in tragedy.", is_spoiler=True))
    return film


# --- Index, schema, catalogue ----------------------------------------------------------------------


def test_the_index_names_every_collection_and_the_schema(client, seeded):
    _, index = get_json(client, f"{API}/")
    assert index["facts"] == settings.SITE_URL + f"{API}/facts"
    assert index["openapi"] == settings.SITE_URL + f"{API}/openapi.json"
    assert index["documentation"] == settings.SITE_URL + "/api/"
    for name in ("films", "people", "topics", "sources", "facts"):
        get_json(client, index[name].removeprefix(settings.SITE_URL))


def test_the_openapi_schema_is_valid_and_documents_every_endpoint(client, seeded):
    _, schema = get_json(client, f"{API}/openapi.json")
    validate(schema)  # raises on any violation of OpenAPI 3.1
    paths = set(schema["paths"])
    for path in (
        "/api/v1/facts",
        "/api/v1/facts/{key}",
        "/api/v1/facts/{key}/annotations",
        "/api/v1/films/{slug}",
        "/api/v1/sources/{slug}/annotations",
    ):
        assert path in paths
    facts_parameters = {p["name"] for p in schema["paths"]["/api/v1/facts"]["get"]["parameters"]}
    assert facts_parameters == {"q", "film", "topic", "person", "source", "spoilers", "ordering", "cursor", "limit"}
    assert "400" in schema["paths"]["/api/v1/facts"]["get"]["responses"]


def test_a_film_comes_with_its_credits_and_links(client, red_shoes):
    _, film = get_json(client, f"{API}/films/the-red-shoes-1948")
    assert film["title"] == "The Red Shoes" and film["year"] == 1948
    assert film["page_url"] == settings.SITE_URL + "/films/the-red-shoes-1948/"
    assert film["feed_url"] == settings.SITE_URL + "/films/the-red-shoes-1948/feed.atom"
    assert {"person", "role", "role_label", "character"} <= set(film["credits"][0])
    _, facts = get_json(client, film["facts_url"].removeprefix(settings.SITE_URL))
    assert {fact["film"]["slug"] for fact in facts["items"]} == {"the-red-shoes-1948"}


def test_a_source_comes_with_its_verbatim_text_and_its_fingerprint(client, seeded):
    source = Source.objects.get()
    _, listed = get_json(client, f"{API}/sources")
    assert "text" not in listed["items"][0]  # a list names sources; the text is on the source itself
    assert listed["items"][0]["length"] == len(source.content)
    _, detail = get_json(client, f"{API}/sources/{source.slug}")
    assert detail["text"] == source.content
    assert detail["sha256"] == source.sha256 == __import__("hashlib").sha256(detail["text"].encode()).hexdigest()


def test_people_and_topics_lists_walk_to_the_end_in_order(client, catalogue):
    people = walk(client, f"{API}/people?limit=3")
    assert [p["name"] for p in people] == sorted(p["name"] for p in people)
    assert len({p["slug"] for p in people}) == len(people) == Person.objects.count()
    topics = walk(client, f"{API}/topics?limit=2")
    assert [t["slug"] for t in topics] == list(Topic.objects.order_by("order", "name").values_list("slug", flat=True))


# --- Facts: the /facts/ search as JSON -------------------------------------------------------------

SAME_QUERIES = [
    "",
    "q=ballet",
    "q=ballet&ordering=film",
    "q=ballet&spoilers=include",
    "film=a-matter-of-life-and-death-1946",
    "person=moira-shearer",
    "topic=production&spoilers=include",
    "source=second-notes",
    "q=rehears*&film=a-matter-of-life-and-death-1946",
    "q=nothing-matches-this",
    "junk=1&q=Ballet",
]


@pytest.mark.parametrize("query", SAME_QUERIES)
def test_the_api_lists_the_same_facts_in_the_same_order_as_the_facts_page(client, catalogue, query):
    api_keys = [fact["key"] for fact in walk(client, f"{API}/facts?{query}&limit=4")]
    assert api_keys == facts_page_keys(client, query)


@pytest.mark.parametrize("query", ["q=ballet", "q=ballet&spoilers=include"])
def test_words_too_common_to_rank_are_listed_as_the_facts_page_lists_them(client, catalogue, monkeypatch, query):
    """On SQLite words held by more facts than it ranks come newest first (search.SQLITE_RANK_LIMIT); a cursor
    walks that order to the end, each fact once."""
    monkeypatch.setattr(search, "SQLITE_RANK_LIMIT", 2)
    api_keys = [fact["key"] for fact in walk(client, f"{API}/facts?{query}&limit=2")]
    assert len(api_keys) > 2 and len(set(api_keys)) == len(api_keys)
    assert api_keys == facts_page_keys(client, query)


BAD_QUERIES = ["film=nope", "topic=nope&person=nobody", "spoilers=maybe", "ordering=random", "q=%21%21%21", "q=a%00b"]


@pytest.mark.parametrize("query", BAD_QUERIES)
def test_a_value_the_facts_page_refuses_is_a_400_with_the_same_messages(client, catalogue, query):
    response, problem = get_json(client, f"{API}/facts?{query}", status=400)
    assert response["Content-Type"] == "application/problem+json"
    assert client.get(f"/facts/?{query}").status_code == 400
    expected = filters.FactFilter(QueryDict(query)).form.errors
    assert {name: [e["message"] for e in errors] for name, errors in problem["errors"].items()} == {
        name: list(messages) for name, messages in expected.items()
    }
    assert problem["status"] == 400 and problem["title"] == "Bad Request"


@pytest.mark.parametrize("query", ["limit=0", "limit=101", "limit=ten", "limit=99999999999999999999999"])
def test_a_limit_out_of_range_is_a_400_naming_it(client, seeded, query):
    _, problem = get_json(client, f"{API}/facts?{query}", status=400)
    assert list(problem["errors"]) == ["limit"]


def test_drafts_never_appear(client, catalogue):
    draft = Fact.objects.get(text="A secret ballet draft.")
    keys = {fact["key"] for fact in walk(client, f"{API}/facts?spoilers=include&limit=100")}
    assert draft.key not in keys
    assert keys == set(Fact.objects.published().values_list("key", flat=True))
    get_json(client, f"{API}/facts/{draft.key}", status=404)
    get_json(client, f"{API}/facts/{draft.key}/annotations", status=404)


def test_a_fact_has_its_text_topic_people_spoiler_flag_permalink_and_citations(client, seeded):
    _, fact = get_json(client, f"{API}/facts/rank-walked-out")
    stored = Fact.objects.get(key="rank-walked-out")
    assert fact["text"] == stored.text
    assert fact["topic"]["slug"] == stored.topic.slug
    assert [p["slug"] for p in fact["people"]] == ["j-arthur-rank"]
    assert fact["is_spoiler"] is False
    assert fact["permalink"] == settings.SITE_URL + "/facts/rank-walked-out/"
    citation = fact["citations"][0]
    source = Source.objects.get(slug=citation["source"]["slug"])
    assert source.content[citation["start"] : citation["end"]] == citation["quote"]
    assert citation["paragraph"] >= 1
    assert (
        citation["source_page_url"]
        == f"{settings.SITE_URL}/sources/{source.slug}/#c{citation['start']}-{citation['end']}"
    )


# --- Cursors -----------------------------------------------------------------------------------------


def test_a_page_starts_where_the_last_ended_even_when_facts_are_published_meanwhile(client, catalogue):
    Fact.objects.filter(film=catalogue).update(position=models.F("position") + 1)
    _, first = get_json(client, f"{API}/facts?film=a-matter-of-life-and-death-1946&limit=5")
    # A new fact that sorts before the whole first page: with ?page=2 it would push a fact onto page 2 again.
    early = FactFactory(film=catalogue, topic=Topic.objects.get(slug="production"), text="Early.", position=0)
    CitationFactory(fact=early)
    _, second = get_json(client, first["next"].removeprefix(settings.SITE_URL))
    first_keys = [f["key"] for f in first["items"]]
    second_keys = [f["key"] for f in second["items"]]
    assert not set(first_keys) & set(second_keys)
    expected = [f.key for f in Fact.objects.filter(film=catalogue).published().exclude(is_spoiler=True)]
    expected = sorted(expected, key=lambda key: Fact.objects.get(key=key).position)
    assert second_keys == [k for k in expected if k not in first_keys and k != early.key][:5]


def test_a_forged_or_foreign_cursor_is_a_400(client, catalogue):
    _, by_film = get_json(client, f"{API}/facts?limit=2")
    cursor = QueryDict(by_film["next"].split("?", 1)[1])["cursor"]
    for bad in ["abc", cursor[:-3] + "xyz", "", "\x00"]:
        if bad:
            _, problem = get_json(client, f"{API}/facts?limit=2&cursor={bad}", status=400)
            assert "cursor" in problem["errors"]
    # The same cursor on a search ordered by relevance: another ordering, refused rather than misread.
    _, problem = get_json(client, f"{API}/facts?q=ballet&limit=2&cursor={cursor}", status=400)
    assert "another order" in problem["detail"]


def test_the_last_page_has_no_next(client, seeded):
    response, page = get_json(client, f"{API}/facts?limit=100")
    assert page["next"] is None and "Link" not in response


# --- HTTP: ETags, CORS, methods, errors --------------------------------------------------------------


def test_a_repeat_request_is_answered_304_until_the_data_changes(client, seeded):
    response, _ = get_json(client, f"{API}/facts/over-budget")
    etag = response["ETag"]
    get_json(client, f"{API}/facts/over-budget", status=304, if_none_match=etag)
    Fact.objects.filter(key="over-budget").update(text="Changed.")
    changed, fact = get_json(client, f"{API}/facts/over-budget", if_none_match=etag)
    assert changed["ETag"] != etag and fact["text"] == "Changed."


def test_writes_are_refused_with_405_and_preflights_answered(client, seeded):
    for method in ("post", "put", "patch", "delete"):
        response = getattr(client, method)(f"{API}/facts")
        assert response.status_code == 405
        assert response["Allow"] == "GET, HEAD, OPTIONS"
        assert response["Access-Control-Allow-Origin"] == "*"
        assert json.loads(response.content)["status"] == 405
    preflight = client.options(f"{API}/facts", headers={"Origin": "https://museum.example"})
    assert preflight.status_code == 204
    assert "If-None-Match" in preflight["Access-Control-Allow-Headers"]
    head = client.head(f"{API}/facts")
    assert head.status_code == 200 and head.content == b"" and head["ETag"]


def test_unknown_addresses_are_json_404s(client, seeded):
    for path in (f"{API}/films/nope", f"{API}/facts/nope", f"{API}/nope", f"{API}/films/a%00b", f"{API}/sources/x/y"):
        response, problem = get_json(client, path, status=404)
        assert response["Content-Type"] == "application/problem+json" and problem["status"] == 404


def test_hostile_stored_text_comes_out_as_valid_json(client, seeded):
    hostile = "</script><script>alert(1)</script> \"quotes\" \\ \x01\x1f\u2028\u2029 🩰 =cmd|'/C calc'!A0"
    fact = FactFactory(text=hostile, people=[PersonFactory(name=hostile, slug="hostile-person")])
    CitationFactory(fact=fact, source=SourceFactory(title=hostile, content=hostile + "\n\nMore text."), quote=hostile)
    for path in (f"{API}/facts/{fact.key}", f"{API}/facts?limit=100", f"{API}/people", f"{API}/sources"):
        _, document = get_json(client, path)
    _, document = get_json(client, f"{API}/facts/{fact.key}")
    assert document["text"] == hostile and document["people"][0]["name"] == hostile


# --- Query counts --------------------------------------------------------------------------------------


def queries(client, path) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200, response.content[:500]
    return len(captured)


def add_cited_facts(count: int):
    film, source = FilmFactory(), SourceFactory()
    for number in range(count):
        fact = FactFactory(film=film, text=f"Extra fact {number}.", people=[PersonFactory()])
        CitationFactory(fact=fact, source=source)
        CreditFactory(film=film, person=fact.people.get())


@pytest.mark.parametrize(
    "path",
    [f"{API}/facts?limit=25", f"{API}/facts?q=fact&limit=25", f"{API}/films", f"{API}/people", f"{API}/sources"],
)
def test_a_page_costs_the_same_queries_however_many_rows_there_are(client, seeded, path):
    add_cited_facts(3)
    few = queries(client, path)
    add_cited_facts(40)
    assert queries(client, path) == few


def test_a_film_costs_the_same_queries_however_many_credits_it_has(client, seeded):
    film = FilmFactory()
    CreditFactory(film=film)
    few = queries(client, reverse("api-v1:film_detail", kwargs={"slug": film.slug}))
    for _ in range(20):
        CreditFactory(film=film)
    assert queries(client, reverse("api-v1:film_detail", kwargs={"slug": film.slug})) == few


# --- The guide for people ----------------------------------------------------------------------------


def test_the_guide_gives_live_examples_that_work(client, seeded):
    response = client.get("/api/")
    assert response.status_code == 200
    html = response.content.decode()
    newest = Fact.objects.published().filter(is_spoiler=False).order_by("-published_at", "-pk").first()
    assert f"{settings.SITE_URL}{API}/facts/{newest.key}" in html
    assert "&quot;key&quot;: &quot;" + newest.key in html  # the example answer, taken from the data
    assert "TextQuoteSelector" in html and 'href="/feed.atom"' in html
    for link in re.findall(r'href="(http://[^"]+/api/v1/[^"]*)"', html):
        response = client.get(link.removeprefix(settings.SITE_URL).replace("&amp;", "&"))
        assert response.status_code == 200, link
    documented_error = re.search(r"There is no film called “no-such-film”\.", html)
    _, problem = get_json(client, f"{API}/facts?film=no-such-film", status=400)
    assert documented_error and problem["errors"]["film"][0]["message"] == documented_error.group(0)


def test_the_guide_is_linked_from_every_page(client, seeded):
    assert '<a href="/api/">Open data</a>' in client.get("/").content.decode()


def test_crawlers_are_kept_out_of_the_json_but_not_the_guide_or_the_feeds(client, seeded):
    lines = client.get("/robots.txt").content.decode().splitlines()
    disallowed = [line.split(":", 1)[1].strip() for line in lines if line.startswith("Disallow:")]
    assert "/api/v1/" in disallowed
    for path in ("/api/", "/feed.atom", "/films/x/feed.atom"):
        assert not any(path.startswith(rule) for rule in disallowed), path
