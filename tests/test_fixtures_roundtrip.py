"""A `dumpdata` fixture loads back with nothing lost, and a bad one loads nothing.

The round trip is proved three ways: in this test database (emptied and reloaded),
byte for byte on a second dump, and for real across engines: subprocesses migrate a
fresh SQLite file and a fresh PostgreSQL database and load the fixture into each.
"""

import datetime
import json
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from reversion.models import Version

from tests.factories import CitationFactory, CreditFactory, FactFactory, FilmFactory, PersonFactory, SourceFactory
from tests.scratch import PROJECT_DIR, env_for, manage
from trivia import search, text
from trivia.management.commands.loaddata import FixtureIntegrityError
from trivia.models import Citation, Credit, Fact, Film, Person, Source, Topic

TRIVIA_MODELS = [Film, Person, Credit, Topic, Source, Fact, Citation]
DUMP_OPTIONS = {"natural_foreign": True, "natural_primary": True, "indent": 2}

NON_ASCII_DOCUMENT = (
    "“The Red Shoes” opened in Paris — Émeric was delighted.\n\n"
    "Massine’s cobbler danced in Monte Carlo; the critics wrote «magnifique».\n\n"
    "The programme had a treble clef 𝄞 printed on the cover, and a naïve façade."
)


def build_knowledge_base():
    """The seed plus everything the seed lacks: drafts, spoilers, several people, non-ASCII, a broken citation."""
    call_command("seed_trivia", stdout=StringIO())
    film = FilmFactory(title="Les Chaussons rouges", year=1949, description="Version française, sous-titrée.")
    emeric = PersonFactory(name="Émeric Pressburger", slug="emeric-pressburger")
    fred = PersonFactory(name="Fred Astaire", slug="fred-astaire")
    CreditFactory(film=film, person=emeric, role=Credit.Role.WRITER, order=1)
    CreditFactory(film=film, person=fred, role=Credit.Role.ACTOR, character="Le cordonnier", order=2)
    source = SourceFactory(
        title="Programme de Paris", slug="programme-de-paris", content=NON_ASCII_DOCUMENT, url="https://example.org/p"
    )
    draft = FactFactory(film=film, status=Fact.Status.DRAFT, is_spoiler=True, text="Émeric était ravi.", position=7)
    draft.people.set([fred, emeric])
    CitationFactory(fact=draft, source=source, quote="Émeric was delighted")
    clef = FactFactory(film=film, text="The programme’s cover had a treble clef.", position=8)
    CitationFactory(fact=clef, source=source, quote="treble clef 𝄞")
    broken = CitationFactory(fact=clef, source=source, quote="naïve façade")
    Citation.objects.filter(pk=broken.pk).update(is_broken=True, broken_reason="The source changed; quote not found.")
    # An old fact: loading must keep its timestamps, not stamp the time of the load.
    Fact.objects.filter(pk=clef.pk).update(
        created_at=datetime.datetime(2001, 2, 3, 4, 5, 6, 789012, tzinfo=datetime.UTC),
        updated_at=datetime.datetime(2002, 3, 4, 5, 6, 7, 891000, tzinfo=datetime.UTC),
    )
    # Times on a whole millisecond and a whole second: Django's own encoder wrote "….000Z" for the first,
    # which loads back as a whole second and then dumps as "…Z", so the second dump differed.
    # The draft was published once and taken back: it keeps its first publication date.
    Fact.objects.filter(pk=draft.pk).update(
        created_at=datetime.datetime(2003, 1, 1, 0, 0, 1, 500, tzinfo=datetime.UTC),
        updated_at=datetime.datetime(2003, 1, 1, 0, 0, 2, tzinfo=datetime.UTC),
        published_at=datetime.datetime(2003, 1, 1, 0, 0, 1, 999, tzinfo=datetime.UTC),
    )


def natural(instance):
    return list(instance.natural_key())


