"""Logs are one line per event on stdout, and a failing page is reported with its request."""

import logging
import sys

import pytest
from django.test import override_settings
from django.urls import path

from redshoes.logging import LineFormatter, logfmt_value
from redshoes.urls import urlpatterns as site_urlpatterns


def broken_view(request):
    raise RuntimeError("the projector caught fire")


# The site's own URLs too: the 500 page links home.
urlpatterns = [path("broken/", broken_view), *site_urlpatterns]


def make_record(msg="hello", level=logging.INFO, name="trivia", exc_info=None, **extra):
    record = logging.LogRecord(name, level, __file__, 1, msg, None, exc_info)
    record.__dict__.update(extra)
    return record


def test_a_record_is_one_line_with_time_level_logger_and_message():
    line = LineFormatter().format(make_record("Seeded 68 facts"))

    assert line.startswith("ts=")
    assert 'level=INFO logger=trivia msg="Seeded 68 facts"' in line
    assert "\n" not in line


def test_a_traceback_stays_on_the_line_of_its_event():
    try:
        raise ValueError("bad offsets")
    except ValueError:
        record = make_record("Import failed", level=logging.ERROR, exc_info=sys.exc_info())

    line = LineFormatter().format(record)

    assert "\n" not in line
    assert "exc_type=ValueError" in line
    assert "ValueError: bad offsets" in line


def test_values_a_visitor_controls_cannot_forge_a_second_line():
    assert logfmt_value('/facts/"x"\nlevel=ERROR') == '"/facts/\\"x\\"\\nlevel=ERROR"'
    assert logfmt_value("GET") == "GET"
    assert logfmt_value("a\x00b") == '"a\\x00b"'
    assert logfmt_value("") == '""'


def test_the_root_logger_writes_to_stdout_through_the_line_formatter():
    handlers = logging.getLogger().handlers
    stdout_handlers = [h for h in handlers if getattr(h, "stream", None) is sys.stdout or h.name == "stdout"]

    assert stdout_handlers, handlers
    assert isinstance(stdout_handlers[0].formatter, LineFormatter)


@pytest.mark.django_db
@override_settings(ROOT_URLCONF="tests.test_logging")
def test_a_server_error_is_logged_with_method_path_and_status_and_shows_no_settings(client, caplog):
    client.raise_request_exception = False

    response = client.get("/broken/?page=2")

    assert response.status_code == 500
    # The reader sees the error page, not a traceback or the settings.
    assert b"the projector caught fire" not in response.content
    assert b"SECRET_KEY" not in response.content
    assert b"Traceback" not in response.content

    [record] = [r for r in caplog.records if r.name == "django.request"]
    line = LineFormatter().format(record)
    assert "level=ERROR logger=django.request" in line
    assert "method=GET path=/broken/ status=500" in line
    assert "exc_type=RuntimeError" in line
    assert "\n" not in line
