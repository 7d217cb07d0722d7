"""The film page: facts grouped by topic, footnotes, references, spoilers, drafts, speed."""

import json

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.urls import reverse

from tests.factories import CitationFactory, CreditFactory, FactFactory, FilmFactory, PersonFactory
from tests.htmltree import parse
from tests.reading_data import film_with_facts
from trivia.models import Fact
from trivia.selectors.films import FILM_PAGE_SIZE

pytestmark = pytest.mark.django_db


def film_url(film, page=None):
    url = reverse("trivia:film_detail", args=[film.slug])
    return url if page is None else f"{url}?page={page}"


def visible_text(node) -> str:
    """The text a reader sees before opening any <details>: only a summary shows."""
    if isinstance(node, str):
        return node
    if node.tag == "details":
        return "".join(
            visible_text(child) for child in node.children if not isinstance(child, str) and child.tag == "summary"
        )
    return "".join(visible_text(child) for child in node.children)


def sections_by_topic(page):
    """{topic heading: [fact keys in the section]} from the film page's topic sections."""
    result = {}
    for section in page.find_all("section"):
        heading = section.find_all("h2")[0]
        if heading.attrs.get("id", "").startswith("topic-"):
            keys = [li.attrs["id"].removeprefix("fact-") for li in section.find_all("li") if li.has_class("fact")]
            result[heading.text().strip()] = keys
    return result


def test_every_published_seeded_fact_appears_once_under_its_topic(client, red_shoes):
    response = client.get(film_url(red_shoes))

    assert response.status_code == 200
    page = parse(response.content.decode())
    sections = sections_by_topic(page)
    published = Fact.objects.published().filter(film=red_shoes).select_related("topic")
    assert published.count() == 19
    for fact in published:
        assert sections[fact.topic.name].count(fact.key) == 1, fact.key
        item = page.by_id(f"fact-{fact.key}")  # by_id fails if an id is repeated
        assert fact.text in item.text()
    all_keys = [key for keys in sections.values() for key in keys]
    assert len(all_keys) == len(set(all_keys)) == 19


def test_topics_follow_their_display_order_and_the_contents_lists_them(client, red_shoes):
    page = parse(client.get(film_url(red_shoes)).content.decode())

    headings = list(sections_by_topic(page))
    assert headings == [
        "Production",
        "Release and distribution",
        "Reception and legacy",
        "Off screen",
        "The ending",
        "Source material",
    ]
    contents = [a.text() for a in page.find_all("nav", class_="toc")[0].find_all("a")]
    assert contents == [*headings, "Notes", "sources"]
    for link in page.find_all("nav", class_="toc")[0].find_all("a"):
        assert page.by_id(link.attrs["href"].lstrip("#")) is not None


def test_footnotes_are_numbered_across_the_page_and_lead_to_the_cited_passage(client, red_shoes):
    page = parse(client.get(film_url(red_shoes)).content.decode())

    markers = [a for sup in page.find_all("sup", class_="fn") for a in sup.find_all("a")]
    numbers = [int(a.text().strip("[]")) for a in markers]
    # Numbered in reading order; a passage two facts cite keeps its first number.
    assert sorted(set(numbers)) == list(range(1, max(numbers) + 1))
    first_seen = list(dict.fromkeys(numbers))
    assert first_seen == sorted(first_seen)
    for marker in markers:
        entry = page.by_id(marker.attrs["href"].lstrip("#"))
        assert entry is not None and entry.tag == "li"
        # The entry links back to the marker.
        assert any(a.attrs["href"] == f"#{marker.attrs['id']}" for a in entry.find_all("a"))
    citations = {c.anchor: c for f in Fact.objects.published() for c in f.citations.all()}
    for number, entry in enumerate(page.find_all("ol", class_="notes")[0].find_all("li", id=True), start=1):
        (link,) = [a for a in entry.find_all("a") if a.attrs["href"].startswith("/sources/")]
        path, anchor = link.attrs["href"].split("#")
        citation = citations[anchor]
        # Short, as on Wikipedia: the source is named in full once, under "Sources".
        assert link.text() == f"Trivia notes, ¶{citation.paragraph}"
        citing = Fact.objects.filter(citations__start=citation.start, citations__end=citation.end)
        assert path.endswith(f"&note={number}&from=film")
        assert path.split("?for=")[1].split("&")[0] in {fact.key for fact in citing}
        assert entry.find_all("q")[0].text() == citation.quote
    sources = page.find_all("ul", class_="sources")[0].find_all("li")
    (source,) = sources
    assert " ".join(source.text().split()).startswith("The Red Shoes (1948): trivia notes. Trivia page. ")
    # On paper the source's full address is printed.
    (address,) = source.find_all("span", class_="print-only")
    assert address.text() == f"Full text: {settings.SITE_URL}/sources/the-red-shoes-1948-trivia/"
    assert page.text().count("The Red Shoes (1948): trivia notes") == 1


