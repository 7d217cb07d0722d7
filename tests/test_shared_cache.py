"""The shared page cache in Redis: one render serves every worker, by release and by the parameters a page reads;
a Redis that stops answering costs renders, never a page, and is logged once a minute, not per request."""

import logging

import pytest
import redis
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.core.exceptions import ImproperlyConfigured

from redshoes import cache as shared_cache
from redshoes.cache import caches_from_environment
from tests.factories import CitationFactory
from tests.reading_data import film_with_facts
from trivia.models import Fact
from trivia.page_cache import PAGE_CACHE_ALIAS

pytestmark = pytest.mark.django_db


def use_caches(settings, url: str, prefix: str):
    settings.CACHES = caches_from_environment(url, prefix, 500, 3600)
    for alias in ("default", PAGE_CACHE_ALIAS):
        # Django keeps one backend per alias and thread; make the next use build it from these settings.
        if hasattr(caches._connections, alias):
            delattr(caches._connections, alias)


@pytest.fixture(autouse=True)
def fresh_outage_state():
    """Each test sees Redis as if this process had never failed to reach it."""
    shared_cache._outages.clear()
    yield
    shared_cache._outages.clear()


@pytest.fixture
def shared(settings, redis_url):
    url, prefix = redis_url
    use_caches(settings, url, prefix)
    yield url, prefix
    use_caches(settings, "", "")


@pytest.fixture
def unreachable(settings):
    """A Redis URL nothing listens on (port 1 on loopback refuses at once)."""
    use_caches(settings, "redis://127.0.0.1:1/0", "redshoes-test-down")
    yield
    use_caches(settings, "", "")


def test_a_page_is_rendered_once_then_served_from_redis(client, shared, settings):
    url, prefix = shared
    film = CitationFactory().fact.film

    first = client.get(film.get_absolute_url())
    second = client.get(film.get_absolute_url())

    assert first["X-Cache"] == "MISS"
    assert second["X-Cache"] == "HIT"
    assert second.content == first.content
    keys = [key.decode() for key in redis.Redis.from_url(url).scan_iter(match=f"{prefix}:pages:*")]
    assert len(keys) == 1
    # The release is in the key in clear, so an operator can see which release filled Redis.
    assert f":page:{settings.RELEASE}:" in keys[0]


def test_the_key_names_the_release_and_another_release_misses(client, shared, settings):
    url, prefix = shared
    film = CitationFactory().fact.film
    settings.RELEASE = "release-a"
    assert client.get(film.get_absolute_url())["X-Cache"] == "MISS"
    assert client.get(film.get_absolute_url())["X-Cache"] == "HIT"
    keys = [key.decode() for key in redis.Redis.from_url(url).scan_iter(match=f"{prefix}:pages:*")]
    assert all(":page:release-a:" in key for key in keys)

    settings.RELEASE = "release-b"

    assert client.get(film.get_absolute_url())["X-Cache"] == "MISS"


def test_parameters_a_page_does_not_read_make_no_new_entry(client, shared):
    url, prefix = shared
    film, _ = film_with_facts(150)
    page = film.get_absolute_url()
    assert client.get(page)["X-Cache"] == "MISS"

    assert client.get(page + "?utm_source=newsletter")["X-Cache"] == "HIT"
    assert client.get(page + "?utm_source=x&fbclid=y")["X-Cache"] == "HIT"
    assert client.get(page + "?page=2")["X-Cache"] == "MISS"
    assert client.get(page + "?page=2&utm_campaign=z")["X-Cache"] == "HIT"
    assert len(list(redis.Redis.from_url(url).scan_iter(match=f"{prefix}:pages:*"))) == 2


def test_an_edit_is_shown_at_once(client, shared):
    fact = CitationFactory().fact
    page = fact.film.get_absolute_url()
    client.get(page)

    Fact.objects.filter(pk=fact.pk).update(text="Corrected on another host.")
    response = client.get(page)

    assert response["X-Cache"] == "MISS"
    assert "Corrected on another host." in response.content.decode()


def test_a_value_that_cannot_be_read_is_a_miss_not_an_error(client, shared, caplog):
    url, prefix = shared
    film = CitationFactory().fact.film
    client.get(film.get_absolute_url())
    connection = redis.Redis.from_url(url)
    for key in connection.scan_iter(match=f"{prefix}:pages:*"):
        connection.set(key, b"\x80\x05not a pickle")

    response = client.get(film.get_absolute_url())

    assert response.status_code == 200
    assert response["X-Cache"] == "MISS"
    assert "could not be read" in caplog.text


