"""Citations as W3C Web Annotations: every selector resolves to exactly the quoted passage.

An annotation tool re-anchors a citation by its `TextQuoteSelector` (prefix + exact +
suffix must occur once in the text, or it would anchor on the wrong passage) or by its
`TextPositionSelector` (the offsets). Both are checked for every seeded and demo citation,
as the API serves them, against the source text the API serves.
"""

import json

import pytest
from django.conf import settings
from hypothesis import given
from hypothesis import strategies as st

from tests.factories import CitationFactory, FactFactory, SourceFactory
from trivia import annotations
from trivia.demo.writing import generate_demo_data
from trivia.models import Citation, Fact, Source

API = "/api/v1"
ANNOTATION_TYPE = 'application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"'


def get_ld(client, path, status=200):
    response = client.get(path.removeprefix(settings.SITE_URL))
    assert response.status_code == status, (path, response.content[:500])
    if status == 200:
        assert response["Content-Type"] == ANNOTATION_TYPE
    return json.loads(response.content)


def source_annotations(client, source: Source) -> list[dict]:
    """Every annotation of a source's collection, page by page."""
    collection = get_ld(client, f"{API}/sources/{source.slug}/annotations")
    assert collection["@context"] == annotations.CONTEXT and collection["type"] == "AnnotationCollection"
    items, url = [], collection.get("first")
    while url:
        page = get_ld(client, url)
        assert page["type"] == "AnnotationPage" and page["partOf"]["id"] == collection["id"]
        assert page["startIndex"] == len(items)
        items += page["items"]
        url = page.get("next")
    assert len(items) == collection["total"]
    return items


def assert_resolves(annotation: dict, text: str):
    """Both selectors find the passage, and the quote with its context occurs exactly once."""
    quote, position = annotation["target"]["selector"]
    assert quote["type"] == "TextQuoteSelector" and position["type"] == "TextPositionSelector"
    assert text[position["start"] : position["end"]] == quote["exact"]
    needle = quote["prefix"] + quote["exact"] + quote["suffix"]
    first = text.find(needle)
    assert first != -1 and text.find(needle, first + 1) == -1, f"{needle!r} is not unique"
    assert first + len(quote["prefix"]) == position["start"]
    assert len(quote["prefix"]) >= min(32, position["start"])
    assert len(quote["suffix"]) >= min(32, len(text) - position["end"])


def assert_every_citation_resolves(client):
    checked = 0
    for source in Source.objects.all():
        text = json.loads(client.get(f"{API}/sources/{source.slug}").content)["text"]
        for annotation in source_annotations(client, source):
            assert annotation["target"]["source"] == f"{settings.SITE_URL}/sources/{source.slug}/"
            assert_resolves(annotation, text)
            checked += 1
    assert checked == Citation.objects.filter(fact__status="published", is_broken=False).count()
    return checked


@pytest.mark.django_db
def test_every_seeded_citation_resolves_to_its_quote(client, seeded):
    assert assert_every_citation_resolves(client) == 24


@pytest.mark.django_db
def test_every_demo_citation_resolves_to_its_quote(client, seeded):
    generate_demo_data(films=3, facts=400, seed=1)
    assert assert_every_citation_resolves(client) > 400


@pytest.mark.django_db
def test_a_fact_annotation_links_the_fact_to_the_passage(client, seeded):
    fact = Fact.objects.get(key="rank-walked-out")
    collection = get_ld(client, f"{API}/facts/{fact.key}/annotations")
    assert collection["total"] == fact.citations.count()
    annotation = collection["first"]["items"][0]
    assert annotation["type"] == "Annotation" and annotation["motivation"] == "linking"
    assert annotation["body"]["id"] == settings.SITE_URL + fact.get_absolute_url()
    # The annotation's id is its own address.
    alone = get_ld(client, annotation["id"])
    assert alone["@context"] == annotations.CONTEXT
    assert {k: v for k, v in alone.items() if k != "@context"} == annotation


@pytest.mark.django_db
def test_broken_citations_and_drafts_are_not_annotations(client, seeded):
    source = Source.objects.get()
    draft = CitationFactory(fact=FactFactory(status=Fact.Status.DRAFT), source=source, quote="The film")
    broken = Citation.objects.filter(fact__key="over-budget").get()
    Citation.objects.filter(pk=broken.pk).update(is_broken=True, broken_reason="The source changed.")
    ids = {a["id"] for a in source_annotations(client, source)}
    assert len(ids) == 23
    assert not any(f"/facts/{draft.fact.key}/" in i or "/facts/over-budget/" in i for i in ids)
    get_ld(client, f"{API}/facts/over-budget/annotations/{source.slug}/{broken.start}-{broken.end}", status=404)
    assert get_ld(client, f"{API}/facts/over-budget/annotations")["total"] == 0


