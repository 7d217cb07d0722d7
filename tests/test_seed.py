"""`seed_trivia`: the seed document becomes a cited, grouped, idempotent set of facts."""

import hashlib
import shutil
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from trivia import text
from trivia.models import Citation, Credit, Fact, Film, Person, Source, Topic
from trivia.services.seeding import DEFAULT_SEED_SPEC, SEED_DIR, SeedError, seed_from_spec

pytestmark = pytest.mark.django_db

SEED_DOCUMENT = SEED_DIR / "000_4b03db1e2107afa0.txt"
SHARED_SEED = Path(__file__).resolve().parents[2] / "shared" / "seed" / "000_4b03db1e2107afa0.txt"
SEED_SHA256 = "008d279ece323a1c096517246a9e267dd5a4decbce32a2a1d2f7eced59fbe5de"


def dump_trivia() -> str:
    out = StringIO()
    call_command("dumpdata", "trivia", natural_foreign=True, natural_primary=True, indent=1, stdout=out)
    return out.getvalue()


def test_the_project_copy_of_the_seed_document_is_byte_identical():
    assert hashlib.sha256(SEED_DOCUMENT.read_bytes()).hexdigest() == SEED_SHA256
    if SHARED_SEED.exists():
        assert SEED_DOCUMENT.read_bytes() == SHARED_SEED.read_bytes()


def test_seed_command_reports_what_it_created():
    out = StringIO()
    call_command("seed_trivia", stdout=out)
    assert "1 source" in out.getvalue() and "19 facts" in out.getvalue()


def test_the_seed_document_is_the_first_source_verbatim(seeded):
    source = Source.objects.get()
    assert source.content == SEED_DOCUMENT.read_text(encoding="utf-8")
    assert source.sha256 == SEED_SHA256


def test_the_film_and_the_people_the_document_names(seeded):
    film = Film.objects.get(slug="the-red-shoes-1948")
    assert (film.title, film.year) == ("The Red Shoes", 1948)
    names = set(Person.objects.values_list("name", flat=True))
    assert {"J. Arthur Rank", "Hein Heckroth", "Moira Shearer", "Ludovic Kennedy", "Hans Christian Andersen"} <= names
    assert Credit.objects.filter(film=film, person__slug="moira-shearer", role=Credit.Role.ACTOR).exists()


def test_every_seeded_fact_is_published_and_cites_the_document(seeded):
    source = Source.objects.get()
    facts = Fact.objects.prefetch_related("citations")
    assert facts.count() == 19
    for fact in facts:
        assert fact.status == Fact.Status.PUBLISHED
        assert fact.citations.count() >= 1, fact.key
        assert all(c.source_id == source.pk for c in fact.citations.all())


def test_every_seeded_citation_satisfies_the_invariant(seeded):
    for citation in Citation.objects.select_related("source"):
        assert citation.source.content[citation.start : citation.end] == citation.quote
        assert citation.paragraph == text.paragraph_number(citation.source.content, citation.start)
        assert not citation.is_broken


def test_every_paragraph_of_the_document_is_cited(seeded):
    source = Source.objects.get()
    cited = set(Citation.objects.values_list("paragraph", flat=True))
    assert cited == {p.number for p in source.paragraphs()} == {1, 2, 3, 4, 5, 6}


def test_facts_about_the_ending_are_spoilers(seeded):
    spoilers = set(Fact.objects.filter(is_spoiler=True).values_list("key", flat=True))
    assert spoilers == {
        "red-shoes-backstage-complaint",
        "dresser-carries-pale-shoes",
        "red-shoes-symbolism",
        "heckroth-defends-grim-ending",
    }
    assert set(Fact.objects.filter(topic__slug="the-ending").values_list("key", flat=True)) == spoilers


def test_facts_are_grouped_under_ordered_topics(seeded):
    assert list(Topic.objects.values_list("slug", flat=True))[:2] == ["production", "release-and-distribution"]
    assert Fact.objects.get(key="rank-walked-out").people.get().slug == "j-arthur-rank"


def test_second_seed_run_changes_nothing(seeded):
    before = dump_trivia()
    report = seed_from_spec()
    assert report.summary().startswith("Nothing to add")
    assert dump_trivia() == before


def test_seed_never_overwrites_an_editors_change(seeded):
    fact = Fact.objects.get(key="over-budget")
    fact.text = "The film went far over its budget (editor's wording)."
    fact.save()
    Person.objects.filter(slug="hein-heckroth").update(description="Edited by an editor.")
    seed_from_spec()
    assert Fact.objects.get(key="over-budget").text == "The film went far over its budget (editor's wording)."
    assert Person.objects.get(slug="hein-heckroth").description == "Edited by an editor."


def test_seed_adds_back_only_what_is_missing(seeded):
    Fact.objects.filter(key="bfi-100-number-9").delete()
    report = seed_from_spec()
    assert {name: n for name, n in report.created.items() if n} == {"facts": 1, "citations": 1}
    assert Fact.objects.count() == 19


@pytest.fixture
def broken_spec(tmp_path):
    shutil.copy(SEED_DOCUMENT, tmp_path / SEED_DOCUMENT.name)
    spec = DEFAULT_SEED_SPEC.read_text(encoding="utf-8")
    spec = spec.replace("backer J. Arthur Rank walked out", "backer J. Arthur Rank stormed out")
    path = tmp_path / "spec.toml"
    path.write_text(spec, encoding="utf-8")
    return path


def test_a_broken_seed_spec_names_the_quote_and_writes_nothing(broken_spec):
    with pytest.raises(SeedError, match="stormed out"):
        seed_from_spec(broken_spec)
    for model in (Source, Film, Person, Topic, Fact, Citation, Credit):
        assert model.objects.count() == 0, model


def test_the_seed_command_fails_cleanly_on_a_broken_spec(broken_spec):
    with pytest.raises(CommandError, match="nothing was written.*stormed out"):
        call_command("seed_trivia", spec=broken_spec, stdout=StringIO())


def test_a_missing_spec_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="Seed spec not found"):
        call_command("seed_trivia", spec=tmp_path / "nope.toml", stdout=StringIO())


def test_migrations_are_up_to_date():
    call_command("makemigrations", "--check", "--dry-run", stdout=StringIO())
