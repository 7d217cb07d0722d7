"""The home page, and what the base template promises every reading page."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import FactFactory, FilmFactory
from tests.htmltree import parse
from tests.reading_data import film_with_facts
from trivia.models import Fact, Film

pytestmark = pytest.mark.django_db


def home_page(client, query=""):
    response = client.get(reverse("trivia:home") + (f"?{query}" if query else ""))
    assert response.status_code == 200
    return parse(response.content.decode())


def listed(page) -> list[str]:
    return [" ".join(li.text().split()) for li in page.find_all("ul", class_="film-list")[0].find_all("li")]


def many_films(count: int, facts_on_the_first: int = 0):
    """`count` films, years 1930 onwards, titles A… to Z… and beyond, with demo-length descriptions."""
    films = Film.objects.bulk_create(
        Film(
            title=f"{chr(ord('A') + n % 26)}{n:03} Picture",
            year=1930 + n % 80,
            slug=f"picture-{n}",
            description=f"A {1930 + n % 80} picture directed by Somebody Withalongname (demo data).",
        )
        for n in range(count)
    )
    for _ in range(facts_on_the_first):
        FactFactory(film=films[0])
    return films


def test_home_leads_with_a_search_then_lists_every_film_by_title(client, red_shoes):
    other = FilmFactory(title="Black Narcissus", year=1947)
    FactFactory(film=other)
    FactFactory(film=other, status=Fact.Status.DRAFT)

    page = home_page(client)

    search = page.find_all("form", role="search")
    assert len(search) == 1 and search[0].find_all("input", name="q")  # the page's one search box
    assert listed(page)[:2] == [
        "Black Narcissus (1947) · 1 fact",
        "The Red Shoes (1948) · 19 facts British ballet film of 1948, named after Hans Christian Andersen's fairy "
        "tale.",
    ]
    assert page.find_all("section", **{"aria-labelledby": "featured-heading"}) == []  # two films: nothing to pick


def test_films_are_listed_50_a_page_by_title_or_by_year_with_a_pager_and_jump_links(client):
    many_films(120)

    first = home_page(client)
    assert len(listed(first)) == 50 and listed(first)[0].startswith("A000 Picture")
    assert first.find_all("a", rel="next")[0].attrs["href"] == "?page=2"
    jumps = {a.text(): a.attrs["href"] for a in first.find_all("ul", class_="jump-index")[0].find_all("a")}
    assert jumps["A"] == "#films-A" and jumps["Z"] == "?page=3#films-Z"
    third = home_page(client, "page=3")
    assert len(listed(third)) == 20 and third.by_id("films-Z") is not None

    by_year = home_page(client, "order=year")
    years = [int(re.search(r"\((\d{4})\)", item).group(1)) for item in listed(by_year)]
    assert years == sorted(years) and years[0] == 1930
    decades = {a.text(): a.attrs["href"] for a in by_year.find_all("ul", class_="jump-index")[0].find_all("a")}
    assert decades["1930s"] == "?order=year#films-1930s" and decades["1990s"].startswith("?order=year&page=")
    assert by_year.find_all("a", rel="next")[0].attrs["href"] == "?order=year&page=2"


def featured(page) -> list[str]:
    return [" ".join(li.text().split()) for li in page.find_all("ul", class_="film-cards")[0].find_all("li")]


def test_the_best_documented_films_come_first_once_there_are_more_than_fit(client, red_shoes):
    films = many_films(10, facts_on_the_first=25)
    for rank, film in enumerate(films[1:8]):  # 7 more films, with 7, 6, … 1 facts
        for _ in range(7 - rank):
            FactFactory(film=film)
    FactFactory.create_batch(30, film=films[9], status=Fact.Status.DRAFT)  # drafts do not count

    assert featured(home_page(client)) == [
        f"{films[0].title} (1930) 25 facts",
        "The Red Shoes (1948) 19 facts",
        f"{films[1].title} (1931) 7 facts",
        f"{films[2].title} (1932) 6 facts",
        f"{films[3].title} (1933) 5 facts",
        f"{films[4].title} (1934) 4 facts",
    ]


def test_only_films_with_published_facts_are_best_documented(client, red_shoes):
    """A film without a published fact is not "documented": the section lists fewer rather than show 0 facts."""
    films = many_films(10, facts_on_the_first=2)

    assert featured(home_page(client)) == ["The Red Shoes (1948) 19 facts", f"{films[0].title} (1930) 2 facts"]


@pytest.mark.parametrize("query", ["order=price", "order=year&page=abc", "page=-4", "page=9999", "order=%00"])
def test_any_order_or_page_value_gives_a_page(client, red_shoes, query):
    page = home_page(client, query)
    assert listed(page)[0].startswith("The Red Shoes")


def test_home_at_400_films_weighs_under_40_kb(client, red_shoes):
    many_films(400)

    for query in ("", "order=year&page=4"):
        response = client.get(reverse("trivia:home") + f"?{query}")
        assert len(response.content) < 40 * 1024, (query, len(response.content))


@pytest.mark.parametrize("film_count", [10, 400])
def test_home_query_count_does_not_grow_with_films_or_facts(client, django_assert_num_queries, film_count):
    film_with_facts(1000)
    many_films(film_count)

    # content version, the index of letters, the page of films, their counts, the best-documented films.
    with django_assert_num_queries(5):
        assert client.get(reverse("trivia:home")).status_code == 200


def test_home_says_what_the_site_is(client):
    page = parse(client.get(reverse("trivia:home")).content.decode())

    assert "exact words of the source" in page.find_all("p", class_="lede")[0].text()


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


@pytest.mark.skipif("connection.vendor != 'sqlite'", reason="a SQLite query plan")
def test_the_films_by_title_and_their_index_are_read_from_the_film_index_without_sorting(client):
    """Grouping and sorting every film by initial cost 14 ms at 4,000 films: an index on that expression serves both."""
    many_films(60)
    with CaptureQueriesContext(connection) as queries:
        home_page(client, "page=2")
    listing = [query["sql"] for query in queries.captured_queries if 'FROM "trivia_film"' in query["sql"]]
    assert len(listing) == 2  # the index of letters, the page of films
    with connection.cursor() as cursor:
        for sql in listing:
            cursor.execute("EXPLAIN QUERY PLAN " + sql)
            plan = [str(row[-1]) for row in cursor.fetchall()]
            assert any("film_by_initial_idx" in step for step in plan), plan
            assert not any("TEMP B-TREE" in step for step in plan), plan