def test_a_note_cited_by_several_facts_has_lettered_backlinks(client, red_shoes):
    page = parse(client.get(film_url(red_shoes)).content.decode())

    entry = page.find_all("ol", class_="notes")[0].find_all("li", id=True)[-1]
    backlinks = entry.find_all("span", class_="backlinks")[0]
    assert [(a.text(), a.attrs["aria-label"]) for a in backlinks.find_all("a")] == [
        ("a", "Back to fact a"),
        ("b", "Back to fact b"),
    ]
    # Its passage link speaks for the fact that is not a spoiler, so it never opens spoilers.
    (link,) = [a for a in entry.find_all("a") if a.attrs["href"].startswith("/sources/")]
    assert "?for=andersen-feet-hacked-off&note=23&from=film#" in link.attrs["href"]


def test_a_passage_two_facts_cite_is_one_reference_with_a_back_link_to_each(client, red_shoes):
    page = parse(client.get(film_url(red_shoes)).content.decode())

    grim = [a.attrs["href"] for a in page.by_id("fact-heckroth-defends-grim-ending").find_all("a")]
    tale = [a.attrs["href"] for a in page.by_id("fact-andersen-feet-hacked-off").find_all("a")]
    shared = {href for href in set(grim) & set(tale) if href.startswith("#ref-")}
    assert len(shared) == 1  # the same [n] on both facts
    entry = page.by_id(shared.pop().lstrip("#"))
    backlinks = [a.attrs["href"] for a in entry.find_all("span", class_="backlinks")[0].find_all("a")]
    assert backlinks == ["#cite-heckroth-defends-grim-ending-23", "#cite-andersen-feet-hacked-off-23"]
    assert len(backlinks) == 2
    assert all(page.by_id(href.lstrip("#")) is not None for href in backlinks)


def test_spoilers_are_collapsed_and_nothing_of_them_shows_until_opened(client, red_shoes):
    page = parse(client.get(film_url(red_shoes)).content.decode())
    shown = visible_text(page)

    spoilers = Fact.objects.filter(film=red_shoes, is_spoiler=True)
    assert spoilers.count() == 4
    # "The ending" holds only spoilers: one control folds all four.
    ending = page.by_id("topic-the-ending")
    section = next(s for s in page.find_all("section") if ending in s.iter())
    (details,) = section.find_all("details")
    summary = " ".join(details.find_all("summary")[0].text().split())
    assert summary.startswith("Show 4 spoilers") and "they reveal the ending" in summary
    for fact in spoilers:
        assert details.by_id(f"fact-{fact.key}") is not None
        assert fact.text not in shown
    # The references list quotes the passages too: one cited only by spoilers stays hidden.
    assert "Vicky's dresser is clearly seen carrying" in page.text()
    assert "Vicky's dresser is clearly seen carrying" not in shown


def test_people_a_fact_mentions_link_to_their_pages(client, red_shoes):
    page = parse(client.get(film_url(red_shoes)).content.decode())

    item = page.by_id("fact-rank-walked-out")
    links = {a.attrs.get("aria-label", a.text()): a.attrs["href"] for a in item.find_all("a")}
    assert links["J. Arthur Rank"] == reverse("trivia:person_detail", args=["j-arthur-rank"])
    # The permalink is a small ¶ at the end of the claim, named for assistive technology.
    (permalink,) = item.find_all("a", class_="permalink")
    assert permalink.text() == "¶" and permalink.attrs["aria-label"] == "Permalink"
    assert permalink.attrs["href"] == reverse("trivia:fact_detail", args=["rank-walked-out"])
    assert permalink in item.find_all("p", class_="fact-text")[0].iter()


def test_drafts_are_absent_for_readers_and_marked_for_staff(client, django_user_model, red_shoes):
    FactFactory(film=red_shoes, text="An unchecked rumour about the shoes.", status=Fact.Status.DRAFT, key="rumour")

    assert "An unchecked rumour" not in client.get(film_url(red_shoes)).content.decode()

    client.force_login(django_user_model.objects.create_user("editor", is_staff=True))
    page = parse(client.get(film_url(red_shoes)).content.decode())
    item = page.by_id("fact-rumour")
    assert "An unchecked rumour about the shoes." in item.text()
    assert item.find_all("strong", class_="badge")[0].text() == "Draft"


def test_a_logged_in_non_staff_user_sees_no_drafts(client, django_user_model, red_shoes):
    FactFactory(film=red_shoes, text="An unchecked rumour about the shoes.", status=Fact.Status.DRAFT)
    client.force_login(django_user_model.objects.create_user("reader"))

    assert "An unchecked rumour" not in client.get(film_url(red_shoes)).content.decode()


def test_html_in_fact_text_and_person_names_is_shown_as_text(client):
    person = PersonFactory(name='<b onmouseover="x()">Bold</b>', slug="bold")
    fact = FactFactory(text="<script>alert('fact')</script> & more", people=[person])
    CitationFactory(fact=fact)

    response = client.get(film_url(fact.film))
    html = response.content.decode()

    assert "<script>alert" not in html and '<b onmouseover="x()">' not in html
    page = parse(html)
    assert page.find_all("script", type=None, src=None) == [] and page.find_all("b") == []
    item = page.by_id(f"fact-{fact.key}")
    assert "<script>alert('fact')</script> & more" in item.text()
    assert '<b onmouseover="x()">Bold</b>' in item.text()


