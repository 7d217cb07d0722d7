"""`import_source`: a text document becomes a Source and one cited draft fact per paragraph, or nothing at all."""

import re
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from reversion.models import Version

from tests.factories import CitationFactory, FactFactory, FilmFactory, SourceFactory
from trivia import text
from trivia.models import Citation, Fact, Film, Source, Topic
from trivia.services import importing

DATA = Path(__file__).resolve().parent / "data"
CRLF_NOTES = DATA / "crlf_notes.txt"

# tests/data/crlf_notes.txt as a reader sees it: CRLF stored as \n, three paragraphs.
CRLF_PARAGRAPHS = [
    "The Red Shoes opened at the Bijou Theatre in New York in October 1948.",
    "It ran there for 110 weeks — a record for a British film.\n"
    "Massine’s cobbler, Léonide, was “the soul of the ballet”.",
    "Moira Shearer later said: ‘I never liked the film.’ Été, naïve, Łódź, 日本, 𝄞.",
]


def import_source(path, *extra, title="Bijou notes", film="The Red Shoes", year="1948") -> str:
    out = StringIO()
    call_command("import_source", str(path), "--title", title, "--film", film, "--year", year, *extra, stdout=out)
    return out.getvalue()


def row_counts():
    return {model.__name__: model.objects.count() for model in (Source, Film, Topic, Fact, Citation, Version)}


@pytest.mark.django_db
def test_crlf_document_becomes_one_draft_fact_per_paragraph_citing_it_exactly():
    output = import_source(CRLF_NOTES, "--kind", "article", "--url", "https://example.org/bijou")

    source = Source.objects.get()
    assert source.title == "Bijou notes"
    assert source.kind == Source.Kind.ARTICLE
    assert source.url == "https://example.org/bijou"
    assert "\r" not in source.content
    # Stored as the document's text: LF endings, trailing whitespace trimmed.
    assert source.content == "\n\n".join(CRLF_PARAGRAPHS[:2]) + "\n\n\n" + CRLF_PARAGRAPHS[2]
    assert source.sha256 == text.sha256_hex(source.content)

    facts = list(Fact.objects.order_by("position"))
    assert [f.text for f in facts] == CRLF_PARAGRAPHS
    assert {f.status for f in facts} == {Fact.Status.DRAFT}
    assert {f.topic.name for f in facts} == {"Unsorted"}
    for number, fact in enumerate(facts, start=1):
        citation = fact.citations.get()
        assert citation.source == source
        assert citation.quote == CRLF_PARAGRAPHS[number - 1]
        assert source.content[citation.start : citation.end] == citation.quote
        assert citation.paragraph == number
        assert not citation.is_broken
    assert "Created 3 draft fact(s)" in output
    for fact in facts:
        assert fact.key in output


@pytest.mark.django_db
def test_import_creates_the_film_when_missing_and_reuses_it_otherwise():
    import_source(CRLF_NOTES, film="Tales of Hoffmann", year="1951")
    film = Film.objects.get(title="Tales of Hoffmann")
    assert film.year == 1951
    assert film.slug == "tales-of-hoffmann-1951"

    FilmFactory(title="The Red Shoes", year=1948, slug="the-red-shoes-1948")
    import_source(DATA / "bom_cr_notes.txt", film="the red shoes", year="1948")
    assert Film.objects.count() == 2
    assert Fact.objects.filter(film__slug="the-red-shoes-1948").count() == 2


@pytest.mark.django_db
def test_bom_is_dropped_and_cr_line_endings_become_newlines():
    import_source(DATA / "bom_cr_notes.txt")

    source = Source.objects.get()
    assert source.content == "First paragraph after a BOM.\n\nSecond paragraph, old Mac endings."
    first = Citation.objects.get(paragraph=1)
    assert (first.start, first.quote) == (0, "First paragraph after a BOM.")


