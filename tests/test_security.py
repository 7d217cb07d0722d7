"""Security headers, cookies, HTTPS redirect and admin login rate limiting.

The suite runs with the production settings (debug off) except for the HTTPS redirect,
so these responses carry what a reader's browser gets from the live site.
"""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, SuspiciousOperation, ValidationError
from django.test import override_settings
from django.urls import path, reverse

from redshoes.urls import urlpatterns as site_urlpatterns
from tests.factories import CitationFactory, SourceFactory


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
    for url in ["javascript:alert(1)", "data:text/html,<script>alert(1)</script>", "file:///etc/passwd"]:
        source = SourceFactory.build(url=url)
        with pytest.raises(ValidationError) as excinfo:
            source.full_clean()
        assert "url" in excinfo.value.message_dict


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url", ["javascript:alert(1)", "JavaScript:alert(1)", " javascript:alert(1)", "data:text/html,hi", "ftp://x.org/"]
)
def test_a_source_url_that_is_not_http_is_never_a_link(client, url):
    """The validator stops editors; this guards rows that bypassed it (a raw update, an old fixture)."""
    source = SourceFactory(url="https://example.org/placeholder")
    CitationFactory(source=source)
    type(source).objects.filter(pk=source.pk).update(url=url)

    response = client.get(source.get_absolute_url())

    assert response.status_code == 200
    page = response.text.lower()
    assert 'href="javascript:' not in page
    assert 'href=" javascript:' not in page
    assert 'href="data:' not in page
    assert 'href="ftp:' not in page
    assert '"sameas"' not in page


@pytest.mark.django_db
def test_an_https_source_url_is_a_link(client):
    source = SourceFactory(url="https://example.org/the-red-shoes")

    response = client.get(source.get_absolute_url())

    assert 'href="https://example.org/the-red-shoes"' in response.text


def test_no_template_carries_inline_script_style_or_event_handlers():
    """The CSP blocks them, so they would silently not work: code belongs in static/js, styles in static/css.

    The browser tests catch this on the pages they visit; this catches every template, visited or not.
    """
    comment = re.compile(r"{%\s*comment\s*%}.*?{%\s*endcomment\s*%}|{#.*?#}", re.S)
    forbidden = {
        "inline style": re.compile(r"<style\b|\sstyle\s*=", re.I),
        "inline script": re.compile(r"<script\b(?![^>]*\bsrc=)(?![^>]*application/(ld\+)?json)", re.I),
        "event handler": re.compile(r"<[^>]*\son[a-z]+\s*=", re.I),
        "javascript: URL": re.compile(r"javascript:", re.I),
    }
    problems = []
    for template in sorted(Path(settings.BASE_DIR, "templates").rglob("*.html")):
        source = comment.sub("", template.read_text())
        for name, pattern in forbidden.items():
            if pattern.search(source):
                problems.append(f"{template.relative_to(settings.BASE_DIR)}: {name}")

    assert problems == []


# --- Error pages: helpful to the reader, silent about the site's internals -----------------


def raise_permission_denied(request):
    raise PermissionDenied("editors only: internal reason")


def raise_bad_request(request):
    raise SuspiciousOperation("internal detail about the bad request")


def raise_server_error(request):
    raise RuntimeError("internal detail about the crash")


# The site's own URLs too: the error pages link home.
urlpatterns = [
    path("forbidden/", raise_permission_denied),
    path("bad/", raise_bad_request),
    path("crash/", raise_server_error),
    *site_urlpatterns,
]


@pytest.mark.django_db
def test_a_missing_page_shows_the_site_404_without_the_reason(client):
    response = client.get("/facts/no-such-fact-key/")

    assert response.status_code == 404
    assert "Page not found" in response.text
    assert "Go to the list of films" in response.text
    assert "Content-Security-Policy" in response


@pytest.mark.django_db
@override_settings(ROOT_URLCONF="tests.test_security")
def test_forbidden_and_bad_requests_show_site_pages_without_internal_reasons(client):
    forbidden = client.get("/forbidden/")
    bad = client.get("/bad/")

    assert forbidden.status_code == 403
    assert "Not allowed" in forbidden.text
    assert "internal reason" not in forbidden.text
    assert bad.status_code == 400
    assert "Bad request" in bad.text
    assert "internal detail" not in bad.text


@pytest.mark.django_db
@override_settings(ROOT_URLCONF="tests.test_security")
def test_a_server_error_shows_the_site_500_page_and_no_settings(client):
    client.raise_request_exception = False

    response = client.get("/crash/")

    assert response.status_code == 500
    assert "Something went wrong" in response.text
    assert "internal detail" not in response.text
    assert "SECRET_KEY" not in response.text
    assert "Traceback" not in response.text


def test_a_form_sent_without_a_csrf_token_gets_the_site_page_not_djangos_inline_styled_one(db):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("admin:login"), {"username": "x", "password": "y"})

    assert response.status_code == 403
    assert "Your form was not sent" in response.text
    assert "<style" not in response.text


def test_a_user_name_longer_than_any_account_is_a_wrong_login_not_a_server_error(client):
    """django-axes stored the name in a 255-character column: a 256-character name was a 500 on PostgreSQL."""
    response = client.post(reverse("admin:login"), {"username": "u" * 256, "password": "anything"})

    assert response.status_code == 200
    assert "Please enter the correct username and password" in response.text


def test_the_lockout_page_carries_the_admin_s_own_name(client, editor):
    for _ in range(5):
        response = client.post(reverse("admin:login"), {"username": "editor", "password": "wrong"})

    assert response.status_code == 429
    assert "redshoes editorial admin" in response.text
    assert "Django administration" not in response.text


def test_after_log_in_with_an_unsafe_next_the_editor_lands_on_the_admin_index(client, editor):
    response = client.post(
        reverse("admin:login") + "?next=https://evil.example/",
        {"username": "editor", "password": "correct horse battery", "next": "https://evil.example/"},
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("admin:index")


PUBLIC_PAGES = ["trivia:home", "trivia:fact_list", "trivia:sitemap", "trivia:robots_txt"]


@pytest.mark.parametrize("method", ["put", "delete", "patch", "trace", "options"])
@pytest.mark.parametrize("page", PUBLIC_PAGES)
def test_public_pages_answer_other_methods_with_405_and_say_what_is_allowed(client, seeded, page, method):
    response = getattr(client, method)(reverse(page))

    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"
    assert b"<html" not in response.content  # not the page itself


@pytest.mark.parametrize("method", ["put", "trace"])
def test_detail_pages_answer_other_methods_with_405_too(client, seeded, method):
    fact_url = reverse("trivia:fact_detail", args=["over-budget"])
    film_url = reverse("trivia:film_detail", args=["the-red-shoes-1948"])
    for url in (fact_url, film_url):
        response = getattr(client, method)(url)
        assert (response.status_code, response["Allow"]) == (405, "GET, HEAD")
