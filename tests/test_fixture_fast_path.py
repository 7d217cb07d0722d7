"""`dumpdata` and `loaddata` of the trivia app in a number of queries that does not grow with the facts.

The shadowing commands (trivia/management/commands/dumpdata.py and loaddata.py) take a
fast path for the documented use and Django's stock path for everything else. These
tests hold the fast paths to the stock commands' output and semantics, and show that
the stock paths still run where the fast ones do not apply. The round trip and the
bad-fixture messages are in tests/test_fixtures_roundtrip.py, which both paths pass.
"""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.core.management.commands import dumpdata as stock_dumpdata
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import CitationFactory, FactFactory, FilmFactory, PersonFactory, SourceFactory
from tests.test_fixtures_roundtrip import DUMP_OPTIONS, build_knowledge_base, empty_trivia_tables, snapshot
from trivia import fixture_load, search
from trivia.models import Citation, Fact, Film, Topic


def stock_dump(*labels, **options) -> str:
    """What Django's own `dumpdata` writes, bypassing the shadowing command."""
    out = StringIO()
    call_command(stock_dumpdata.Command(), *labels, stdout=out, **options)
    return out.getvalue()


def fast_dump(*labels, **options) -> str:
    out = StringIO()
    call_command("dumpdata", *labels, stdout=out, **options)
    return out.getvalue()


def add_facts(count: int):
    """Facts with people and a citation each, on a film and source of their own."""
    film = FilmFactory()
    source = SourceFactory()
    person = PersonFactory()
    for number in range(count):
        fact = FactFactory(film=film, text=f"Extra fact {number} on a film of its own.", people=[person])
        CitationFactory(fact=fact, source=source)


# --- dumpdata ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_dumpdata_of_the_trivia_app_is_byte_identical_to_the_stock_command():
    """Drafts, spoilers, a broken citation, non-ASCII text and old timestamps included."""
    build_knowledge_base()
    assert fast_dump("trivia", **DUMP_OPTIONS) == stock_dump("trivia", **DUMP_OPTIONS)
    unindented = {"natural_foreign": True, "natural_primary": True}
    assert fast_dump("trivia", **unindented) == stock_dump("trivia", **unindented)


@pytest.mark.django_db
def test_dumpdata_of_some_trivia_models_is_byte_identical_to_the_stock_command():
    build_knowledge_base()
    labels = ("trivia.citation", "trivia.fact", "trivia.source")
    assert fast_dump(*labels, **DUMP_OPTIONS) == stock_dump(*labels, **DUMP_OPTIONS)
    assert '"model": "trivia.film"' not in fast_dump(*labels, **DUMP_OPTIONS)


@pytest.mark.django_db
def test_dumpdata_to_a_file_writes_the_same_bytes_as_the_stock_command(tmp_path):
    build_knowledge_base()
    fast, stock = tmp_path / "fast.json", tmp_path / "stock.json"
    call_command("dumpdata", "trivia", output=str(fast), stdout=StringIO(), **DUMP_OPTIONS)
    call_command(stock_dumpdata.Command(), "trivia", output=str(stock), stdout=StringIO(), **DUMP_OPTIONS)
    assert fast.read_bytes() == stock.read_bytes()


@pytest.mark.django_db
def test_dumpdata_query_count_does_not_grow_with_the_number_of_facts():
    """Stock dumpdata asks for each citation's fact and source and each fact's people: ~3 queries a fact."""
    build_knowledge_base()
    with CaptureQueriesContext(connection) as few:
        fast_dump("trivia", **DUMP_OPTIONS)
    add_facts(25)
    with CaptureQueriesContext(connection) as many:
        fast_dump("trivia", **DUMP_OPTIONS)
    assert len(many) == len(few)


@pytest.mark.django_db
def test_dumpdata_without_natural_keys_or_with_excludes_is_the_stock_command():
    build_knowledge_base()
    plain = fast_dump("trivia", indent=2)
    assert plain == stock_dump("trivia", indent=2)
    assert '"pk":' in plain
    options = {**DUMP_OPTIONS, "exclude": ["trivia.credit"]}
    excluding = fast_dump("trivia", **options)
    assert excluding == stock_dump("trivia", **options)
    assert '"model": "trivia.credit"' not in excluding