def test_the_default_cache_is_in_redis_too(shared):
    url, prefix = shared
    caches["default"].set("greeting", "hello")

    assert redis.Redis.from_url(url).exists(f"{prefix}:1:greeting")


def test_health_says_ok_with_redis_answering(client, shared):
    assert client.get("/healthz").json() == {"status": "ok", "database": "ok", "cache": "ok"}


def test_with_redis_down_pages_are_rendered_and_the_outage_logged_once(client, unreachable, caplog):
    film = CitationFactory().fact.film

    with caplog.at_level(logging.WARNING, logger="redshoes.cache"):
        responses = [client.get(film.get_absolute_url()) for _ in range(5)]

    assert [response.status_code for response in responses] == [200] * 5
    assert all(film.title in response.content.decode() for response in responses)
    warnings = [record for record in caplog.records if record.name == "redshoes.cache"]
    assert len(warnings) == 1
    assert "127.0.0.1:1" in warnings[0].getMessage()
    assert "at most once a minute" in warnings[0].getMessage()


def test_with_redis_down_health_stays_200_and_says_degraded(client, unreachable):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "degraded", "database": "ok", "cache": "degraded"}


def test_with_redis_down_the_default_cache_misses_instead_of_failing(unreachable):
    caches["default"].set("greeting", "hello")

    assert caches["default"].get("greeting", "missing") == "missing"
    assert caches["default"].add("other", 1) is False
    with pytest.raises(ValueError):
        caches["default"].incr("counter")


def test_a_password_in_redis_url_never_reaches_the_log(settings, caplog):
    use_caches(settings, "redis://:s3cret-pass@127.0.0.1:1/0", "redshoes-test-down")
    with caplog.at_level(logging.WARNING, logger="redshoes.cache"):
        caches[PAGE_CACHE_ALIAS].get("anything")
    use_caches(settings, "", "")

    assert "s3cret-pass" not in caplog.text
    assert "***" in caplog.text


def test_without_redis_url_each_process_keeps_its_own_caches():
    caches_setting = caches_from_environment("", "redshoes", 500, 3600)

    assert caches_setting["pages"]["BACKEND"].endswith("LocMemCache")
    assert caches_setting["default"]["BACKEND"].endswith("LocMemCache")
    assert caches_from_environment("", "redshoes", 0, 3600)["pages"]["BACKEND"].endswith("DummyCache")


def test_with_redis_url_both_caches_use_djangos_redis_backend():
    caches_setting = caches_from_environment("redis://cache.internal:6379/0", "redshoes", 500, 3600)

    assert caches_setting["pages"]["KEY_PREFIX"] == "redshoes:pages"
    assert caches_setting["default"]["KEY_PREFIX"] == "redshoes"
    backend = shared_cache.ResilientRedisCache("redis://cache.internal:6379/0", caches_setting["pages"])

    assert isinstance(backend, RedisCache)


def test_a_redis_url_that_is_not_redis_is_refused():
    with pytest.raises(ImproperlyConfigured, match="REDIS_URL must start with redis://"):
        caches_from_environment("http://cache.internal:6379", "redshoes", 500, 3600)


def test_the_fragment_cache_has_its_own_alias_which_a_page_cache_clear_leaves_alone():
    """Kept fact items (trivia/fragments.py) outlive the pages: their own alias, prefix and week-long timeout."""
    local = caches_from_environment("", "redshoes", 500, 3600)
    shared = caches_from_environment("redis://cache.internal:6379/0", "redshoes", 500, 3600)

    assert local["fragments"]["BACKEND"].endswith("LocMemCache")
    assert local["fragments"]["LOCATION"] != local["pages"]["LOCATION"]
    assert shared["fragments"]["KEY_PREFIX"] == "redshoes:fragments"
    assert shared["fragments"]["TIMEOUT"] > shared["pages"]["TIMEOUT"]
    for redis_url in ("", "redis://cache.internal:6379/0"):
        off = caches_from_environment(redis_url, "redshoes", 500, 3600, fragment_entries=0)
        assert off["fragments"]["BACKEND"].endswith("DummyCache")


def test_zero_page_entries_turns_the_page_cache_off_with_redis_too():
    """The deployment guide promises `REDSHOES_PAGE_CACHE_ENTRIES=0` switches pages off "with or without Redis"."""
    for redis_url in ("", "redis://cache.internal:6379/0"):
        off = caches_from_environment(redis_url, "redshoes", 0, 3600)
        assert off["pages"]["BACKEND"].endswith("DummyCache")
    shared = caches_from_environment("redis://cache.internal:6379/0", "redshoes", 0, 3600)
    assert shared["default"]["BACKEND"] == shared["fragments"]["BACKEND"] != shared["pages"]["BACKEND"]
