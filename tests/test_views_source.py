"""The source page: the whole text, numbered paragraphs, every cited passage marked and linked back."""

import json
import re

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import CitationFactory, FactFactory, FilmFactory, SourceFactory, TopicFactory
from tests.htmltree import parse
from trivia import bulk
from trivia.models import Citation, Fact, Source

pytestmark = pytest.mark.django_db

SEED_SOURCE = "the-red-shoes-1948-trivia"


def source_url(source_or_slug):
    slug = getattr(source_or_slug, "slug", source_or_slug)
    return reverse("trivia:source_detail", args=[slug])


def get_page(client, source_or_slug):
    response = client.get(source_url(source_or_slug))
    assert response.status_code == 200
    return parse(response.content.decode())  # fails on any mismatched tag


def json_ld_blocks(page):
    return [json.loads(s.text()) for s in page.find_all("script", type="application/ld+json")]


@pytest.fixture
def staff_client():
    """A second browser, logged in as an editor, beside the anonymous `client`."""
    staff = Client()
    staff.force_login(get_user_model().objects.create_user("editor", is_staff=True))
    return staff


def test_every_footnote_on_the_film_page_lands_on_exactly_its_quote(client, red_shoes):
    """Following any reference from the film page shows the cited words, no more, no fewer."""
    film_page = parse(client.get(red_shoes.get_absolute_url()).content.decode())
    links = [
        a.attrs["href"]
        for a in film_page.find_all("ol", class_="notes")[0].find_all("a")
        if "/sources/" in a.attrs.get("href", "")
    ]
    citations = Citation.objects.filter(fact__film=red_shoes, fact__status=Fact.Status.PUBLISHED)
    assert {c.anchor for c in citations} == {link.split("#")[1] for link in links}

    pages = {}
    for link in links:
        path, anchor = link.split("#")
        if path not in pages:
            response = client.get(path)
            assert response.status_code == 200, path
            pages[path] = parse(response.content.decode())
        start, end = (int(n) for n in re.fullmatch(r"c(\d+)-(\d+)", anchor).groups())
        expected = Citation.objects.filter(start=start, end=end).values_list("quote", flat=True).first()
        target = pages[path].by_id(anchor)
        assert target is not None, link
        assert target.tag == "mark"
        assert target.text() == expected


def test_nested_spans_in_the_seed_are_nested_marks_each_holding_its_own_quote(client, seeded):
    page = get_page(client, SEED_SOURCE)
    outer = Citation.objects.get(fact__key="ballet-six-weeks")
    inner = Citation.objects.get(fact__key="heckroth-120-paintings", quote="The title ballet sequence")

    assert page.by_id(outer.anchor).text() == "The title ballet sequence took six weeks to shoot"
    assert page.by_id(inner.anchor).text() == "The title ballet sequence"
    assert page.by_id(inner.anchor) in page.by_id(outer.anchor).iter()


def test_a_passage_two_facts_cite_is_one_mark_with_a_backlink_to_each(client, seeded):
    page = get_page(client, SEED_SOURCE)
    shared = Citation.objects.filter(quote__startswith="in Hans Christian Andersen's original fairy tale")
    assert shared.count() == 2
    anchor = shared.first().anchor

    assert len([m for m in page.find_all("mark") if m.attrs.get("id") == anchor]) == 1
    mark = page.by_id(anchor)
    paragraph = page.by_id("p6")
    backlinks = [a.attrs["href"] for a in paragraph.find_all("a", class_="backlink")]
    for fact in Fact.objects.filter(citations__in=shared):
        assert fact.get_absolute_url() in backlinks
    assert mark.text() == shared.first().quote


def test_the_sources_own_emphasis_shows_and_the_quote_still_matches(client, seeded):
    page = get_page(client, SEED_SOURCE)
    citation = Citation.objects.get(fact__key="red-shoes-backstage-complaint")

    mark = page.by_id(citation.anchor)
    assert mark.text() == citation.quote  # asterisks included
    assert [em.text() for em in mark.find_all("em")] == ["*backstage*"]


