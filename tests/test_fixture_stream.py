"""`loaddata`'s fast path reads the fixture a piece at a time and writes it a batch at a time (issue 16).

A million-fact fixture is a gigabyte of JSON; read whole, it took many times that in
memory. These tests shrink the pieces and batches to a few objects, so every boundary is
crossed with a small fixture: the load is the same, the rules still hold across batches,
and what the stock path handled before, it still does.
"""

import io
import json
from io import StringIO

import pytest
from django.core.management import call_command

from tests.test_fixture_fast_path import (
    altered_fixture,
    assert_refused_by_the_stock_path_in_one_line,
    dumped_fixture,
)
from tests.test_fixtures_roundtrip import build_knowledge_base, empty_trivia_tables, snapshot
from trivia import fixture_json, fixture_load, search
from trivia.models import Fact

ARRAYS = [
    "[]",
    " [ ] ",
    "[1,2,3]",
    '[ {"a": "x"} , {"b": [1, {"c": null}]} ]',
    "[12345678901234567890, 1.5e10, -0.25, true, false, null]",
    json.dumps([{"text": "é𝄞" * 300, "n": n} for n in range(20)], indent=2),
]


@pytest.mark.parametrize("text", ARRAYS)
@pytest.mark.parametrize("chunk", [1, 2, 7, 1 << 20])
def test_an_array_read_in_pieces_gives_the_same_elements_as_json(text, chunk):
    assert list(fixture_json.read_array(io.StringIO(text), chunk)) == json.loads(text)


@pytest.mark.parametrize("text", ["", "[", "[1,", "[1 2]", "[1,]", "{}", "[1] x", "\ufeff[1]", '[{"a": ]', "[1.]"])
@pytest.mark.parametrize("chunk", [1, 3, 1 << 20])
def test_anything_but_one_json_array_is_refused(text, chunk):
    with pytest.raises(ValueError):
        list(fixture_json.read_array(io.StringIO(text), chunk))


@pytest.fixture
def small_pieces(monkeypatch):
    """Pieces of 64 characters and batches of 2 objects; records the most text ever held."""
    monkeypatch.setattr(fixture_json, "READ_CHUNK", 64)
    monkeypatch.setattr(fixture_load, "BATCH_SIZE", 2)
    held = []
    read_more = fixture_json._ArrayReader.read_more

    def spy(reader):
        more = read_more(reader)
        held.append(len(reader.buffer))
        return more

    monkeypatch.setattr(fixture_json._ArrayReader, "read_more", spy)
    return held


@pytest.mark.django_db
def test_a_fixture_loaded_in_small_pieces_and_batches_is_the_same_database(tmp_path, small_pieces, stock_loads):
    build_knowledge_base()
    before = snapshot()
    fixture = dumped_fixture(tmp_path)
    empty_trivia_tables()

    call_command("loaddata", str(fixture), stdout=StringIO())

    assert stock_loads == []
    assert snapshot() == before
    assert dumped_fixture(tmp_path, "again.json").read_bytes() == fixture.read_bytes()
    assert search.search_facts(Fact.objects.all(), "astaire").exists()
    # Never the file: what is held grows by doubling while one object is read, so at most
    # about twice the longest object, plus a piece.
    longest = max(len(json.dumps(entry, indent=2)) for entry in json.loads(fixture.read_text()))
    assert max(small_pieces) <= 2 * longest + 2 * 64
    assert max(small_pieces) < len(fixture.read_text()) / 4


@pytest.mark.django_db
def test_people_listed_after_the_facts_naming_them_load_through_the_stock_path(tmp_path, stock_loads):
    """The streaming loader resolves a fact's people as it reads the fact; Django's path waits for them."""
    build_knowledge_base()
    before = snapshot()
    entries = json.loads(dumped_fixture(tmp_path).read_text())
    last = [e for e in entries if e["model"] == "trivia.person"] + [e for e in entries if e["model"] == "trivia.credit"]
    fixture = tmp_path / "people-last.json"
    fixture.write_text(json.dumps([e for e in entries if e not in last] + last), encoding="utf-8")
    empty_trivia_tables()

    call_command("loaddata", str(fixture), stdout=StringIO())

    assert stock_loads == [str(fixture)]
    assert snapshot() == before


@pytest.mark.django_db
def test_a_citation_before_its_fact_falls_back_and_is_reported_in_one_line(tmp_path, stock_loads):
    def citation_first(entries):
        citation = next(e for e in entries if e["model"] == "trivia.citation")
        entries.remove(citation)
        entries.insert(0, citation)

    assert_refused_by_the_stock_path_in_one_line(altered_fixture(tmp_path, citation_first), stock_loads)
