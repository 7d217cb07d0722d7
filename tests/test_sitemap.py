"""sitemap.xml and robots.txt: crawlers find every public page, no draft, in bounded pieces."""

import xml.etree.ElementTree as ET

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import FactFactory
from tests.reading_data import film_with_facts
from trivia import sitemaps
from trivia.models import Fact, Film, Person, Source, Topic

pytestmark = pytest.mark.django_db

NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}
SITE = "https://trivia.example.org"


@pytest.fixture(autouse=True)
def public_address(settings):
    settings.SITE_URL = SITE


def locations(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    assert response["Content-Type"] == "application/xml"
    return [loc.text for loc in ET.fromstring(response.content).findall(".//sm:loc", NS)]


def all_page_urls(client):
    """Every URL in every sitemap the index names, as a crawler would collect them."""
    urls = []
    for sitemap_url in locations(client, reverse("trivia:sitemap")):
        assert sitemap_url.startswith(SITE)
        urls += locations(client, sitemap_url.removeprefix(SITE))
    return urls


def test_the_sitemap_names_every_public_page_of_the_seed(client, seeded):
    urls = all_page_urls(client)

    expected = [SITE + reverse("trivia:home")]
    for model in (Film, Person, Topic, Source):
        expected += [SITE + obj.get_absolute_url() for obj in model.objects.all()]
    expected += [SITE + fact.get_absolute_url() for fact in Fact.objects.published()]
    assert sorted(urls) == sorted(expected)
    assert len(urls) == len(set(urls))


def test_drafts_are_not_in_the_sitemap(client, seeded):
    draft = FactFactory(status=Fact.Status.DRAFT)
    assert SITE + draft.get_absolute_url() not in all_page_urls(client)


def test_a_large_section_is_split_into_pages_the_index_names(client, monkeypatch):
    monkeypatch.setattr(sitemaps.FactSitemap, "limit", 4)
    film_with_facts(10)

    index = locations(client, reverse("trivia:sitemap"))
    facts_section = SITE + reverse("trivia:sitemap_section", kwargs={"section": "facts"})
    assert [u for u in index if u.startswith(facts_section)] == [
        facts_section,
        facts_section + "?p=2",
        facts_section + "?p=3",
    ]
    pages = [locations(client, u.removeprefix(SITE)) for u in index if u.startswith(facts_section)]
    assert [len(p) for p in pages] == [4, 4, 2]
    assert len({u for p in pages for u in p}) == 10


def test_a_page_past_the_end_or_an_unknown_section_is_404(client, seeded):
    facts_section = reverse("trivia:sitemap_section", kwargs={"section": "facts"})
    assert client.get(facts_section + "?p=99").status_code == 404
    assert client.get(facts_section + "?p=x").status_code == 404
    assert client.get(reverse("trivia:sitemap_section", kwargs={"section": "secrets"})).status_code == 404


@pytest.mark.parametrize("fact_count", [10, 1000])
def test_the_index_costs_the_same_queries_whatever_the_number_of_facts(client, fact_count):
    """Two per section (latest change, count), never one per fact."""
    film_with_facts(fact_count)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("trivia:sitemap")).status_code == 200
    assert len(queries) == 2 * (len(sitemaps.SITEMAPS) - 1)


def test_robots_txt_keeps_crawlers_out_of_the_admin_and_points_to_the_sitemap(client):
    response = client.get("/robots.txt")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.content.decode().splitlines()
    assert "User-agent: *" in lines
    assert "Disallow: /admin/" in lines
    assert "Allow: /" in lines
    assert f"Sitemap: {SITE}/sitemap.xml" in lines
    # Public pages are not disallowed: no rule is a prefix of a film, fact or source path.
    disallowed = [line.split(":", 1)[1].strip() for line in lines if line.startswith("Disallow:")]
    for path in ("/", "/films/x/", "/facts/abc/", "/sources/x/", "/people/x/", "/topics/x/"):
        assert not any(path.startswith(rule) for rule in disallowed), path