@pytest.mark.django_db
def test_dumpdata_of_an_unknown_model_still_says_so():
    with pytest.raises(CommandError, match="Unknown model: trivia.rumour"):
        fast_dump("trivia.rumour", **DUMP_OPTIONS)


# --- loaddata ---------------------------------------------------------------------------------------


def dumped_fixture(tmp_path, name="trivia.json"):
    fixture = tmp_path / name
    call_command("dumpdata", "trivia", output=str(fixture), stdout=StringIO(), **DUMP_OPTIONS)
    return fixture


@pytest.mark.django_db
def test_loading_into_empty_tables_takes_the_fast_path_and_keeps_everything(tmp_path, stock_loads):
    build_knowledge_base()
    before = snapshot()
    fixture = dumped_fixture(tmp_path)
    empty_trivia_tables()
    out = StringIO()
    call_command("loaddata", str(fixture), stdout=out)

    assert stock_loads == []
    assert snapshot() == before
    assert out.getvalue().startswith(f"Installed {len(json.loads(fixture.read_text()))} object(s) from 1 fixture(s)")
    # Primary keys in file order, so the re-dump is the same file.
    assert dumped_fixture(tmp_path, "again.json").read_bytes() == fixture.read_bytes()
    assert set(search.search_facts(Fact.objects.all(), "astaire").values_list("text", flat=True)) == {
        "Émeric était ravi."
    }


@pytest.mark.django_db
def test_fast_loaddata_query_count_does_not_grow_with_the_number_of_facts(tmp_path, stock_loads):
    """Stock loaddata made ~10 queries per fact: lookups by natural key, the citation's source, search refreshes."""
    build_knowledge_base()
    small = dumped_fixture(tmp_path, "small.json")
    add_facts(25)
    large = dumped_fixture(tmp_path, "large.json")
    counts = []
    for fixture in (small, large):
        empty_trivia_tables()
        with CaptureQueriesContext(connection) as queries:
            call_command("loaddata", str(fixture), stdout=StringIO())
        counts.append(len(queries))
    assert stock_loads == []
    assert Fact.objects.count() == 21 + 25
    assert counts[0] == counts[1]


@pytest.mark.django_db
def test_rows_added_after_a_fast_load_get_fresh_primary_keys(tmp_path):
    """The loader writes primary keys itself, so it resets PostgreSQL's sequences as stock loaddata does."""
    build_knowledge_base()
    fixture = dumped_fixture(tmp_path)
    empty_trivia_tables()
    call_command("loaddata", str(fixture), stdout=StringIO())
    film = FilmFactory(title="A film added afterwards")
    CitationFactory(fact=FactFactory(film=film), source=SourceFactory())
    assert Film.objects.filter(title="A film added afterwards").exists()


@pytest.mark.django_db
def test_loading_into_tables_that_hold_rows_takes_the_stock_path_and_still_works(tmp_path, stock_loads):
    build_knowledge_base()
    before = snapshot()
    fixture = dumped_fixture(tmp_path)
    empty_trivia_tables()
    FilmFactory(title="Already here", slug="already-here")

    call_command("loaddata", str(fixture), stdout=StringIO())

    assert stock_loads == [str(fixture)]
    assert Film.objects.filter(slug="already-here").exists()
    after = snapshot()
    assert after["trivia.Fact"] == before["trivia.Fact"]
    assert after["trivia.Citation"] == before["trivia.Citation"]


@pytest.mark.django_db
def test_loading_the_same_fixture_twice_updates_rows_in_place(tmp_path, stock_loads):
    """The second load finds the tables full: the stock path matches rows by natural key, duplicating nothing."""
    build_knowledge_base()
    fixture = dumped_fixture(tmp_path)
    empty_trivia_tables()
    call_command("loaddata", str(fixture), stdout=StringIO())
    call_command("loaddata", str(fixture), stdout=StringIO())
    assert stock_loads == [str(fixture)]
    assert Fact.objects.count() == 21
    assert Citation.objects.count() == len([e for e in json.loads(fixture.read_text()) if "citation" in e["model"]])