def snapshot():
    """Every serialised field of every trivia row, foreign keys and people by natural key: what a dump must keep."""
    result = {}
    for model in TRIVIA_MODELS:
        rows = []
        for obj in model.objects.all():
            row = {}
            for field in model._meta.concrete_fields:
                if field.primary_key or not field.serialize:
                    continue
                value = getattr(obj, field.name)
                if field.many_to_one:
                    value = natural(value)
                row[field.name] = value
            for field in model._meta.many_to_many:
                row[field.name] = sorted(natural(p) for p in getattr(obj, field.name).all())
            if hasattr(obj, "get_absolute_url"):
                row["url"] = obj.get_absolute_url()
            rows.append(row)
        result[model._meta.label] = sorted(rows, key=repr)
    return result


def dump() -> str:
    out = StringIO()
    call_command("dumpdata", "trivia", stdout=out, **DUMP_OPTIONS)
    return out.getvalue()


def empty_trivia_tables():
    for model in reversed(TRIVIA_MODELS):
        model.objects.all().delete()


@pytest.mark.django_db
def test_dump_and_load_recreates_every_object_and_relation(tmp_path):
    build_knowledge_base()
    before = snapshot()
    fixture = tmp_path / "trivia.json"
    call_command("dumpdata", "trivia", output=str(fixture), **DUMP_OPTIONS)

    empty_trivia_tables()
    assert not Fact.objects.exists()
    call_command("loaddata", str(fixture), stdout=StringIO())

    after = snapshot()
    for label in before:
        assert after[label] == before[label], label
    assert Fact.objects.count() == 21
    assert Citation.objects.filter(is_broken=True).get().broken_reason == "The source changed; quote not found."


@pytest.mark.django_db
def test_second_dump_is_byte_identical_to_the_first(tmp_path):
    build_knowledge_base()
    first = tmp_path / "first.json"
    call_command("dumpdata", "trivia", output=str(first), **DUMP_OPTIONS)
    empty_trivia_tables()
    call_command("loaddata", str(first), stdout=StringIO())
    second = tmp_path / "second.json"
    call_command("dumpdata", "trivia", output=str(second), **DUMP_OPTIONS)

    assert second.read_bytes() == first.read_bytes()


@pytest.mark.django_db
def test_loading_keeps_timestamps_instead_of_stamping_the_time_of_the_load(tmp_path):
    """`auto_now` fields are not touched by a raw (fixture) save: a fact edited in 2002 stays edited in 2002.

    To the microsecond: the fixture format writes them in full (trivia/fixture_json.py).
    """
    build_knowledge_base()
    fixture = tmp_path / "trivia.json"
    call_command("dumpdata", "trivia", output=str(fixture), **DUMP_OPTIONS)
    empty_trivia_tables()
    call_command("loaddata", str(fixture), stdout=StringIO())

    fact = Fact.objects.get(text="The programme’s cover had a treble clef.")
    assert fact.created_at == datetime.datetime(2001, 2, 3, 4, 5, 6, 789012, tzinfo=datetime.UTC)
    assert fact.updated_at == datetime.datetime(2002, 3, 4, 5, 6, 7, 891000, tzinfo=datetime.UTC)
    draft = Fact.objects.get(text="Émeric était ravi.")
    assert draft.created_at == datetime.datetime(2003, 1, 1, 0, 0, 1, 500, tzinfo=datetime.UTC)
    assert draft.updated_at == datetime.datetime(2003, 1, 1, 0, 0, 2, tzinfo=datetime.UTC)


@pytest.mark.django_db
def test_dump_of_the_trivia_app_holds_no_revision_history_and_loading_records_none(tmp_path):
    """django-reversion's tables belong to the `reversion` app: history stays out of a trivia fixture."""
    build_knowledge_base()
    assert Version.objects.exists()
    fixture_text = dump()
    models = {entry["model"] for entry in json.loads(fixture_text)}
    assert models == {f"trivia.{model._meta.model_name}" for model in TRIVIA_MODELS}
    assert "search_document" not in fixture_text

    empty_trivia_tables()
    versions_before = Version.objects.count()
    fixture = tmp_path / "trivia.json"
    fixture.write_text(fixture_text, encoding="utf-8")
    call_command("loaddata", str(fixture), stdout=StringIO())
    assert Version.objects.count() == versions_before