def test_crossing_passages_still_give_a_well_formed_page(client):
    source = SourceFactory(content="The studio doubted the picture from the first day of shooting.")
    first = CitationFactory(source=source, quote="The studio doubted the picture")
    second = CitationFactory(source=source, quote="the picture from the first day")

    page = get_page(client, source)  # parse() raises on crossed tags

    assert page.by_id(first.anchor).text() == first.quote
    assert second.quote.startswith(page.by_id(second.anchor).text())
    assert page.by_id("p1").find_all("mark", class_="citation citation-continued")
    hrefs = [a.attrs["href"] for a in page.find_all("a", class_="backlink")]
    assert first.fact.get_absolute_url() in hrefs and second.fact.get_absolute_url() in hrefs


def test_paragraphs_are_numbered_anchors_and_the_uncited_ones_are_listed(client):
    source = SourceFactory()  # four paragraphs
    CitationFactory(source=source)  # cites the first

    page = get_page(client, source)

    for number in (1, 2, 3, 4):
        paragraph = page.by_id(f"p{number}")
        assert paragraph.tag == "p"
        assert paragraph.find_all("a", href=f"#p{number}")
    uncited = page.find_all("ul", class_="uncited-paragraphs")[0]
    assert [a.attrs["href"] for a in uncited.find_all("a")] == ["#p2", "#p3", "#p4"]


def test_a_fully_cited_source_says_so(client, seeded):
    page = get_page(client, SEED_SOURCE)
    assert "Every paragraph is cited by at least one fact." in page.text()


def test_drafts_citations_are_not_shown_to_readers(client):
    source = SourceFactory()
    draft = FactFactory(status=Fact.Status.DRAFT, text="A secret draft claim.")
    citation = CitationFactory(source=source, fact=draft)

    page = get_page(client, source)

    assert page.by_id(citation.anchor) is None
    assert page.find_all("mark") == []
    assert draft.get_absolute_url() not in [a.attrs.get("href") for a in page.find_all("a")]
    assert "A secret draft claim." not in page.text()
    uncited = page.find_all("ul", class_="uncited-paragraphs")[0]
    assert "#p1" in [a.attrs["href"] for a in uncited.find_all("a")]


def test_staff_see_drafts_citations_marked_as_drafts(staff_client):
    source = SourceFactory()
    draft = FactFactory(status=Fact.Status.DRAFT, text="A draft claim.")
    citation = CitationFactory(source=source, fact=draft)

    page = get_page(staff_client, source)

    mark = page.by_id(citation.anchor)
    assert mark.has_class("is-draft")
    (link,) = page.find_all("a", class_="backlink")
    assert link.attrs["href"] == draft.get_absolute_url()
    assert link.attrs["aria-label"] == "Back to the fact (draft): A draft claim."


def test_a_broken_citation_is_listed_for_attention_not_highlighted(client):
    source = SourceFactory()
    citation = CitationFactory(source=source, fact__text="A fact whose source changed.")
    Citation.objects.filter(pk=citation.pk).update(is_broken=True, broken_reason="The quote was edited out.")

    page = get_page(client, source)

    assert page.find_all("mark") == []
    item = page.by_id(citation.anchor)  # the footnote still lands somewhere useful
    assert item.tag == "li"
    assert "The quote was edited out." in item.text()
    assert citation.quote in item.text()
    assert item.find_all("a", href=citation.fact.get_absolute_url())


def test_the_sources_metadata_and_fingerprint_are_shown(client):
    source = SourceFactory(
        title="Powell on Pressburger",
        kind=Source.Kind.BOOK,
        author="Michael Powell",
        publisher="Heinemann",
        url="https://example.org/powell",
    )
    Source.objects.filter(pk=source.pk).update(accessed="2024-03-01")

    page = get_page(client, source)
    meta = page.find_all("dl", class_="source-meta")[0]

    text = " ".join(meta.text().split())
    for expected in ("Book", "Michael Powell", "Heinemann", "1 March 2024", source.sha256):
        assert expected in text
    assert meta.find_all("a", href="https://example.org/powell")