@pytest.mark.django_db
def test_non_ascii_paragraphs_are_cited_at_the_right_offsets_in_the_database():
    """Offsets count characters, as the database's length() does: a non-BMP character (𝄞) counts once."""
    import_source(CRLF_NOTES)

    citation = Citation.objects.get(paragraph=3)
    citation.refresh_from_db()
    assert citation.quote.endswith("日本, 𝄞.")
    assert citation.end - citation.start == len(CRLF_PARAGRAPHS[2])
    assert Source.objects.get().content[citation.start : citation.end] == CRLF_PARAGRAPHS[2]


@pytest.mark.django_db
def test_import_is_one_revision_so_editors_see_who_brought_the_facts_in():
    import_source(CRLF_NOTES)

    revisions = {version.revision_id for version in Version.objects.all()}
    assert len(revisions) == 1
    fact_versions = Version.objects.get_for_model(Fact)
    assert fact_versions.count() == 3
    assert "Imported “Bijou notes”: 3 draft fact(s)" == fact_versions.first().revision.comment


@pytest.mark.django_db
def test_imported_facts_are_findable_by_the_search_index():
    import_source(CRLF_NOTES)

    fact = Fact.objects.get(position=1)
    assert "bijou" in fact.search_document


@pytest.mark.django_db
def test_draft_facts_go_after_those_already_unsorted_for_the_film():
    film = FilmFactory(title="The Red Shoes", year=1948)
    unsorted, _ = importing.unsorted_topic()
    FactFactory(film=film, topic=unsorted, position=41, status=Fact.Status.DRAFT)

    import_source(CRLF_NOTES)

    positions = list(
        Fact.objects.filter(film=film, topic=unsorted).order_by("position").values_list("position", flat=True)
    )
    assert positions == [41, 42, 43, 44]


@pytest.mark.django_db
def test_import_reads_the_source_text_back_a_fixed_number_of_times_whatever_its_length(tmp_path):
    """Recording the revision once fetched the whole source again per citation: minutes for a 2 MB document."""
    document = tmp_path / "forty.txt"
    document.write_text("\n\n".join(f"Paragraph number {n} of the notes." for n in range(40)), encoding="utf-8")
    source_table = connection.ops.quote_name(Source._meta.db_table)

    with CaptureQueriesContext(connection) as captured:
        import_source(document)

    assert Fact.objects.count() == 40
    source_reads = [q for q in captured if q["sql"].startswith("SELECT") and f"FROM {source_table}" in q["sql"]]
    assert len(source_reads) <= 3, [q["sql"][:120] for q in source_reads]


# --- Bad input: a clear message, a non-zero exit, nothing written ---------------------------------


def assert_refused(path, message, *extra, **kwargs):
    before = row_counts()
    with pytest.raises(CommandError, match=message) as excinfo:
        import_source(path, *extra, **kwargs)
    assert "Nothing was written" in str(excinfo.value)
    assert row_counts() == before


@pytest.mark.django_db
def test_missing_file_is_refused(tmp_path):
    assert_refused(tmp_path / "nowhere.txt", "There is no file at .*nowhere.txt")


@pytest.mark.django_db
def test_directory_is_refused(tmp_path):
    assert_refused(tmp_path, "is a directory")


@pytest.mark.django_db
def test_unreadable_file_is_refused(tmp_path, monkeypatch):
    """Permission bits cannot stop root (who runs CI), so the refusal to read is simulated."""
    locked = tmp_path / "locked.txt"
    locked.write_text("Secret notes.", encoding="utf-8")

    def refuse(self):
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "read_bytes", refuse)
    assert_refused(locked, "Cannot read .*locked.txt: Permission denied")


@pytest.mark.django_db
def test_empty_file_is_refused():
    assert_refused(DATA / "empty.txt", "empty or holds only whitespace")


@pytest.mark.django_db
def test_whitespace_only_file_is_refused():
    assert_refused(DATA / "whitespace_only.txt", "empty or holds only whitespace")


@pytest.mark.django_db
def test_file_that_is_not_utf8_is_refused_with_the_offending_line():
    assert_refused(DATA / "latin1_notes.txt", r"not UTF-8 text: byte 0xe9 on line 1")


@pytest.mark.django_db
def test_binary_file_is_refused():
    assert_refused(DATA / "not_text.png", "looks like a binary file")


