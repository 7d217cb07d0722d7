"""`import_source`: a text document becomes a Source and one cited draft fact per paragraph, or nothing at all."""

import re
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from reversion.models import Version

from tests.factories import FactFactory, FilmFactory, SourceFactory
from tests.scratch import env_for, manage, run_manage, start_manage
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
@pytest.mark.parametrize("year", ["19x8", "", "1066", "2999", "1948.5", "١٩٤٧", "１９４７", "1_948"])
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


@pytest.mark.django_db
def test_a_url_longer_than_its_column_is_refused_not_a_database_error():
    assert_refused(
        CRLF_NOTES, "The URL is too long: 2,020 characters, at most 500.", "--url", "https://e.org/" + "x" * 2006
    )


@pytest.mark.django_db
def test_a_film_title_longer_than_its_column_is_refused():
    assert_refused(CRLF_NOTES, "The film title is too long: 201 characters, at most 200.", film="F" * 201)


@pytest.mark.django_db
def test_the_same_document_with_a_trailing_newline_is_still_the_same_document(tmp_path):
    """A copy that differed only by its last newline imported again and duplicated every draft."""
    import_source(CRLF_NOTES)
    longer = tmp_path / "longer.txt"
    longer.write_bytes(CRLF_NOTES.read_bytes() + b"\r\n\r\n   \n")
    assert_refused(longer, "already imported", title="Again")


@pytest.mark.django_db
def test_a_source_stored_with_its_final_newline_is_still_found_as_the_same_document(tmp_path):
    """Sources imported before trailing whitespace was trimmed may end with a newline."""
    SourceFactory(title="Old import", slug="old-import", content="One paragraph.\n")
    document = tmp_path / "doc.txt"
    document.write_text("One paragraph.", encoding="utf-8")
    assert_refused(document, "already imported, as the source “Old import”")


@pytest.mark.parametrize(
    "arguments, message",
    [
        (["--kind", "bogus"], "invalid choice: 'bogus'"),
        (["--no-such-option"], "unrecognized arguments: --no-such-option"),
    ],
)
def test_bad_options_on_the_command_line_are_one_line_and_exit_status_1(tmp_path, arguments, message):
    """argparse used to print its usage and exit 2; the README promises 1 for any bad input."""
    env = env_for(f"sqlite:///{tmp_path / 'unused.sqlite3'}")
    result = run_manage(
        env, "import_source", str(CRLF_NOTES), "--title", "T", "--film", "F", "--year", "1948", *arguments
    )
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1 and message in result.stderr
    assert result.stderr.startswith("CommandError: import_source:")


# --- Two imports at once ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_film_created_by_a_concurrent_import_between_look_and_create_is_used(monkeypatch, tmp_path):
    """The second of two racing imports found no film, then lost the INSERT: it must use the winner's film."""
    winner = FilmFactory(title="New Film", year=1970, slug="new-film-1970")
    looks = []
    real_first_or_create = importing.first_or_create

    def racing(find, create, what):
        # The first look happens before the other import committed its film.
        def find_after_the_first_look():
            looks.append(what)
            return None if len(looks) == 1 and what.startswith("film") else find()

        return real_first_or_create(find_after_the_first_look, create, what)

    monkeypatch.setattr(importing, "first_or_create", racing)
    import_source(CRLF_NOTES, film="New Film", year="1970")

    assert Film.objects.filter(title="New Film").count() == 1
    assert Source.objects.get().citations.first().fact.film == winner


def test_two_imports_naming_the_same_new_film_at_once_both_import_into_one_film(tmp_path, scratch_database_url):
    """Five times out of five on PostgreSQL the second process died with an IntegrityError traceback."""
    env = env_for(scratch_database_url)
    manage(env, "migrate", "--no-input", "-v0")
    documents = []
    for number in (1, 2):
        path = tmp_path / f"doc_{number}.txt"
        path.write_text(f"Document {number}, first paragraph.\n\nDocument {number}, second paragraph.", "utf-8")
        documents.append(path)

    results = both_at_once(env, [[str(path), "--title", f"T {path.stem}"] for path in documents])

    for returncode, _, stderr in results:
        assert (returncode, stderr) == (0, ""), stderr
    counts = manage(env, "shell", "-v", "0", "-c", COUNT_ROWS)
    assert counts.split() == ["films=1", "topics=1", "sources=2", "facts=4"]
    assert "Every sound citation is on its quote." in manage(env, "check_citations")


def test_the_same_document_imported_twice_at_once_is_imported_once_and_refused_once(scratch_database_url):
    env = env_for(scratch_database_url)
    manage(env, "migrate", "--no-input", "-v0")

    results = both_at_once(env, [[str(CRLF_NOTES), "--title", title] for title in ("A", "B")])

    assert sorted(returncode for returncode, _, _ in results) == [0, 1]
    (refusal,) = [stderr for returncode, _, stderr in results if returncode == 1]
    assert "This document is already imported" in refusal and "Traceback" not in refusal
    assert manage(env, "shell", "-v", "0", "-c", COUNT_ROWS).split() == ["films=1", "topics=1", "sources=1", "facts=3"]


COUNT_ROWS = (
    "from trivia.models import Fact, Film, Source, Topic; "
    "print(f'films={Film.objects.count()} topics={Topic.objects.count()} "
    "sources={Source.objects.count()} facts={Fact.objects.count()}')"
)


def both_at_once(env, argument_lists) -> list[tuple[int, str, str]]:
    """`import_source` run by two processes started together; (exit status, stdout, stderr) of each."""
    processes = [
        start_manage(env, "import_source", *arguments, "--film", "New Film", "--year", "1970")
        for arguments in argument_lists
    ]
    return [(process.wait(timeout=120), *process.communicate()) for process in processes]
