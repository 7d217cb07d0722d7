"""`check_citations`: every citation flagged sound sits on its quote; every published fact has one.

The suite runs the same audit after every database test (tests/conftest.py); these
tests show what the command tells a person, and that it fails when it must.
"""

import sqlite3
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from tests.factories import CitationFactory, FactFactory
from tests.scratch import env_for, manage, run_manage
from trivia.models import Citation, Fact

pytestmark = pytest.mark.django_db


def check() -> str:
    out = StringIO()
    call_command("check_citations", stdout=out, stderr=out)
    return out.getvalue()


def test_the_seeded_database_passes(seeded):
    assert (
        "Checked 24 citation(s) of 1 source(s) and 19 published fact(s); 0 flagged broken for editors. "
        "Every sound citation is on its quote."
    ) in check()


@pytest.mark.unsound_citations
def test_a_citation_moved_off_its_quote_by_bulk_sql_is_listed_and_fails(seeded):
    citation = Citation.objects.get(fact__key="over-budget")
    Citation.objects.filter(pk=citation.pk).update(start=citation.start + 1, end=citation.end + 1)

    out = StringIO()
    with pytest.raises(CommandError, match=r"1 citation\(s\) are not on their quote"):
        call_command("check_citations", stdout=out, stderr=out)
    assert "Citation of fact 'over-budget' in source 'the-red-shoes-1948-trivia'" in out.getvalue()
    assert "not the quote" in out.getvalue()


@pytest.mark.unsound_citations
def test_a_stale_paragraph_number_is_listed(seeded):
    Citation.objects.filter(fact__key="over-budget").update(paragraph=6)

    out = StringIO()
    with pytest.raises(CommandError):
        call_command("check_citations", stdout=out, stderr=out)
    assert "its locator says paragraph 6, but the passage is in 1" in out.getvalue()


def test_a_published_fact_without_a_sound_citation_fails(seeded):
    FactFactory(key="uncited-claim", status=Fact.Status.PUBLISHED)
    broken = CitationFactory(fact__key="only-broken", fact__status=Fact.Status.PUBLISHED)
    Citation.objects.filter(pk=broken.pk).update(is_broken=True, broken_reason="The quote no longer occurs.")

    out = StringIO()
    with pytest.raises(CommandError, match=r"2 published fact\(s\) have no sound citation"):
        call_command("check_citations", stdout=out, stderr=out)
    assert "Published fact 'uncited-claim' has no sound citation" in out.getvalue()
    assert "Published fact 'only-broken' has no sound citation" in out.getvalue()


def test_broken_citations_are_counted_not_failed_while_their_fact_has_a_sound_one(seeded):
    fact = Fact.objects.get(key="over-budget")
    extra = CitationFactory(fact=fact)
    Citation.objects.filter(pk=extra.pk).update(is_broken=True, broken_reason="The quote no longer occurs.")

    assert "1 flagged broken for editors" in check()


def test_from_the_command_line_a_failure_lists_the_problem_and_exits_1(tmp_path):
    database = tmp_path / "check.sqlite3"
    env = env_for(f"sqlite:///{database}")
    manage(env, "migrate", "--no-input", "-v0")
    manage(env, "seed_trivia")
    assert "Every sound citation is on its quote." in manage(env, "check_citations")
    with sqlite3.connect(database) as raw:  # a bulk SQL write that forgot the rule
        raw.execute('UPDATE trivia_citation SET start = start + 1, "end" = "end" + 1 WHERE id = 1')

    result = run_manage(env, "check_citations")

    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "not the quote" in result.stderr
    assert result.stderr.strip().splitlines()[-1].startswith("CommandError: Checked 24 citation(s)")


def test_an_unknown_database_is_one_line_and_exit_1(tmp_path):
    result = run_manage(env_for(f"sqlite:///{tmp_path / 'check.sqlite3'}"), "check_citations", "--database", "nope")

    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "nope" in result.stderr and len(result.stderr.strip().splitlines()) == 1