@pytest.mark.django_db
def test_utf16_text_is_refused_as_binary_with_a_hint_to_save_as_utf8(tmp_path):
    utf16 = tmp_path / "utf16.txt"
    utf16.write_bytes("Notes saved by an old editor.".encode("utf-16"))
    assert_refused(utf16, "save it as UTF-8")


@pytest.mark.django_db
def test_file_over_the_size_limit_is_refused(tmp_path):
    big = tmp_path / "big.txt"
    paragraph = "A long paragraph of trivia. " * 40 + "\n\n"
    big.write_text(paragraph * (importing.MAX_DOCUMENT_BYTES // len(paragraph) + 1), encoding="utf-8")
    assert big.stat().st_size > importing.MAX_DOCUMENT_BYTES
    assert_refused(
        big, re.escape(f"is {big.stat().st_size:,} bytes; a source document may be at most 2,097,152 bytes (2 MiB).")
    )


@pytest.mark.django_db
def test_file_at_the_size_limit_is_accepted(tmp_path):
    exact = tmp_path / "exact.txt"
    body = ("x" * 1023 + "\n") * (importing.MAX_DOCUMENT_BYTES // 1024)
    exact.write_text(body, encoding="utf-8")
    assert exact.stat().st_size == importing.MAX_DOCUMENT_BYTES
    import_source(exact)
    assert Fact.objects.count() == 1


@pytest.mark.django_db
def test_same_document_twice_is_refused_naming_the_source_that_holds_it():
    import_source(CRLF_NOTES)
    assert_refused(CRLF_NOTES, "already imported, as the source “Bijou notes” \\(slug 'bijou-notes'", title="Again")


@pytest.mark.django_db
def test_same_text_with_other_line_endings_counts_as_the_same_document(tmp_path):
    """Line endings are normalised before fingerprinting: a CRLF and an LF copy are one document."""
    import_source(CRLF_NOTES)
    lf_copy = tmp_path / "lf.txt"
    lf_copy.write_bytes(CRLF_NOTES.read_bytes().replace(b"\r\n", b"\n"))
    assert_refused(lf_copy, "already imported", title="LF copy")


@pytest.mark.django_db
@pytest.mark.parametrize("year", ["19x8", "", "1066", "2999", "1948.5"])
def test_bad_year_is_refused(year):
    assert_refused(CRLF_NOTES, "year", year=year)


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["javascript:alert(1)", "ftp://example.org/notes.txt", "file:///etc/passwd", "notaurl"])
def test_url_that_is_not_http_or_https_is_refused(url):
    assert_refused(CRLF_NOTES, "not an http:// or https:// address", "--url", url)


@pytest.mark.django_db
def test_blank_title_is_refused():
    assert_refused(CRLF_NOTES, "needs a title", title="   ")


@pytest.mark.django_db
def test_unknown_kind_is_refused():
    with pytest.raises(CommandError, match="invalid choice: 'poem'"):
        import_source(CRLF_NOTES, "--kind", "poem")
    assert not Source.objects.exists()


# --- Draft facts for a source already stored ------------------------------------------------------


@pytest.mark.django_db
def test_paragraphs_already_cited_are_skipped_and_a_second_run_creates_nothing():
    source = SourceFactory()
    film = FilmFactory()
    CitationFactory(source=source, quote="A painter designed every backdrop")  # inside paragraph 2

    first = importing.create_draft_facts_from_paragraphs(source, film)
    assert [number for number, _ in first.facts] == [1, 3, 4]
    assert first.skipped == [2]

    second = importing.create_draft_facts_from_paragraphs(source, film)
    assert second.facts == []
    assert second.skipped == [1, 2, 3, 4]
    assert Fact.objects.filter(film=film).count() == 3


@pytest.mark.django_db
def test_a_broken_citation_does_not_count_as_covering_a_paragraph():
    source = SourceFactory()
    citation = CitationFactory(source=source)
    Citation.objects.filter(pk=citation.pk).update(is_broken=True, broken_reason="Quote gone.")

    report = importing.create_draft_facts_from_paragraphs(source, FilmFactory())
    assert [number for number, _ in report.facts] == [1, 2, 3, 4]
