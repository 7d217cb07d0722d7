"""Facts as CSV for spreadsheets: one row per citation, UTF-8 with a header, no formula ever runs."""

import csv
import io
import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from tests.factories import CitationFactory, FactFactory, PersonFactory, SourceFactory
from trivia import csv_export
from trivia.models import Citation, Fact
from trivia.services.roles import create_editor

pytestmark = pytest.mark.django_db

FORMULAS = ['=HYPERLINK("http://evil.example","click")', "+1+2", "-2+3", "@SUM(A1:A9)", "\t=1", "＝1+1"]


def read(data: bytes) -> list[dict]:
    assert data.startswith("\ufeff".encode()), "a spreadsheet needs the byte-order mark to read UTF-8"
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def export(*args) -> bytes:
    out = StringIO()
    call_command("export_trivia", "--format", "csv", *args, stdout=out)
    return out.getvalue().encode("utf-8")


def test_one_row_per_citation_with_a_header(seeded):
    rows = read(export())
    assert list(rows[0]) == csv_export.COLUMNS
    assert len(rows) == Citation.objects.count() == 24
    two = [row for row in rows if row["fact_key"] == "kennedy-shearer-wedding-1950"]
    assert len(two) == 2 and two[0]["fact"] == two[1]["fact"] and two[0]["quote"] != two[1]["quote"]
    row = two[0]
    citation = Citation.objects.get(fact__key=row["fact_key"], start=int(row["start"]))
    assert row["quote"] == citation.quote and int(row["end"]) == citation.end
    assert row["paragraph"] == str(citation.paragraph)
    assert row["people"] == "Ludovic Kennedy; Moira Shearer"
    assert row["passage_url"].endswith(f"/sources/{citation.source.slug}/#c{citation.start}-{citation.end}")
    assert row["first_published"] == citation.fact.published_at.isoformat()


def test_a_fact_without_citations_is_one_row_and_drafts_can_be_left_out(seeded):
    draft = FactFactory(status=Fact.Status.DRAFT, text="Émeric’s draft — naïve «façade».")
    rows = read(export())
    mine = [row for row in rows if row["fact_key"] == draft.key]
    assert len(mine) == 1 and mine[0]["quote"] == "" and mine[0]["fact"] == draft.text
    assert draft.key not in {row["fact_key"] for row in read(export("--published-only"))}


def test_one_film_only(seeded):
    other = CitationFactory().fact
    rows = read(export("--film", "the-red-shoes-1948"))
    assert other.key not in {row["fact_key"] for row in rows}
    assert {row["film_slug"] for row in rows} == {"the-red-shoes-1948"}


@pytest.mark.parametrize("formula", FORMULAS)
def test_a_cell_a_spreadsheet_would_run_as_a_formula_is_neutralised(seeded, formula):
    source = SourceFactory(title=formula, content=formula + "\n\nMore text.")
    fact = FactFactory(text=formula, people=[PersonFactory(name=formula, slug="formula-person")])
    CitationFactory(fact=fact, source=source, quote=formula)
    row = next(row for row in read(export()) if row["fact_key"] == fact.key)
    for column in ("fact", "people", "source", "quote"):
        assert row[column] == "'" + formula, column


def test_ordinary_text_is_left_as_it_is(seeded):
    assert csv_export.spreadsheet_safe("Moira Shearer – a dancer = star") == "Moira Shearer – a dancer = star"
    assert csv_export.spreadsheet_safe(1948) == "1948"
    assert csv_export.spreadsheet_safe(None) == ""
    assert csv_export.spreadsheet_safe("\r=1") == "'\r=1"  # a carriage return cannot smuggle one in either


def test_the_command_writes_a_file_and_refuses_what_it_cannot_do(seeded, tmp_path):
    target = tmp_path / "facts.csv"
    out = StringIO()
    call_command("export_trivia", "--format", "csv", "-o", str(target), stdout=out)
    assert "24 rows (one per citation) of 19 facts" in out.getvalue()
    assert target.read_bytes().count(b"\r\n") == 25  # header and rows end in CRLF
    with pytest.raises(CommandError, match="no film with the slug"):
        export("--film", "nope")
    with pytest.raises(CommandError, match="Cannot write"):
        call_command("export_trivia", "--format", "csv", "-o", str(tmp_path / "missing" / "x.csv"), stdout=out)
    with pytest.raises(CommandError, match="invalid choice"):
        call_command("export_trivia", "--format", "xls", stdout=out)


def csv_from_job(client, started):
    """The CSV a finished export job offers (the tests' task backend runs jobs at once)."""
    assert started.status_code == 302
    page = client.get(started["Location"]).content.decode()
    link = re.search(r'href="([^"]+/download/)"', page)
    assert link, "the finished job's page offers the file"
    download = client.get(link.group(1))
    assert download["Content-Type"] == "text/csv; charset=utf-8"
    return download


def test_the_admin_downloads_selected_facts_and_everything_as_csv(seeded):
    client = Client()
    client.force_login(create_editor("edna", "a-long-enough-passphrase"))
    chosen = list(
        Fact.objects.filter(key__in=["over-budget", "kennedy-shearer-wedding-1950"]).values_list("pk", flat=True)
    )
    response = client.post(
        reverse("admin:trivia_fact_changelist"), {"action": "export_selected_facts_csv", "_selected_action": chosen}
    )
    download = csv_from_job(client, response)  # a background job, like every export (issue 15)
    assert 'filename="trivia-facts-' in download["Content-Disposition"] and '.csv"' in download["Content-Disposition"]
    rows = read(b"".join(download.streaming_content))
    assert sorted({row["fact_key"] for row in rows}) == ["kennedy-shearer-wedding-1950", "over-budget"]
    assert len(rows) == 3

    confirm = client.get(reverse("admin:trivia_fact_export_all") + "?format=csv").content.decode()
    assert "A CSV file for spreadsheets" in confirm
    everything = csv_from_job(client, client.post(reverse("admin:trivia_fact_export_all") + "?format=csv"))
    assert read(b"".join(everything.streaming_content)) == read(export())
    changelist = client.get(reverse("admin:trivia_fact_changelist")).content.decode()
    assert "Export all (CSV)" in changelist


def test_the_export_costs_the_same_queries_however_many_facts(seeded):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        export()
    for number in range(40):
        CitationFactory(fact=FactFactory(text=f"Extra {number}.", people=[PersonFactory()]))
    with CaptureQueriesContext(connection) as many:
        export()
    assert len(many) == len(few)