def altered_fixture(tmp_path, alter):
    """The knowledge base dumped, `alter(entries)` applied and written back; the tables emptied for the load."""
    build_knowledge_base()
    entries = json.loads(dumped_fixture(tmp_path).read_text())
    alter(entries)
    fixture = tmp_path / "altered.json"
    fixture.write_text(json.dumps(entries), encoding="utf-8")
    empty_trivia_tables()
    return fixture


def assert_refused_by_the_stock_path_in_one_line(fixture, stock_loads):
    with pytest.raises(CommandError) as excinfo:
        call_command("loaddata", str(fixture), stdout=StringIO())
    assert "\n" not in str(excinfo.value) and "Nothing was loaded" in str(excinfo.value)
    assert stock_loads == [str(fixture)]
    assert not Fact.objects.exists() and not Film.objects.exists() and not Topic.objects.exists()


@pytest.mark.django_db
def test_a_fixture_the_database_refuses_falls_back_and_is_reported_in_one_line(tmp_path, stock_loads):
    """Two topics with one name pass the in-memory checks; the database refuses them, the stock path says which."""

    def same_topic_names(entries):
        topics = [entry for entry in entries if entry["model"] == "trivia.topic"]
        topics[1]["fields"]["name"] = topics[0]["fields"]["name"]

    assert_refused_by_the_stock_path_in_one_line(altered_fixture(tmp_path, same_topic_names), stock_loads)


@pytest.mark.django_db
@pytest.mark.parametrize("batch_size", [fixture_load.BATCH_SIZE, 2])
def test_a_broken_citation_in_the_fixture_is_refused_on_the_fast_path(tmp_path, stock_loads, monkeypatch, batch_size):
    """In batches of 2 the broken citation is met after many rows were written: still nothing stays."""
    monkeypatch.setattr(fixture_load, "BATCH_SIZE", batch_size)
    build_knowledge_base()
    entries = json.loads(dumped_fixture(tmp_path).read_text())
    citation = [e for e in entries if e["model"] == "trivia.citation" and not e["fields"]["is_broken"]][-1]
    citation["fields"]["quote"] = "x" * len(citation["fields"]["quote"])
    fixture = tmp_path / "bad.json"
    fixture.write_text(json.dumps(entries), encoding="utf-8")
    empty_trivia_tables()

    with pytest.raises(CommandError, match="does not match its source.*Nothing was loaded"):
        call_command("loaddata", str(fixture), stdout=StringIO())
    assert stock_loads == []
    assert not Fact.objects.exists() and not Film.objects.exists()


@pytest.mark.django_db
def test_a_value_of_the_wrong_shape_falls_back_and_is_reported_in_one_line(tmp_path, stock_loads):
    """A person with no name: the fast loader leaves it to the stock path, which names the problem."""

    def nameless_person(entries):
        person = next(e for e in entries if e["model"] == "trivia.person" and e["fields"]["slug"] == "fred-astaire")
        person["fields"]["name"] = None

    assert_refused_by_the_stock_path_in_one_line(altered_fixture(tmp_path, nameless_person), stock_loads)


@pytest.mark.django_db
def test_a_fixture_from_before_publication_dates_still_takes_the_fast_path(tmp_path, stock_loads):
    """Without `published_at` its published facts get their creation time, exactly as the stock path gives."""
    build_knowledge_base()
    entries = json.loads(dumped_fixture(tmp_path).read_text())
    for entry in entries:
        entry["fields"].pop("published_at", None)
    old = tmp_path / "old.json"
    old.write_text(json.dumps(entries), encoding="utf-8")
    empty_trivia_tables()

    call_command("loaddata", str(old), stdout=StringIO())

    assert stock_loads == []
    published = Fact.objects.published()
    assert published.exists() and all(fact.published_at == fact.created_at for fact in published)
    assert not Fact.objects.filter(status=Fact.Status.DRAFT, published_at__isnull=False).exists()
