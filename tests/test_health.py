"""`/healthz` for load balancers: 200 while the database answers, 503 when it does not.

(The test settings switch the page cache off, hence `"cache": "off"`; the shared cache's
states are tested in tests/test_shared_cache.py.)
"""

from unittest import mock

import pytest
from django.db import OperationalError
from django.test import override_settings


@pytest.mark.django_db
def test_healthz_answers_ok_when_the_database_answers(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "off"}


@pytest.mark.django_db
def test_healthz_is_never_cached_so_a_failure_shows_at_once(client):
    response = client.get("/healthz")

    assert "no-cache" in response["Cache-Control"]
    assert "max-age=0" in response["Cache-Control"]


@pytest.mark.django_db
def test_healthz_answers_503_with_a_short_body_when_the_database_fails(client, caplog):
    with mock.patch("trivia.health.connection.cursor", side_effect=OperationalError("connection refused")):
        response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "error", "cache": "off"}
    # The reason is logged for the operator, not shown to the prober.
    assert b"connection refused" not in response.content
    assert "the database does not answer" in caplog.text


@pytest.mark.django_db
def test_healthz_needs_no_login_and_no_https(client):
    """A load balancer probes over plain HTTP without a session; it must not get a redirect."""
    with override_settings(SECURE_SSL_REDIRECT=True):
        response = client.get("/healthz")

    assert response.status_code == 200


@pytest.mark.django_db
def test_healthz_refuses_writes(client):
    assert client.post("/healthz").status_code == 405
