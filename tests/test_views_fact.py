"""The fact permalink: the fact, its citations and a plain-text "Cite this fact" block."""

from datetime import UTC, date, datetime
from unittest import mock

import pytest
from django.test import override_settings
from django.urls import reverse

from tests.factories import CitationFactory, FactFactory, PersonFactory, SourceFactory
from tests.htmltree import parse
from tests.reading_data import film_with_facts
from trivia.models import Fact

pytestmark = pytest.mark.django_db


def fact_url(key):
    return reverse("trivia:fact_detail", args=[key])


@override_settings(SITE_URL="https://redshoes.example")
def test_permalink_shows_the_fact_its_citation_and_a_cite_block(client, seeded):
    response = client.get(fact_url("rank-walked-out"))

    assert response.status_code == 200
    page = parse(response.content.decode())
    fact = Fact.objects.get(key="rank-walked-out")
    citation = fact.citations.get()
    assert fact.text in page.by_id("fact-rank-walked-out").text()
    # The fact is the headline; the film and topic are a line above it.
    (heading,) = page.find_all("h1")
    assert heading.text().replace("\u2060", "") == f"{fact.text}[1]"  # a word joiner keeps [1] on the line
    kicker = " ".join(page.find_all("p", class_="kicker")[0].text().split())
    assert kicker == "A fact about The Red Shoes (1948) · Release and distribution"
    entry = page.by_id("ref-1")
    assert [a.attrs["href"] for a in entry.find_all("a") if a.attrs["href"].startswith("/sources/")] == [
        f"/sources/the-red-shoes-1948-trivia/?for=rank-walked-out&note=1&from=fact#{citation.anchor}"
    ]
    cite = page.by_id("cite-text")
    assert cite.tag == "textarea" and "readonly" in cite.attrs
    label = page.find_all("label", for_="cite-text")
    assert label and label[0].text() == "Plain text to copy"
    block = cite.text()
    for expected in (
        fact.text,
        "The Red Shoes (1948)",
        "The Red Shoes (1948): trivia notes, paragraph 1",
        citation.quote,
        "redshoes, https://redshoes.example/facts/rank-walked-out/ (accessed ",
    ):
        assert expected in block
    canonical = page.find_all("link", rel="canonical")[0]
    assert canonical.attrs["href"] == "https://redshoes.example/facts/rank-walked-out/"


def test_a_fact_with_two_citations_lists_both_in_order(client, seeded):
    page = parse(client.get(fact_url("rank-tried-to-bury-it")).content.decode())

    quotes = [q.text() for q in page.find_all("q")]
    assert quotes == [
        "It tried to bury the film by not giving it a premiere",
        "by just letting it quietly show at late screenings at a cinema in London",
    ]
    assert "Source [1]" in page.by_id("cite-text").text() and "Source [2]" in page.by_id("cite-text").text()


def test_a_draft_is_404_to_readers_and_marked_draft_for_staff(client, django_user_model):
    draft = FactFactory(status=Fact.Status.DRAFT, text="Not yet checked.")

    assert client.get(fact_url(draft.key)).status_code == 404

    client.force_login(django_user_model.objects.create_user("editor", is_staff=True))
    response = client.get(fact_url(draft.key))
    assert response.status_code == 200
    badge = parse(response.content.decode()).by_id(f"fact-{draft.key}").find_all("strong", class_="badge")
    assert badge[0].text() == "Draft"


def test_an_unknown_key_is_404(client):
    assert client.get(fact_url("no-such-fact")).status_code == 404


def test_a_spoiler_permalink_keeps_the_ending_out_of_title_heading_and_view(client, seeded):
    fact = Fact.objects.get(key="dresser-carries-pale-shoes")
    page = parse(client.get(fact_url(fact.key)).content.decode())

    title = page.find_all("title")[0].text()
    heading = page.find_all("h1")[0].text()
    description = page.find_all("meta", name="description")[0].attrs["content"]
    for shown in (title, heading, description):
        assert "dresser" not in shown
    for details in page.find_all("details"):
        assert details.find_all("summary")[0].text().startswith("Spoiler")
    fact_item = page.by_id(f"fact-{fact.key}")
    assert fact_item.find_all("details")[0].text().count(fact.text) == 1
    assert page.by_id("cite-text") in page.find_all("details")[-1].find_all("textarea")


def test_html_in_the_fact_is_escaped_in_the_page_and_the_cite_block(client):
    person = PersonFactory(name="<i>Ital</i>", slug="ital")
    fact = FactFactory(text='</textarea><script>alert("x")</script>', people=[person])
    CitationFactory(fact=fact)

    html = client.get(fact_url(fact.key)).content.decode()

    assert "<script>" not in html and "<i>Ital</i>" not in html
    page = parse(html)
    assert page.find_all("script", src=None) == []
    assert '</textarea><script>alert("x")</script>' in page.by_id("cite-text").text()