@pytest.mark.django_db
def test_a_source_collection_is_paged_by_a_hundred(client, seeded):
    source = SourceFactory(content="\n\n".join(f"Sentence number {n} of the long source." for n in range(150)))
    for n in range(130):
        CitationFactory(source=source, quote=f"Sentence number {n} of the long source.")
    collection = get_ld(client, f"{API}/sources/{source.slug}/annotations")
    assert collection["total"] == 130 and collection["last"].endswith("?page=2")
    first = get_ld(client, collection["first"])
    assert len(first["items"]) == 100 and "prev" not in first
    second = get_ld(client, first["next"])
    assert len(second["items"]) == 30 and second["startIndex"] == 100 and "next" not in second
    get_ld(client, f"{API}/sources/{source.slug}/annotations?page=3", status=404)
    for bad in ("0", "-1", "two", "1e3"):
        get_ld(client, f"{API}/sources/{source.slug}/annotations?page={bad}", status=400)


# --- The context, as a pure function -----------------------------------------------------------------


def test_the_context_is_32_characters_where_that_is_unique():
    text = "".join(chr(0x41 + n % 26) + str(n) for n in range(200))
    prefix, suffix = annotations.quote_context(text, 100, 110)
    assert (prefix, suffix) == (text[68:100], text[110:142])


def test_the_context_widens_until_the_passage_is_the_only_match():
    repeated = "the curtain falls and the dancer bows " * 6
    text = "Opening. " + repeated + "Closing."
    start = text.index("dancer", 100)
    prefix, suffix = annotations.quote_context(text, start, start + 6)
    assert annotations.occurs_once(text, prefix + "dancer" + suffix)
    assert len(prefix) > 32 or len(suffix) > 32


def test_at_the_edges_of_the_text_the_context_is_what_there_is():
    assert annotations.quote_context("Only this.", 0, 10) == ("", "")
    assert annotations.quote_context("ab ab", 0, 2) == ("", " ab")


@given(
    text=st.text(alphabet="ab \n", min_size=1, max_size=120),
    data=st.data(),
)
def test_any_passage_gets_a_context_that_finds_it_alone(text, data):
    start = data.draw(st.integers(0, len(text) - 1))
    end = data.draw(st.integers(start + 1, len(text)))
    prefix, suffix = annotations.quote_context(text, start, end)
    assert text[start - len(prefix) : start] == prefix and text[end : end + len(suffix)] == suffix
    needle = prefix + text[start:end] + suffix
    assert text.find(needle) == start - len(prefix)
    assert annotations.occurs_once(text, needle)


@pytest.mark.django_db
def test_a_page_of_annotations_costs_the_same_queries_however_many_citations(client, seeded):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    source = SourceFactory(content="\n\n".join(f"Line {n} of a source cited many times." for n in range(80)))

    def count():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(f"{API}/sources/{source.slug}/annotations?page=1").status_code == 200
        return len(captured)

    for n in range(3):
        CitationFactory(source=source, quote=f"Line {n} of a source cited many times.")
    few = count()
    for n in range(3, 80):
        CitationFactory(source=source, quote=f"Line {n} of a source cited many times.")
    assert count() == few


@pytest.mark.django_db
def test_the_annotation_documents_have_the_shapes_the_openapi_schema_gives(client, seeded):
    from trivia.api import schemas

    collection = get_ld(client, f"{API}/facts/rank-walked-out/annotations")
    schemas.AnnotationCollection.model_validate(collection)
    schemas.StandaloneAnnotation.model_validate(get_ld(client, collection["first"]["items"][0]["id"]))
    source = Source.objects.get()
    schemas.AnnotationCollection.model_validate(get_ld(client, f"{API}/sources/{source.slug}/annotations"))
    schemas.AnnotationPage.model_validate(get_ld(client, f"{API}/sources/{source.slug}/annotations?page=1"))
    schema = json.loads(client.get(f"{API}/openapi.json").content)
    answer = schema["paths"]["/api/v1/facts/{key}/annotations"]["get"]["responses"]["200"]["content"]
    assert list(answer) == [ANNOTATION_TYPE]
