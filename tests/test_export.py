"""`export_trivia`: the dumpdata fixture format, for everything or one film, optionally published facts only."""

import json
import threading
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext

from tests.factories import CitationFactory, CreditFactory, FactFactory, FilmFactory, PersonFactory, SourceFactory
from trivia import exports
from trivia.models import Citation, Credit, Fact, Film, Person, Source, Topic
from trivia.services.seeding import seed_from_spec

TRIVIA_MODELS = [Citation, Fact, Credit, Source, Topic, Person, Film]


def export(*args) -> str:
    out = StringIO()
    call_command("export_trivia", *args, stdout=out)
    return out.getvalue()


def fixture_of(selection) -> str:
    buffer = StringIO()
    exports.write_fixture(selection, buffer)
    return buffer.getvalue()


def entries_of(fixture_text: str, model: str) -> list[dict]:
    return [e["fields"] for e in json.loads(fixture_text) if e["model"] == f"trivia.{model}"]


@pytest.fixture
def second_film(seeded):
    """Another film with a credit, a draft and a published fact citing its own source."""
    film = FilmFactory(title="Black Narcissus", year=1947)
    nun = PersonFactory(name="Deborah Kerr", slug="deborah-kerr")
    CreditFactory(film=film, person=nun, role=Credit.Role.ACTOR, character="Sister Clodagh")
    source = SourceFactory(slug="black-narcissus-notes")
    published = FactFactory(film=film, text="Shot entirely at Pinewood.")
    published.people.set([nun])
    CitationFactory(fact=published, source=source)
    draft = FactFactory(film=film, status=Fact.Status.DRAFT, text="A draft about the convent.")
    CitationFactory(fact=draft, source=SourceFactory(slug="draft-only-source"))
    return film


@pytest.mark.django_db
def test_export_of_everything_is_exactly_what_dumpdata_writes(second_film):
    dumped = StringIO()
    call_command("dumpdata", "trivia", natural_foreign=True, natural_primary=True, indent=2, stdout=dumped)

    assert export() == dumped.getvalue()


@pytest.mark.django_db
def test_export_is_the_same_every_time(second_film):
    assert export() == export()


@pytest.mark.django_db
def test_export_to_a_file_writes_utf8_and_reports_what_it_wrote(second_film, tmp_path):
    FactFactory(film=second_film, text="Kathleen Byron’s “Sister Ruth” — a famous stare.")
    target = tmp_path / "trivia.json"
    message = export("-o", str(target))

    assert "Wrote" in message and "facts" in message
    content = target.read_text(encoding="utf-8")
    assert "Kathleen Byron’s “Sister Ruth” — a famous stare." in content
    assert content == export()


@pytest.mark.django_db
def test_export_of_one_film_holds_that_film_and_what_its_facts_need_only(second_film):
    fixture_text = export("--film", second_film.slug)

    assert [f["slug"] for f in entries_of(fixture_text, "film")] == ["black-narcissus-1947"]
    assert {f["text"] for f in entries_of(fixture_text, "fact")} == {
        "Shot entirely at Pinewood.",
        "A draft about the convent.",
    }
    assert [f["slug"] for f in entries_of(fixture_text, "person")] == ["deborah-kerr"]
    assert [f["character"] for f in entries_of(fixture_text, "credit")] == ["Sister Clodagh"]
    assert {f["slug"] for f in entries_of(fixture_text, "source")} == {"black-narcissus-notes", "draft-only-source"}
    # Nothing of The Red Shoes: not its seed source, not its topics.
    assert "the-red-shoes-1948-trivia" not in fixture_text
    assert len(entries_of(fixture_text, "topic")) == 2


@pytest.mark.django_db
def test_published_only_leaves_out_drafts_and_their_citations(second_film):
    fixture_text = export("--film", second_film.slug, "--published-only")

    assert [f["text"] for f in entries_of(fixture_text, "fact")] == ["Shot entirely at Pinewood."]
    assert len(entries_of(fixture_text, "citation")) == 1
    assert [f["slug"] for f in entries_of(fixture_text, "source")] == ["black-narcissus-notes"]


@pytest.mark.django_db
def test_published_only_export_of_everything_keeps_every_published_fact(second_film):
    fixture_text = export("--published-only")

    exported_texts = {f["text"] for f in entries_of(fixture_text, "fact")}
    assert exported_texts == set(Fact.objects.published().values_list("text", flat=True))
    assert "A draft about the convent." not in exported_texts


@pytest.mark.django_db
def test_export_of_an_unknown_film_is_refused_with_the_films_there_are(second_film):
    with pytest.raises(CommandError, match="no film with the slug 'the-red-shoe'.*the-red-shoes-1948"):
        export("--film", "the-red-shoe")


