"""Public pages go out compressed (brotli or gzip, as the browser accepts), each coding with its own ETag;
the admin never does (its pages carry CSRF tokens)."""

import gzip

import brotli
import pytest
from django.urls import reverse

from tests.factories import FactFactory
from tests.reading_data import film_with_facts
from trivia import compression, page_cache
from trivia.models import Fact
from trivia.page_cache import KeptPage

pytestmark = pytest.mark.django_db


@pytest.fixture
def film_page(db):
    film, facts = film_with_facts(100)
    return film.get_absolute_url(), facts


def test_a_browser_that_accepts_brotli_gets_brotli(client, film_page):
    url, _ = film_page
    plain = client.get(url)
    packed = client.get(url, headers={"Accept-Encoding": "gzip, deflate, br, zstd"})

    assert plain.get("Content-Encoding") is None
    assert packed["Content-Encoding"] == "br"
    assert brotli.decompress(packed.content) == plain.content
    # The 100-fact film page: a small fraction of its size on the wire.
    assert len(packed.content) * 5 < len(plain.content)
    assert packed["ETag"] == plain["ETag"][:-1] + '-br"'


def test_a_client_that_accepts_only_gzip_gets_gzip(client, film_page):
    url, _ = film_page
    plain = client.get(url)
    packed = client.get(url, headers={"Accept-Encoding": "gzip"})

    assert packed["Content-Encoding"] == "gzip"
    assert gzip.decompress(packed.content) == plain.content
    assert packed["ETag"] == plain["ETag"][:-1] + '-gzip"'
    assert int(packed["Content-Length"]) == len(packed.content)


def test_every_public_page_says_it_varies_by_encoding_and_cookie(client, film_page):
    url, _ = film_page
    vary = {part.strip() for part in client.get(url, headers={"Accept-Encoding": "br"})["Vary"].split(",")}

    assert {"Accept-Encoding", "Cookie"} <= vary


def test_a_compressed_copy_is_revalidated_by_its_own_etag(client, film_page):
    url, facts = film_page
    packed = client.get(url, headers={"Accept-Encoding": "br"})

    again = client.get(url, headers={"Accept-Encoding": "br", "If-None-Match": packed["ETag"]})
    assert again.status_code == 304
    assert again["ETag"] == packed["ETag"]

    Fact.objects.filter(pk=facts[0].pk).update(text="An edited fact.")
    changed = client.get(url, headers={"Accept-Encoding": "br", "If-None-Match": packed["ETag"]})
    assert changed.status_code == 200
    assert "An edited fact." in brotli.decompress(changed.content).decode()


def test_a_plain_copy_is_still_fresh_for_a_client_that_now_accepts_brotli(client, film_page):
    url, _ = film_page
    plain = client.get(url)

    again = client.get(url, headers={"Accept-Encoding": "br", "If-None-Match": plain["ETag"]})

    assert again.status_code == 304
    assert again["ETag"] == plain["ETag"]


def test_a_tiny_body_is_kept_only_as_it_is_and_sent_with_the_plain_etag():
    bodies = compression.compressed_bodies(b"<p>Short.</p>")

    assert bodies == {"identity": b"<p>Short.</p>"}
    page = KeptPage(headers={"Content-Type": "text/html; charset=utf-8"}, bodies=bodies)
    assert page.encoding_for("br") == "identity"
    assert page.response("identity").get("Content-Encoding") is None


def test_every_public_page_type_is_compressed(client):
    fact = FactFactory()
    for url in (
        reverse("trivia:home"),
        fact.film.get_absolute_url(),
        fact.get_absolute_url(),
        reverse("trivia:fact_list"),
        fact.topic.get_absolute_url(),
    ):
        response = client.get(url, headers={"Accept-Encoding": "gzip, br"})
        assert response.status_code == 200, url
        assert response["Content-Encoding"] == "br", url


def test_error_pages_and_the_admin_are_never_compressed(client, admin_user):
    missing = client.get(reverse("trivia:film_detail", args=["no-such-film"]), headers={"Accept-Encoding": "br"})
    assert missing.status_code == 404
    assert missing.get("Content-Encoding") is None
    refused = client.get(reverse("trivia:fact_list") + "?film=no-such-film", headers={"Accept-Encoding": "br"})
    assert refused.status_code == 400
    assert refused.get("Content-Encoding") is None
    assert refused["X-Cache"] == "BYPASS"

    login = client.get(reverse("admin:login"), headers={"Accept-Encoding": "br"})
    assert login.get("Content-Encoding") is None
    client.force_login(admin_user)
    assert client.get(reverse("admin:index"), headers={"Accept-Encoding": "br"}).get("Content-Encoding") is None


@pytest.mark.parametrize(
    "accept, chosen",
    [
        ("", "identity"),
        ("identity", "identity"),
        ("gzip", "gzip"),
        ("br", "br"),
        ("gzip, br", "br"),
        ("br;q=0, gzip", "gzip"),
        ("gzip;q=0.5, br;q=0.4", "gzip"),
        ("*", "br"),
        ("*, br;q=0", "gzip"),
        ("deflate, zstd", "identity"),
        ("br;q=junk, gzip;q=0.1", "gzip"),
        ("  GZIP ;Q=1 ", "gzip"),
    ],
)
def test_the_coding_follows_the_accept_encoding_header(accept, chosen):
    assert compression.negotiate(accept) == chosen


def kept_codings(cache) -> set[str]:
    (kept,) = [cache.get(key.split(":", 2)[-1]) for key in cache._cache]
    return set(kept.bodies)


def test_a_render_compresses_only_the_coding_its_client_asked_for_and_another_is_made_when_first_asked(
    client, film_page, page_cache_on
):
    url, _ = film_page
    first = client.get(url, headers={"Accept-Encoding": "br"})
    assert first["X-Cache"] == "MISS"
    assert kept_codings(page_cache_on) == {"identity", "br"}

    packed = client.get(url, headers={"Accept-Encoding": "gzip"})

    assert packed["X-Cache"] == "HIT" and packed["Content-Encoding"] == "gzip"
    assert gzip.decompress(packed.content) == brotli.decompress(first.content)
    assert packed["ETag"] == first["ETag"].replace('-br"', '-gzip"')
    assert kept_codings(page_cache_on) == {"identity", "br", "gzip"}
    assert client.get(url)["X-Cache"] == "HIT"
    assert kept_codings(page_cache_on) == {"identity", "br", "gzip"}


def test_a_coding_not_worth_it_is_tried_once():
    page = KeptPage(headers={}, bodies={"identity": b"<p>Short.</p>"})

    assert page.lacks("br")
    assert page_cache.with_coding('"e"', page, "br").declined == {"br"}
    assert not page_cache.with_coding('"e"', page, "br").lacks("br")
    assert not page.lacks("identity") and not page.lacks("zstd")