@pytest.mark.django_db
def test_loading_recomputes_citation_paragraphs_rather_than_trusting_the_fixture(tmp_path):
    build_knowledge_base()
    entries = json.loads(dump())
    for entry in entries:
        if entry["model"] == "trivia.citation":
            entry["fields"]["paragraph"] = 99
    fixture = tmp_path / "trivia.json"
    fixture.write_text(json.dumps(entries), encoding="utf-8")
    empty_trivia_tables()
    call_command("loaddata", str(fixture), stdout=StringIO())

    clef = Citation.objects.get(quote="treble clef 𝄞")
    assert clef.paragraph == 3
    assert not Citation.objects.filter(paragraph=99).exists()


@pytest.mark.django_db
def test_loaded_facts_are_found_by_search_on_words_of_their_text_people_and_quotes(tmp_path):
    """The search document is not in the fixture; loading rebuilds it (trivia/signals.py) for every fact."""
    build_knowledge_base()
    fixture = tmp_path / "trivia.json"
    call_command("dumpdata", "trivia", output=str(fixture), **DUMP_OPTIONS)
    empty_trivia_tables()
    call_command("loaddata", str(fixture), stdout=StringIO())

    def found(q):
        return set(search.search_facts(Fact.objects.all(), q).values_list("text", flat=True))

    assert found("ravi") == {"Émeric était ravi."}  # its text
    assert found("astaire") == {"Émeric était ravi."}  # one of its people
    assert found("delighted") == {"Émeric était ravi."}  # its quote
    assert "The programme’s cover had a treble clef." in found("treble")
    assert not Fact.objects.filter(search_document="").exists()


# --- Bad fixtures: one clear line, nothing loaded ---------------------------------------------------


def _fixture_entries():
    build_knowledge_base()
    entries = json.loads(dump())
    empty_trivia_tables()
    return entries


def _assert_load_fails_and_leaves_nothing(tmp_path, content, *expected_words):
    fixture = tmp_path / "bad.json"
    fixture.write_text(content if isinstance(content, str) else json.dumps(content, indent=2), encoding="utf-8")
    with pytest.raises(CommandError) as excinfo:
        call_command("loaddata", str(fixture), stdout=StringIO())
    message = str(excinfo.value)
    assert "\n" not in message
    assert "Nothing was loaded" in message
    for word in expected_words:
        assert word in message
    for model in TRIVIA_MODELS:
        assert not model.objects.exists(), model
    return message