@pytest.mark.django_db
def test_export_to_a_directory_that_does_not_exist_is_refused(seeded, tmp_path):
    with pytest.raises(CommandError, match="Cannot write"):
        export("-o", str(tmp_path / "missing" / "trivia.json"))


@pytest.mark.django_db
def test_one_film_export_loads_into_an_empty_database_on_its_own(second_film, tmp_path):
    fixture = tmp_path / "film.json"
    export("--film", second_film.slug, "-o", str(fixture))
    for model in TRIVIA_MODELS:
        model.objects.all().delete()

    call_command("loaddata", str(fixture), stdout=StringIO())

    film = Film.objects.get()
    assert film.slug == "black-narcissus-1947"
    assert film.facts.count() == 2
    assert list(film.facts.get(text="Shot entirely at Pinewood.").people.values_list("slug", flat=True)) == [
        "deborah-kerr"
    ]


@pytest.mark.django_db
def test_export_of_selected_facts_carries_their_film_topic_people_and_sources_but_not_credits(second_film):
    fact = Fact.objects.get(text="Shot entirely at Pinewood.")
    fixture_text = fixture_of(exports.select_facts(Fact.objects.filter(pk=fact.pk)))

    assert [f["text"] for f in entries_of(fixture_text, "fact")] == ["Shot entirely at Pinewood."]
    assert [f["slug"] for f in entries_of(fixture_text, "film")] == ["black-narcissus-1947"]
    assert [f["slug"] for f in entries_of(fixture_text, "person")] == ["deborah-kerr"]
    assert [f["slug"] for f in entries_of(fixture_text, "source")] == ["black-narcissus-notes"]
    assert entries_of(fixture_text, "credit") == []


def queries_to_export() -> int:
    with CaptureQueriesContext(connection) as captured:
        fixture_of(exports.select_everything())
    return len(captured)


@pytest.mark.django_db
def test_export_query_count_does_not_grow_with_facts_citations_or_people(seeded):
    """No query per row: related rows come joined, and people in one query per 2,000 facts."""
    before = queries_to_export()
    film = FilmFactory()
    people = [PersonFactory() for _ in range(3)]
    for _ in range(30):
        fact = FactFactory(film=film)
        fact.people.set(people)
        CitationFactory(fact=fact)
        CreditFactory(film=film)

    assert queries_to_export() == before


@pytest.mark.django_db
def test_export_lists_a_facts_people_in_the_same_order_as_dumpdata(seeded):
    """Names out of primary-key order, and two people of one name: the order is by name, then id."""
    fact = FactFactory(text="Several people.")
    fact.people.set(
        [
            PersonFactory(name="Zoë Zimmer", slug="zoe"),
            PersonFactory(name="Anton Walbrook", slug="anton-2"),
            PersonFactory(name="Anton Walbrook", slug="anton-1"),
            PersonFactory(name="Émeric Pressburger", slug="emeric"),
        ]
    )
    dumped = StringIO()
    call_command("dumpdata", "trivia", natural_foreign=True, natural_primary=True, indent=2, stdout=dumped)

    exported = export()
    assert exported == dumped.getvalue()
    people = next(f["people"] for f in entries_of(exported, "fact") if f["text"] == "Several people.")
    assert people == [["anton-2"], ["anton-1"], ["zoe"], ["emeric"]]


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs a second real connection writing meanwhile")
def test_an_export_is_the_database_at_one_moment_while_an_editor_saves(monkeypatch):
    """Rows are read in several queries; a save landing between them must not give a fixture of two moments."""
    seed_from_spec()
    rows = exports._rows
    saved = threading.Event()

    def another_editor_saves():
        Fact.objects.filter(key="over-budget").update(text="Rewritten meanwhile.")
        connections.close_all()
        saved.set()

    def rows_with_a_save_in_between(selection):
        for number, row in enumerate(rows(selection)):
            if number == 1:  # the snapshot is open: the films were read, the facts are not yet
                threading.Thread(target=another_editor_saves).start()
                assert saved.wait(timeout=10)
            yield row

    monkeypatch.setattr(exports, "_rows", rows_with_a_save_in_between)
    buffer = StringIO()
    exports.write_fixture(exports.select_everything(), buffer)

    texts = {
        e["fields"]["key"]: e["fields"]["text"] for e in json.loads(buffer.getvalue()) if e["model"] == "trivia.fact"
    }
    assert texts["over-budget"] == "The film went massively over budget."
    assert Fact.objects.get(key="over-budget").text == "Rewritten meanwhile."
