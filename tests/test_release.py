"""The release id: the same files give the same id on every host; any change to the code is a new release."""

import shutil
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from redshoes.release import RELEASE_DIRS, code_release, release_id

PROJECT = Path(__file__).resolve().parent.parent


@pytest.fixture
def checkout(tmp_path):
    """A copy of the files a release is made of, as a second host would have them."""
    for name in RELEASE_DIRS:
        shutil.copytree(PROJECT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(PROJECT / "requirements.lock", tmp_path / "requirements.lock")
    return tmp_path


def test_two_hosts_with_the_same_files_agree_without_being_told(checkout):
    assert code_release(checkout) == code_release(PROJECT)


def test_a_changed_template_is_another_release(checkout):
    before = code_release(checkout)
    template = checkout / "templates" / "base.html"
    template.write_text(template.read_text() + "<!-- changed -->\n")

    assert code_release(checkout) != before


def test_a_compiled_file_or_a_database_is_not_part_of_the_release(checkout):
    before = code_release(checkout)
    (checkout / "trivia" / "__pycache__").mkdir(exist_ok=True)
    (checkout / "trivia" / "__pycache__" / "x.cpython-312.pyc").write_bytes(b"\0")
    (checkout / "db.sqlite3").write_bytes(b"data")

    assert code_release(checkout) == before


def test_redshoes_release_names_the_release_when_set():
    assert release_id("  2026-11-26.3  ", PROJECT) == "2026-11-26.3"
    assert release_id("", PROJECT) == code_release(PROJECT)


@pytest.mark.parametrize("bad", ["has space", "a/b", "x" * 65, "-leading-dash", "é"])
def test_a_release_name_that_cannot_go_into_a_cache_key_is_refused(bad):
    with pytest.raises(ImproperlyConfigured, match="REDSHOES_RELEASE must be"):
        release_id(bad, PROJECT)