def test_film_page_json_ld_is_a_movie_that_survives_html_in_titles_and_names(client):
    film = FilmFactory(title="</script><script>alert('t')</script>", slug="evil-1950")
    CreditFactory(film=film, person=PersonFactory(name="<img src=x onerror=y()>", slug="img"), character="Vicky")
    FactFactory(film=film)

    page = parse(client.get(film_url(film)).content.decode())

    scripts = page.find_all("script", src=None)
    assert [s.attrs.get("type") for s in scripts] == ["application/ld+json"]
    data = json.loads(scripts[0].text())
    assert data["@type"] == "Movie" and data["name"] == "</script><script>alert('t')</script>"
    assert data["actor"][0]["name"] == "<img src=x onerror=y()>"
    assert page.find_all("img") == []
    assert "<img src=x onerror=y()> (actor, Vicky)" in " ".join(
        page.find_all("div", class_="credits")[0].text().split()
    )


def test_a_broken_citation_needs_attention_and_is_not_a_link(client):
    citation = CitationFactory()
    citation.is_broken = True
    citation.broken_reason = "The quote no longer occurs in the source."
    citation.save()

    page = parse(client.get(film_url(citation.fact.film)).content.decode())
    entry = page.find_all("ol", class_="notes")[0].find_all("li")[0]

    assert "Needs attention:" in entry.text()
    assert "The quote no longer occurs in the source." in entry.text()
    assert not [a for a in entry.find_all("a") if a.attrs["href"].startswith("/sources/")]
    # The claim itself says so, right after its note marker.
    claim = page.by_id(f"fact-{citation.fact.key}").find_all("p", class_="fact-text")[0]
    flag = claim.find_all("strong", class_="attention-flag")[0]
    assert flag.text() == "needs attention"
    assert claim.children.index(flag) == claim.children.index(claim.find_all("sup", class_="fn")[-1]) + 2


def test_an_unknown_film_is_404(client):
    assert client.get(reverse("trivia:film_detail", args=["no-such-film"])).status_code == 404


@pytest.mark.parametrize("raw", ["2", "abc", "0", "²", "１", "-1", "9" * 40])
def test_any_page_number_shows_a_page_clamped_like_search_results(client, raw):
    """One rule for every paged page: junk or too small gives the first page, too big the last."""
    film = FilmFactory()
    fact = FactFactory(film=film)

    response = client.get(film_url(film, page=raw))

    assert response.status_code == 200
    html = response.content.decode()
    assert f'id="fact-{fact.key}"' in html
    assert f'<link rel="canonical" href="{settings.SITE_URL}{film.get_absolute_url()}">' in html


def test_a_film_with_no_published_facts_says_so(client):
    film = FilmFactory()

    response = client.get(film_url(film))

    assert response.status_code == 200
    assert "No facts about this film have been published yet." in response.content.decode()


@pytest.mark.parametrize("fact_count", [10, 1000])
def test_film_page_query_count_does_not_grow_with_facts(client, django_assert_num_queries, fact_count):
    film, _ = film_with_facts(fact_count)

    # content version, film, credits, contents, the page's facts by token, facts, people, citations (sources joined).
    with django_assert_num_queries(8):
        response = client.get(film_url(film))
    # Asked for again after the page cache let it go (an edit elsewhere): its inputs only (trivia/page_renders.py).
    with django_assert_num_queries(5):
        again = client.get(film_url(film))

    assert response.status_code == 200 and response["X-Render"] == "RENDERED"
    assert again["X-Render"] == "REUSED" and again.content == response.content


def test_a_film_with_many_facts_is_split_into_pages_that_show_every_fact_once(client):
    film, facts = film_with_facts(FILM_PAGE_SIZE * 2 + 7)

    seen = []
    for number in (1, 2, 3):
        page = parse(client.get(film_url(film, page=number)).content.decode())
        seen += [li.attrs["id"].removeprefix("fact-") for li in page.find_all("li") if li.has_class("fact")]
        # Footnotes restart on each page and resolve on the same page.
        for sup in page.find_all("sup", class_="fn"):
            assert page.by_id(sup.find_all("a")[0].attrs["href"].lstrip("#")) is not None
    assert sorted(seen) == sorted(fact.key for fact in facts)
    assert len(seen) == len(set(seen))
    past_the_end = parse(client.get(film_url(film, page=4)).content.decode())
    assert past_the_end.find_all("li", class_="fact")[-1].attrs["id"] == f"fact-{seen[-1]}"  # the last page


def test_the_seeded_film_page_weighs_under_40_kb_with_its_stylesheet(client, red_shoes):
    html = client.get(film_url(red_shoes)).content
    with open(finders.find("css/site.css"), "rb") as stylesheet:
        css = stylesheet.read()

    assert len(html) + len(css) < 40 * 1024
