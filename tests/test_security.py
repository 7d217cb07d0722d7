"""Security headers, cookies, HTTPS redirect and admin login rate limiting.

The suite runs with the production settings (debug off) except for the HTTPS redirect,
so these responses carry what a reader's browser gets from the live site.
"""

import pytest
from django.contrib.auth import get_user_model
from django.test import override_settings
from django.urls import reverse

from tests.factories import SourceFactory


@pytest.fixture
def editor(db):
    return get_user_model().objects.create_user("editor", password="correct horse battery", is_staff=True)


def csp_directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    directives = {}
    for part in policy.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


@pytest.mark.django_db
def test_pages_carry_a_content_security_policy_without_unsafe_inline(client):
    response = client.get("/healthz")

    directives = csp_directives(response)
    assert directives["default-src"] == ["'self'"]
    assert directives["script-src"] == ["'self'"]
    assert directives["style-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert "'unsafe-eval'" not in response["Content-Security-Policy"]


@pytest.mark.django_db
def test_admin_login_page_carries_the_policy_too(client):
    response = client.get(reverse("admin:login"))

    assert response.status_code == 200
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]


@pytest.mark.django_db
def test_https_responses_carry_hsts_and_the_other_security_headers(client):
    response = client.get("/healthz", secure=True)

    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


@pytest.mark.django_db
def test_plain_http_is_redirected_to_https_when_the_redirect_is_on(client):
    with override_settings(SECURE_SSL_REDIRECT=True):
        response = client.get("/facts/?q=shoes")

    assert response.status_code == 301
    assert response["Location"] == "https://testserver/facts/?q=shoes"


@pytest.mark.django_db
def test_behind_a_proxy_the_forwarded_https_is_trusted_and_not_redirected(client):
    with override_settings(SECURE_SSL_REDIRECT=True, SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https")):
        response = client.get(reverse("admin:login"), headers={"X-Forwarded-Proto": "https"})

    assert response.status_code == 200
    assert "Strict-Transport-Security" in response


def test_session_and_csrf_cookies_are_secure_and_hidden_from_scripts(client, editor):
    login_page = client.get(reverse("admin:login"))
    csrf_cookie = login_page.cookies["csrftoken"]
    assert csrf_cookie["secure"] is True
    assert csrf_cookie["httponly"] is True

    response = client.post(
        reverse("admin:login"),
        {"username": "editor", "password": "correct horse battery", "next": "/admin/"},
    )

    assert response.status_code == 302
    session_cookie = response.cookies["sessionid"]
    assert session_cookie["secure"] is True
    assert session_cookie["httponly"] is True
    assert session_cookie["samesite"] == "Lax"


def test_admin_login_is_locked_after_five_wrong_passwords(client, editor):
    for _ in range(4):
        response = client.post(reverse("admin:login"), {"username": "editor", "password": "wrong"})
        assert response.status_code == 200
        assert "Please enter the correct username and password" in response.text

    fifth = client.post(reverse("admin:login"), {"username": "editor", "password": "wrong"})
    assert fifth.status_code == 429
    assert "Too many failed log-in attempts" in fifth.text
    assert "Try again in 15 minutes" in fifth.text

    # Even the right password is refused while the lock lasts.
    right = client.post(reverse("admin:login"), {"username": "editor", "password": "correct horse battery"})
    assert right.status_code == 429
    assert "sessionid" not in right.cookies


def test_lockout_does_not_reach_the_same_editor_from_another_address(client, editor):
    """A stranger guessing an editor's password must not lock the real editor out."""
    for _ in range(5):
        client.post(reverse("admin:login"), {"username": "editor", "password": "wrong"}, REMOTE_ADDR="203.0.113.9")

    response = client.post(
        reverse("admin:login"),
        {"username": "editor", "password": "correct horse battery"},
        REMOTE_ADDR="198.51.100.7",
    )

    assert response.status_code == 302


def test_a_successful_login_clears_earlier_failures(client, editor):
    for _ in range(4):
        client.post(reverse("admin:login"), {"username": "editor", "password": "wrong"})
    client.post(reverse("admin:login"), {"username": "editor", "password": "correct horse battery"})
    client.logout()

    response = client.post(reverse("admin:login"), {"username": "editor", "password": "wrong"})

    assert response.status_code == 200


@pytest.mark.django_db
def test_source_urls_other_than_http_and_https_are_rejected_by_validation():
    from django.core.exceptions import ValidationError

    for url in ["javascript:alert(1)", "data:text/html,<script>alert(1)</script>", "file:///etc/passwd"]:
        source = SourceFactory.build(url=url)
        with pytest.raises(ValidationError) as excinfo:
            source.full_clean()
        assert "url" in excinfo.value.message_dict