def test_a_broken_citation_is_flagged_on_the_permalink_and_in_the_cite_block(client):
    citation = CitationFactory()
    citation.is_broken = True
    citation.broken_reason = "The source was edited and the quote is gone."
    citation.save()

    page = parse(client.get(fact_url(citation.fact.key)).content.decode())

    assert "Needs attention:" in page.by_id("ref-1").text()
    assert "The source was edited and the quote is gone." in page.by_id("ref-1").text()
    assert not [a for a in page.by_id("ref-1").find_all("a") if "/sources/" in a.attrs["href"]]
    assert "needs attention" in page.by_id("cite-text").text()


def test_the_copy_button_is_progressive_enhancement(client, seeded):
    page = parse(client.get(fact_url("over-budget")).content.decode())

    buttons = page.find_all("button", class_="copy-button")
    assert [b.text() for b in buttons] == ["Copy citation", "Copy APA", "Copy MLA", "Copy BibTeX"]
    assert all("hidden" in button.attrs for button in buttons)  # shown only once the script has run
    scripts = page.find_all("script")
    assert [s.attrs["src"] for s in scripts] == ["/static/js/site.js", "/static/js/copy.js"]
    assert all(not s.text().strip() for s in scripts)


@pytest.mark.parametrize("fact_count", [10, 1000])
def test_fact_page_query_count_does_not_grow_with_facts(client, django_assert_num_queries, fact_count):
    _, facts = film_with_facts(fact_count)

    # content version, the fact's token, the fact (film, topic joined), people, citations (sources joined).
    with django_assert_num_queries(5):
        assert client.get(fact_url(facts[-1].key)).status_code == 200
    # Asked for again while it is unchanged: the content version and its token (trivia/page_renders.py).
    with django_assert_num_queries(2):
        assert client.get(fact_url(facts[-1].key))["X-Render"] == "REUSED"


def test_fact_page_query_count_does_not_grow_with_citations_or_people(client, django_assert_num_queries):
    fact = FactFactory(people=[PersonFactory() for _ in range(20)])
    source = SourceFactory()
    for paragraph in source.content.split("\n\n"):
        CitationFactory(fact=fact, source=source, quote=paragraph)
    for _ in range(10):
        CitationFactory(fact=fact)

    with django_assert_num_queries(5):
        response = client.get(fact_url(fact.key))

    assert len(parse(response.content.decode()).find_all("ol", class_="notes")[0].find_all("li")) == 14


@override_settings(SITE_URL="https://redshoes.example")
def test_cite_this_gives_apa_mla_and_bibtex_with_site_address_and_access_date(client, seeded):
    fact = FactFactory(text="The {ballet} cost 50% more & ran_long #1.", film=Fact.objects.get(key="over-budget").film)
    CitationFactory(fact=fact)
    Fact.objects.filter(pk=fact.pk).update(published_at=datetime(2024, 11, 2, 12, tzinfo=UTC))
    url = f"https://redshoes.example/facts/{fact.key}/"

    with mock.patch("django.utils.timezone.localdate", return_value=date(2025, 3, 9)):
        page = parse(client.get(fact_url(fact.key)).content.decode())

    apa, mla, bibtex = (page.by_id(f"cite-{style}").text() for style in ("apa", "mla", "bibtex"))
    assert apa == (
        "The {ballet} cost 50% more & ran_long #1 [Trivia about The Red Shoes (1948)]. (2024, November 2). redshoes. "
        f"Retrieved March 9, 2025, from {url}"
    )
    assert mla == (
        f"“The {{ballet}} cost 50% more & ran_long #1.” Trivia about The Red Shoes (1948), redshoes, "
        f"2 Nov. 2024, {url}. Accessed 9 Mar. 2025."
    )
    assert bibtex.startswith(f"@misc{{redshoes-{fact.key},")
    assert r"title        = {{The \{ballet\} cost 50\% more \& ran\_long \#1}}," in bibtex
    assert f"url          = {{{url}}}," in bibtex and "urldate      = {2025-03-09}" in bibtex
    assert "year         = {2024}," in bibtex
    assert bibtex.count("{") == bibtex.count("}")
    assert "(accessed 9 March 2025)" in page.by_id("cite-text").text()
    assert [h.text() for h in page.find_all("h3")] == ["APA", "MLA", "BibTeX"]


def test_the_access_date_is_today_even_for_a_page_kept_from_yesterday(client, seeded):
    """The page cache and ETags key on the date too, so "accessed" never shows a stale day."""
    with mock.patch("django.utils.timezone.localdate", return_value=date(2025, 3, 9)):
        first = client.get(fact_url("over-budget"))
    with mock.patch("django.utils.timezone.localdate", return_value=date(2025, 3, 10)):
        later = client.get(fact_url("over-budget"), headers={"if-none-match": first.headers["ETag"]})

    assert later.status_code == 200 and later.headers["ETag"] != first.headers["ETag"]
    assert "(accessed 10 March 2025)" in later.content.decode()
