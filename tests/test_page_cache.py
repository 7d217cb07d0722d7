"""The page cache: a repeat request costs one query, and no visitor ever gets a stale or someone else's page."""

import pytest
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse

from tests.factories import CitationFactory, FactFactory, FilmFactory
from tests.reading_data import film_with_facts
from trivia.models import Fact
from trivia.page_cache import is_shareable

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _page_cache_on(page_cache_on):
    """The suite runs without the page cache (see test_settings); these tests switch it on, empty."""


@pytest.mark.parametrize("fact_count", [10, 1000])
def test_a_repeat_request_for_an_unchanged_film_page_costs_one_query(client, django_assert_num_queries, fact_count):
    film, _ = film_with_facts(fact_count)
    url = film.get_absolute_url()
    first = client.get(url)

    # Only the content version: the page is not rendered again.
    with django_assert_num_queries(1):
        second = client.get(url)

    assert second.status_code == 200
    assert second.content == first.content
    assert second["ETag"] == first["ETag"]


def test_an_edit_is_shown_at_once(client):
    fact = CitationFactory().fact
    url = fact.film.get_absolute_url()
    assert fact.text in client.get(url).content.decode()

    Fact.objects.filter(pk=fact.pk).update(text="A corrected claim.")

    page = client.get(url).content.decode()
    assert "A corrected claim." in page
    assert fact.text not in page


def test_a_newly_published_fact_appears_on_a_page_that_was_kept(client):
    film = CitationFactory().fact.film
    client.get(film.get_absolute_url())
    draft = CitationFactory(fact=FactFactory(film=film, text="Held back until checked.", status="draft")).fact
    assert "Held back until checked." not in client.get(film.get_absolute_url()).content.decode()

    draft.status = Fact.Status.PUBLISHED
    draft.save()

    assert "Held back until checked." in client.get(film.get_absolute_url()).content.decode()


def test_a_staff_page_with_drafts_is_never_given_to_a_reader(client, admin_user):
    film = CitationFactory().fact.film
    CitationFactory(fact=FactFactory(film=film, text="A draft only editors see.", status="draft"))
    client.force_login(admin_user)
    assert "A draft only editors see." in client.get(film.get_absolute_url()).content.decode()

    client.logout()

    assert "A draft only editors see." not in client.get(film.get_absolute_url()).content.decode()


def test_each_query_string_is_its_own_page(client):
    film, _ = film_with_facts(150)
    first = client.get(film.get_absolute_url()).content
    second = client.get(film.get_absolute_url() + "?page=2").content
    assert first != second
    assert client.get(film.get_absolute_url() + "?page=2").content == second


def test_a_missing_page_is_not_kept(client):
    url = reverse("trivia:film_detail", args=["no-such-film"])
    assert client.get(url).status_code == 404
    FilmFactory(slug="no-such-film")
    assert client.get(url).status_code == 200


@pytest.mark.parametrize(
    "spoil",
    [
        lambda request, response: response.set_cookie("visitor", "1"),
        lambda request, response: request.META.update(CSRF_COOKIE_NEEDS_UPDATE=True),
        lambda request, response: response.headers.__setitem__("Cache-Control", "private"),
        lambda request, response: setattr(response, "status_code", 302),
    ],
    ids=["sets a cookie", "embeds a CSRF token", "private", "not a 200"],
)
def test_a_response_meant_for_one_visitor_is_not_shareable(spoil):
    request = RequestFactory().get("/")
    response = HttpResponse("page")
    assert is_shareable(request, response)
    spoil(request, response)
    assert not is_shareable(request, response)


def test_responses_say_whether_they_came_from_the_cache(client):
    film = CitationFactory().fact.film
    url = film.get_absolute_url()

    assert client.get(url)["X-Cache"] == "MISS"
    assert client.get(url)["X-Cache"] == "HIT"
    assert client.get(reverse("trivia:fact_list") + "?film=no-such-film")["X-Cache"] == "BYPASS"


def test_a_parameter_the_page_does_not_read_neither_reaches_it_nor_splits_the_cache(client):
    film, _ = film_with_facts(150)
    url = film.get_absolute_url()
    client.get(url + "?page=2")

    tracked = client.get(url + "?page=2&utm_source=newsletter&q=spoof")

    assert tracked["X-Cache"] == "HIT"
    # The header's search box shows `q` on the search page only; a film page never saw it.
    assert "spoof" not in tracked.content.decode()
    assert "utm_source" not in tracked.content.decode()


def test_the_order_of_the_query_string_does_not_make_another_page(client):
    film = CitationFactory().fact.film
    search = reverse("trivia:fact_list")
    first = client.get(f"{search}?q=ballet&film={film.slug}")

    second = client.get(f"{search}?film={film.slug}&q=ballet")

    assert first["X-Cache"] == "MISS"
    assert second["X-Cache"] == "HIT"
    assert second["ETag"] == first["ETag"]


def test_a_new_release_renders_afresh_and_changes_the_etag(client, settings):
    film = CitationFactory().fact.film
    settings.RELEASE = "one"
    before = client.get(film.get_absolute_url())

    settings.RELEASE = "two"
    after = client.get(film.get_absolute_url(), headers={"If-None-Match": before["ETag"]})

    assert after.status_code == 200
    assert after["X-Cache"] == "MISS"
    assert after["ETag"] != before["ETag"]