def test_the_source_page_links_to_the_facts_citing_it_in_search(client, seeded):
    page = get_page(client, SEED_SOURCE)
    (link,) = page.find_all("a", href=f"/facts/?source={SEED_SOURCE}")
    assert link.text() == "19 facts"


def test_a_non_web_url_is_shown_as_text_never_as_a_link(client):
    source = SourceFactory()
    # The model refuses such a URL; a raw update (or an old fixture) could still store one.
    Source.objects.filter(pk=source.pk).update(url="javascript:alert(1)")

    page = get_page(client, source)

    assert not [a for a in page.find_all("a") if a.attrs.get("href", "").startswith("javascript")]
    assert "sameAs" not in json_ld_blocks(page)[0]


def test_html_in_the_source_and_fact_text_is_shown_as_text_everywhere(client):
    hostile = '</script><script>alert("x")</script><img src=x onerror=alert(1)>'
    source = SourceFactory(title=hostile, author=hostile, content=f"Before {hostile} after.")
    CitationFactory(source=source, quote=hostile, fact__text=f"Fact with {hostile}")

    response = client.get(source_url(source))
    body = response.content.decode()
    page = parse(body)

    assert page.find_all("img") == []
    scripts = page.find_all("script", src=None)
    assert [s.attrs.get("type") for s in scripts] == ["application/ld+json"]
    (data,) = json_ld_blocks(page)
    assert data["name"] == hostile and data["author"]["name"] == hostile  # escaped, not altered
    assert page.by_id(Citation.objects.get().anchor).text() == hostile
    assert page.find_all("h1")[0].text() == hostile


def test_the_source_is_described_as_a_creative_work(client, seeded):
    page = get_page(client, SEED_SOURCE)
    (data,) = json_ld_blocks(page)
    source = Source.objects.get(slug=SEED_SOURCE)
    assert data["@type"] == "CreativeWork"
    assert data["name"] == source.title
    assert data["url"].endswith(source_url(source))
    assert data["identifier"]["value"] == source.sha256


def test_an_unknown_source_is_404(client):
    assert client.get(source_url("no-such-source")).status_code == 404


def test_a_repeat_request_is_answered_not_modified(client, seeded):
    first = client.get(source_url(SEED_SOURCE))
    repeat = client.get(source_url(SEED_SOURCE), headers={"if-none-match": first.headers["ETag"]})
    assert repeat.status_code == 304


def source_cited_by(fact_count):
    """A source whose four paragraphs are cited by `fact_count` published facts."""
    source = SourceFactory()
    paragraphs = source.content.split("\n\n")
    film, topic = FilmFactory(), TopicFactory()
    facts = bulk.create(
        Fact,
        [
            Fact(film=film, topic=topic, text=f"Fact {n}.", status=Fact.Status.PUBLISHED, position=n)
            for n in range(fact_count)
        ],
    )
    citations = []
    for n, fact in enumerate(facts):
        quote = paragraphs[n % 4]
        start = source.content.index(quote)
        citations.append(Citation(fact=fact, source=source, quote=quote, start=start, end=start + len(quote)))
    bulk.create(Citation, citations)  # the writer sets each citation's paragraph, as every write path must
    return source


@pytest.mark.parametrize("fact_count", [10, 1000])
def test_source_page_query_count_does_not_grow_with_citations(client, fact_count):
    """The content version, the source, its citing facts' tokens, every citation with its fact; again unchanged: 3."""
    source = source_cited_by(fact_count)

    with CaptureQueriesContext(connection) as queries:
        response = client.get(source_url(source))
    with CaptureQueriesContext(connection) as again:
        assert client.get(source_url(source))["X-Render"] == "REUSED"

    assert response.status_code == 200
    assert len(queries) == 4 and len(again) == 3
    assert response.content.decode().count('class="backlink"') == fact_count


# --- Spoilers ------------------------------------------------------------------------------


def shown_without_opening(node) -> str:
    """The text a reader sees before opening any <details>: only summaries show."""
    if isinstance(node, str):
        return node
    if node.tag == "details":
        shown = [child for child in node.children if not isinstance(child, str) and child.tag == "summary"]
        return "".join(shown_without_opening(child) for child in shown)
    return "".join(shown_without_opening(child) for child in node.children)