@pytest.mark.django_db
def test_truncated_fixture_is_reported_as_invalid_json_and_loads_nothing(tmp_path):
    text = json.dumps(_fixture_entries(), indent=2)
    _assert_load_fails_and_leaves_nothing(tmp_path, text[: len(text) // 2], "not valid JSON", "line")


@pytest.mark.django_db
def test_citation_whose_quote_no_longer_matches_its_source_loads_nothing(tmp_path):
    entries = _fixture_entries()
    citation = next(e for e in entries if e["model"] == "trivia.citation" and e["fields"]["quote"] == "treble clef 𝄞")
    citation["fields"]["quote"] = "treble clef ♫"
    _assert_load_fails_and_leaves_nothing(tmp_path, entries, "does not match its source", "programme-de-paris")


@pytest.mark.django_db
def test_source_with_a_tampered_sha256_loads_nothing(tmp_path):
    entries = _fixture_entries()
    source = next(e for e in entries if e["model"] == "trivia.source" and e["fields"]["slug"] == "programme-de-paris")
    source["fields"]["content"] = source["fields"]["content"].replace("Paris", "Londres")
    message = _assert_load_fails_and_leaves_nothing(tmp_path, entries, "SHA-256", "programme-de-paris")
    assert "does not match its content" in message


@pytest.mark.django_db
def test_integrity_errors_keep_their_type_for_callers_that_catch_them(tmp_path):
    entries = _fixture_entries()
    source = next(e for e in entries if e["model"] == "trivia.source")
    source["fields"]["sha256"] = "0" * 64
    fixture = tmp_path / "bad.json"
    fixture.write_text(json.dumps(entries), encoding="utf-8")
    with pytest.raises(FixtureIntegrityError, match="Nothing was loaded"):
        call_command("loaddata", str(fixture), stdout=StringIO())


@pytest.mark.django_db
def test_fact_whose_topic_is_missing_names_the_missing_topic_and_loads_nothing(tmp_path):
    entries = [e for e in _fixture_entries() if e["model"] != "trivia.topic"]
    _assert_load_fails_and_leaves_nothing(tmp_path, entries, "refers to topic", "neither in the fixture")


@pytest.mark.django_db
def test_citation_whose_source_is_missing_loads_nothing(tmp_path):
    entries = [e for e in _fixture_entries() if e["model"] != "trivia.source"]
    message = _assert_load_fails_and_leaves_nothing(tmp_path, entries, "refers to source", "neither in the fixture")
    assert "['programme-de-paris']" in message or "['the-red-shoes-1948-trivia']" in message  # names the slug


@pytest.mark.django_db
def test_fact_naming_a_person_who_is_missing_loads_nothing(tmp_path):
    entries = _fixture_entries()
    fact = next(e for e in entries if e["model"] == "trivia.fact")
    fact["fields"]["people"] = [["nobody-of-that-name"]]
    _assert_load_fails_and_leaves_nothing(tmp_path, entries, "nobody-of-that-name", "neither in the fixture")


@pytest.mark.django_db
def test_unknown_model_in_fixture_loads_nothing(tmp_path):
    entries = _fixture_entries()
    entries.append({"model": "trivia.rumour", "fields": {"text": "Everyone knows."}})
    _assert_load_fails_and_leaves_nothing(tmp_path, entries, "trivia.rumour")


@pytest.mark.django_db
def test_bad_fixture_leaves_existing_rows_untouched(tmp_path):
    """A failed load into a populated database changes nothing that was there."""
    build_knowledge_base()
    before = snapshot()
    entries = json.loads(dump())
    for entry in entries:
        if entry["model"] == "trivia.fact":
            entry["fields"]["text"] = "Overwritten by a bad fixture."
    entries.append({"model": "trivia.citation", "fields": {"fact": ["no-such-fact"], "source": ["nope"]}})
    fixture = tmp_path / "bad.json"
    fixture.write_text(json.dumps(entries), encoding="utf-8")

    with pytest.raises(CommandError):
        call_command("loaddata", str(fixture), stdout=StringIO())
    assert snapshot() == before


def test_bad_fixture_from_the_command_line_prints_one_line_and_exits_non_zero(tmp_path):
    """What an operator sees: no traceback, exit status 1."""
    fixture = tmp_path / "truncated.json"
    fixture.write_text('[\n{\n  "model": "trivia.film",\n  "fields": {\n    "title": "The Red', encoding="utf-8")
    database = tmp_path / "empty.sqlite3"
    env = env_for(f"sqlite:///{database}")
    manage(env, "migrate", "--no-input", "-v0")
    result = subprocess.run(
        [sys.executable, "manage.py", "loaddata", str(fixture)],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "truncated.json" in result.stderr and "not valid JSON" in result.stderr


# --- Across engines, for real ---------------------------------------------------------------------


def _load_into_fresh_database_and_dump(database_url: str, fixture: Path, output: Path) -> None:
    env = env_for(database_url)
    manage(env, "migrate", "--no-input", "-v0")
    manage(env, "loaddata", str(fixture))
    manage(env, "dumpdata", "trivia", "--natural-foreign", "--natural-primary", "--indent", "2", "-o", str(output))


@pytest.mark.django_db
def test_fixture_moves_from_this_database_to_sqlite_to_postgresql_and_back_unchanged(tmp_path, scratch_postgres_url):
    """Each hop migrates an empty database, loads the previous hop's dump and dumps again: all dumps are identical."""
    build_knowledge_base()
    first = tmp_path / "0-test-database.json"
    call_command("dumpdata", "trivia", output=str(first), **DUMP_OPTIONS)

    hops = [
        ("sqlite", f"sqlite:///{tmp_path / 'first.sqlite3'}"),
        ("postgresql", scratch_postgres_url),
        ("sqlite-again", f"sqlite:///{tmp_path / 'second.sqlite3'}"),
    ]
    previous = first
    for number, (name, url) in enumerate(hops, start=1):
        output = tmp_path / f"{number}-{name}.json"
        _load_into_fresh_database_and_dump(url, previous, output)
        assert output.read_bytes() == first.read_bytes(), f"the dump from {name} differs from the original"
        previous = output


# --- Loading into a database that already holds the rows -------------------------------------------


def _seed_source_fixture(tmp_path, change) -> Path:
    """A fixture holding only the seed source, its text changed by `change`, with a matching SHA-256."""
    out = StringIO()
    call_command("dumpdata", "trivia.source", stdout=out, **DUMP_OPTIONS)
    entries = json.loads(out.getvalue())
    fields = entries[0]["fields"]
    fields["content"] = change(fields["content"])
    fields["sha256"] = text.sha256_hex(fields["content"])
    fixture = tmp_path / "source.json"
    fixture.write_text(json.dumps(entries), encoding="utf-8")
    return fixture


@pytest.mark.django_db
def test_a_load_that_changes_a_cited_source_text_moves_its_citations_with_it(tmp_path, client, seeded):
    """It used to load, exit 0, and leave 24 citations "sound" over the wrong words."""
    fixture = _seed_source_fixture(tmp_path, lambda content: "PREFIXED TEXT. " + content)

    call_command("loaddata", str(fixture), stdout=StringIO())

    out = StringIO()
    call_command("check_citations", stdout=out)
    assert "Every sound citation is on its quote." in out.getvalue()
    citation = Citation.objects.get(fact__key="over-budget")
    assert not citation.is_broken
    assert citation.source.content[citation.start : citation.end] == citation.quote
    page = client.get(citation.source.get_absolute_url()).content.decode()
    assert f'<mark id="{citation.anchor}" class="citation">{citation.quote}</mark>' in page


@pytest.mark.django_db
def test_a_load_that_removes_a_cited_passage_marks_its_citation_broken_with_the_reason(tmp_path, client, seeded):
    quote = Citation.objects.get(fact__key="over-budget").quote
    fixture = _seed_source_fixture(tmp_path, lambda content: content.replace(quote, "Something else entirely."))

    call_command("loaddata", str(fixture), stdout=StringIO())

    citation = Citation.objects.get(fact__key="over-budget")
    assert citation.is_broken
    assert citation.broken_reason == "The quote no longer occurs in the source."
    assert "needs attention" in client.get(citation.fact.get_absolute_url()).content.decode().lower()


@pytest.mark.django_db
def test_a_row_the_database_refuses_is_named_by_its_natural_key(tmp_path, seeded):
    entries = json.loads(dump())
    fact = next(e for e in entries if e["model"] == "trivia.fact" and e["fields"]["key"] == "over-budget")
    fact["fields"]["text"] = ""  # the database refuses an empty fact
    fixture = tmp_path / "refused.json"
    fixture.write_text(json.dumps(entries), encoding="utf-8")

    with pytest.raises(CommandError) as excinfo:
        call_command("loaddata", str(fixture), stdout=StringIO())

    message = str(excinfo.value)
    assert "Could not load fact 'over-budget':" in message
    assert "pk=None" not in message and "\n" not in message
    assert message.endswith(". Nothing was loaded; the database is as it was.")
    assert Fact.objects.get(key="over-budget").text  # unchanged


@pytest.mark.django_db
def test_a_fact_indexed_from_a_two_megabyte_paragraph_moves_to_postgresql(tmp_path, scratch_postgres_url):
    """Such a fact could be made on SQLite but not loaded into PostgreSQL (its search vector was too big)."""
    from tests.test_search import random_words_document

    document = tmp_path / "long.txt"
    document.write_text(random_words_document(230_000)[:2_000_000], encoding="utf-8")
    call_command("import_source", str(document), "--title", "D", "--film", "F", "--year", "1950", stdout=StringIO())
    fixture = tmp_path / "long.json"
    call_command("dumpdata", "trivia", output=str(fixture), **DUMP_OPTIONS)

    output = tmp_path / "from-postgresql.json"
    _load_into_fresh_database_and_dump(scratch_postgres_url, fixture, output)
    assert output.read_bytes() == fixture.read_bytes()
