"""The home page, and what the base template promises every reading page."""

import re

import pytest
from django.urls import reverse

from tests.factories import FactFactory, FilmFactory
from tests.htmltree import parse
from tests.reading_data import film_with_facts
from trivia.models import Fact

pytestmark = pytest.mark.django_db


def test_home_lists_films_with_published_fact_counts_red_shoes_first(client, red_shoes):
    other = FilmFactory(title="Black Narcissus", year=1947)
    FactFactory(film=other)
    FactFactory(film=other, status=Fact.Status.DRAFT)

    page = parse(client.get(reverse("trivia:home")).content.decode())

    items = page.find_all("ul", class_="film-list")[0].find_all("li")
    assert items[0].find_all("a")[0].attrs["href"] == red_shoes.get_absolute_url()
    assert "The Red Shoes (1948) — 19 facts" in " ".join(items[0].text().split())
    assert "Black Narcissus (1947) — 1 fact" in " ".join(items[1].text().split())


def test_home_says_what_the_site_is(client):
    page = parse(client.get(reverse("trivia:home")).content.decode())

    assert "exact words of the source" in page.find_all("p", class_="lede")[0].text()


@pytest.mark.parametrize("fact_count", [10, 1000])
def test_home_query_count_does_not_grow_with_facts(client, django_assert_num_queries, fact_count):
    film_with_facts(fact_count)
    FilmFactory()

    # content version, films with their counts.
    with django_assert_num_queries(2):
        assert client.get(reverse("trivia:home")).status_code == 200


READING_PAGES = [
    ("trivia:home", []),
    ("trivia:film_detail", ["the-red-shoes-1948"]),
    ("trivia:fact_detail", ["rank-walked-out"]),
    ("trivia:fact_detail", ["dresser-carries-pale-shoes"]),
]


@pytest.mark.parametrize(("name", "args"), READING_PAGES)
def test_every_reading_page_has_landmarks_one_h1_and_a_skip_link(client, seeded, name, args):
    page = parse(client.get(reverse(name, args=args)).content.decode())

    for landmark in ("header", "nav", "main", "footer"):
        assert page.find_all(landmark), landmark
    assert len(page.find_all("h1")) == 1
    skip = page.find_all("a", class_="skip-link")[0]
    assert page.by_id(skip.attrs["href"].lstrip("#")).tag == "main"
    search = page.find_all("form", role="search")[0]
    assert search.attrs["action"] == reverse("trivia:fact_list") and search.attrs["method"] == "get"
    assert search.find_all("input", name="q")
    nav_links = {a.text(): a.attrs["href"] for a in page.find_all("nav", **{"aria-label": "Site"})[0].find_all("a")}
    assert nav_links == {"Films": reverse("trivia:home"), "Search": reverse("trivia:fact_list")}


@pytest.mark.parametrize(("name", "args"), READING_PAGES)
def test_headings_never_skip_a_level(client, seeded, name, args):
    page = parse(client.get(reverse(name, args=args)).content.decode())

    levels = [int(node.tag[1]) for node in page.iter() if re.fullmatch(r"h[1-6]", node.tag)]
    assert levels[0] == 1
    assert all(later - earlier <= 1 for earlier, later in zip(levels, levels[1:], strict=False))


@pytest.mark.parametrize(("name", "args"), READING_PAGES)
def test_every_reading_page_has_title_description_and_canonical_link(client, seeded, name, args):
    page = parse(client.get(reverse(name, args=args)).content.decode())

    assert page.find_all("title")[0].text().strip()
    assert page.find_all("meta", name="description")[0].attrs["content"].strip()
    canonical = page.find_all("link", rel="canonical")
    assert len(canonical) == 1 and canonical[0].attrs["href"].endswith(reverse(name, args=args))


@pytest.mark.parametrize(("name", "args"), READING_PAGES)
def test_no_inline_styles_or_scripts_and_no_third_party_requests(client, seeded, name, args):
    page = parse(client.get(reverse(name, args=args)).content.decode())

    assert page.find_all("style") == []
    assert [node for node in page.iter() if "style" in node.attrs] == []
    assert [node for node in page.iter() if any(attr.startswith("on") for attr in node.attrs)] == []
    for script in page.find_all("script"):
        if script.attrs.get("type") == "application/ld+json":
            continue  # data, not code: CSP does not run it
        assert script.attrs.get("src", "").startswith("/static/") and not script.text().strip()
    # Everything the browser fetches comes from this site: stylesheets, scripts, images.
    fetched = [node.attrs.get("href") for node in page.find_all("link") if node.attrs.get("rel") != "canonical"]
    fetched += [node.attrs["src"] for node in page.find_all("script") + page.find_all("img") if "src" in node.attrs]
    assert fetched and all(url.startswith("/") and not url.startswith("//") for url in fetched), fetched