def read_as_source(node) -> str:
    """A paragraph's words as the source has them, leaving out the back-link arrows."""
    if isinstance(node, str):
        return node
    if node.tag == "sup" and node.has_class("backlinks"):
        return ""
    return "".join(read_as_source(child) for child in node.children)


SPOILER_ONLY = [
    "There is a frequent complaint",
    "Vicky's dresser is clearly seen carrying",
    "She was probably just checking",
    "When people complained to Hein Heckroth",
]


def test_words_only_spoilers_cite_are_folded_and_read_verbatim_once_opened(client, seeded):
    page = get_page(client, SEED_SOURCE)
    source = Source.objects.get(slug=SEED_SOURCE)
    text = shown_without_opening(page.find_all("div", class_="source-text")[0])

    for words in SPOILER_ONLY:
        assert words not in text
    for number in (3, 6):
        paragraph = page.by_id(f"p{number}")
        (details,) = paragraph.find_all("details")
        assert "open" not in details.attrs
        assert details.find_all("summary")[0].text() == "Spoiler: reveals the ending"
        # Opened, the paragraph reads exactly as the source does.
        words = details.find_all("p", class_="source-words")[0]
        assert read_as_source(words) == source.paragraphs()[number - 1].text
    # Around them, the other paragraphs are shown as before.
    assert "The film went massively over budget" in text and "BFI 100" in text


def test_a_passage_other_facts_cite_stays_readable_beside_a_folded_spoiler(client, seeded):
    page = get_page(client, SEED_SOURCE)
    andersen = Citation.objects.get(fact__key="andersen-feet-hacked-off")

    excerpt = page.by_id("p6").find_all("p", class_="spoiler-excerpt")[0]
    assert page.by_id(andersen.anchor) in excerpt.iter()
    assert read_as_source(excerpt) == f"… {andersen.quote}"
    # The spoiler fact's arrow would name it: only the other fact's arrow is there.
    assert [a.attrs["href"] for a in excerpt.find_all("a")] == ["/facts/andersen-feet-hacked-off/"]
    assert not [a for a in excerpt.find_all("a") if "complained" in a.attrs.get("aria-label", "")]


def test_arriving_from_a_spoilers_note_opens_its_paragraph(client, seeded):
    response = client.get(f"{source_url(SEED_SOURCE)}?for=red-shoes-backstage-complaint&note=19&from=film")
    page = parse(response.content.decode())
    citation = Citation.objects.get(fact__key="red-shoes-backstage-complaint")

    assert "open" in page.by_id("p3").find_all("details")[0].attrs
    assert "open" not in page.by_id("p6").find_all("details")[0].attrs
    target = page.by_id(citation.anchor)
    assert target.has_class("is-cited-for")
    assert target in page.by_id("p3").find_all("details")[0].iter()


def test_arriving_from_a_note_that_is_not_a_spoiler_shows_no_spoiler_text(client, seeded):
    andersen = Citation.objects.get(fact__key="andersen-feet-hacked-off")
    response = client.get(f"{source_url(SEED_SOURCE)}?for=andersen-feet-hacked-off&note=23&from=film")
    page = parse(response.content.decode())

    assert all("open" not in details.attrs for details in page.find_all("details"))
    text = shown_without_opening(page.find_all("div", class_="source-text is-focused")[0])
    for words in SPOILER_ONLY:
        assert words not in text
    assert page.by_id(andersen.anchor) in page.by_id("p6").find_all("p", class_="spoiler-excerpt")[0].iter()
    banner = page.find_all("aside", class_="cited-for")[0].text()
    assert "In Hans Christian Andersen's original fairy tale" in banner


def test_a_broken_spoiler_citation_is_folded_too(client):
    source = SourceFactory()
    citation = CitationFactory(source=source, fact__text="The ending, broken.", fact__is_spoiler=True)
    Citation.objects.filter(pk=citation.pk).update(is_broken=True, broken_reason="Gone.")

    page = get_page(client, source)

    item = page.by_id(citation.anchor)
    assert "The ending, broken." not in shown_without_opening(item)
    assert "The ending, broken." in item.text()
