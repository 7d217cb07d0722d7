"""Settings come from the environment, and production refuses to start half-configured."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from redshoes.env import env_bool, env_list, env_number

PROJECT = Path(__file__).resolve().parent.parent


def run_manage(*args, **env):
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    clean.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=PROJECT, env=clean, capture_output=True, text=True, timeout=120
    )


def test_debug_off_without_a_secret_key_refuses_to_start_with_a_clear_message():
    result = run_manage("check", DJANGO_SETTINGS_MODULE="redshoes.settings")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is not set" in result.stderr
    assert "Traceback" not in result.stderr


def test_debug_on_starts_without_a_secret_key():
    result = run_manage("check", DJANGO_SETTINGS_MODULE="redshoes.settings", DJANGO_DEBUG="1")
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("1", True), ("true", True), ("TRUE", True), ("yes", True), ("0", False), ("false", False), ("", False)],
)
def test_debug_switch_values(monkeypatch, raw, expected):
    monkeypatch.setenv("DJANGO_DEBUG", raw)
    assert env_bool("DJANGO_DEBUG") is expected


def test_unset_switch_is_off(monkeypatch):
    monkeypatch.delenv("DJANGO_DEBUG", raising=False)
    assert env_bool("DJANGO_DEBUG") is False


def test_a_nonsense_switch_value_is_a_configuration_error(monkeypatch):
    monkeypatch.setenv("DJANGO_DEBUG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="DJANGO_DEBUG"):
        env_bool("DJANGO_DEBUG")


def test_allowed_hosts_are_comma_separated(monkeypatch):
    monkeypatch.setenv("DJANGO_ALLOWED_HOSTS", "trivia.example.org, www.trivia.example.org,,")
    assert env_list("DJANGO_ALLOWED_HOSTS") == ["trivia.example.org", "www.trivia.example.org"]


@pytest.mark.parametrize("raw", ["abc", "-1", "1.5", "0x10"])
def test_a_number_setting_that_is_not_a_whole_number_is_a_configuration_error(monkeypatch, raw):
    monkeypatch.setenv("REDSHOES_JOB_STALE_SECONDS", raw)
    with pytest.raises(ImproperlyConfigured, match="REDSHOES_JOB_STALE_SECONDS must be a whole number of at least 1"):
        env_number("REDSHOES_JOB_STALE_SECONDS", 120, minimum=1)


def test_a_bad_number_setting_stops_manage_py_with_one_line():
    result = run_manage("check", DJANGO_DEBUG="1", REDSHOES_PAGE_CACHE_ENTRIES="lots")
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "Configuration error: REDSHOES_PAGE_CACHE_ENTRIES must be a whole number of at least 0, not 'lots'."
    )
