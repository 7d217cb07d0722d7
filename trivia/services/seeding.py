"""Seeding: create what the seed spec describes and the database lacks, never editing existing rows."""

import tomllib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import reversion
from django.db import transaction

from .. import text
from ..models import Citation, Credit, Fact, Film, Person, Source, Topic

SEED_DIR = Path(__file__).resolve().parent.parent / "seed"
DEFAULT_SEED_SPEC = SEED_DIR / "the_red_shoes.toml"


class SeedError(Exception):
    """The seed spec cannot be applied; the message says what to fix."""


@dataclass
class SeedReport:
    created: Counter = field(default_factory=Counter)

    def summary(self) -> str:
        parts = [f"{count} {name}" for name, count in self.created.items() if count]
        if not parts:
            return "Nothing to add: the database already holds everything in the seed spec."
        return "Created " + ", ".join(parts) + "."


def load_seed_spec(path: Path) -> dict:
    try:
        with open(path, "rb") as handle:
            spec = tomllib.load(handle)
    except FileNotFoundError:
        raise SeedError(f"Seed spec not found: {path}") from None
    except tomllib.TOMLDecodeError as exc:
        raise SeedError(f"Seed spec {path} is not valid TOML: {exc}") from None
    for section in ("source", "film", "facts"):
        if section not in spec:
            raise SeedError(f"Seed spec {path} has no [{section}] section.")
    return spec


def read_document(path: Path) -> str:
    """A source document as stored: decoded as UTF-8 (a BOM dropped), line endings `\\n`."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise SeedError(f"Cannot read the source document {path}: {exc.strerror}") from None
    try:
        decoded = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SeedError(f"The source document {path} is not UTF-8 text: {exc}") from None
    return text.normalise_newlines(decoded)


def anchor_spec_quote(content: str, quote: str, paragraph: int | None, fact_key: str) -> tuple[int, int]:
    try:
        return text.locate_quote(content, quote, paragraph)
    except text.QuoteError as exc:
        raise SeedError(f"Fact {fact_key!r}: {exc}") from None


def check_seed_spec(spec: dict, content: str) -> None:
    """Fail before any write if a fact's quotes, topic or people are not in the spec/document."""
    topics = {t["slug"] for t in spec.get("topics", [])}
    people = {p["slug"] for p in spec.get("people", [])}
    keys = Counter(f.get("key") for f in spec["facts"])
    for fact in spec["facts"]:
        key = fact.get("key")
        if not key or keys[key] > 1:
            raise SeedError(f"Every fact needs a unique key; {key!r} is missing or repeated.")
        if fact.get("topic") not in topics:
            raise SeedError(f"Fact {key!r}: topic {fact.get('topic')!r} is not among the spec's topics.")
        for slug in fact.get("people", []):
            if slug not in people:
                raise SeedError(f"Fact {key!r}: person {slug!r} is not among the spec's people.")
        if not fact.get("quotes"):
            raise SeedError(f"Fact {key!r} has no quotes; every fact must cite its source.")
        for quote in fact["quotes"]:
            anchor_spec_quote(content, quote, fact.get("paragraph"), key)


@transaction.atomic
def seed_from_spec(spec_path: Path = DEFAULT_SEED_SPEC) -> SeedReport:
    """Create whatever the seed spec describes and the database lacks.

    Idempotent and respectful of editors: existing rows (matched by natural key) are
    never changed, only missing ones added. All or nothing.
    """
    spec_path = Path(spec_path)
    spec = load_seed_spec(spec_path)
    document = read_document(spec_path.parent / spec["source"]["file"])
    check_seed_spec(spec, document)
    report = SeedReport()
    with reversion.create_revision():
        reversion.set_comment(f"Seeded from {spec_path.name}")
        source = _ensure(report, "source", Source, spec["source"], _source_defaults(spec["source"], document))
        film = _ensure(report, "film", Film, spec["film"], _film_defaults(spec["film"]))
        people = {p["slug"]: _ensure(report, "people", Person, p, _person_defaults(p)) for p in spec.get("people", [])}
        for order, credit_spec in enumerate(spec.get("credits", [])):
            _, created = Credit.objects.get_or_create(
                film=film,
                person=people[credit_spec["person"]],
                role=credit_spec["role"],
                defaults={"character": credit_spec.get("character", ""), "order": order},
            )
            report.created["credits"] += created
        topics = {t["slug"]: _ensure(report, "topics", Topic, t, _topic_defaults(t)) for t in spec.get("topics", [])}
        _seed_facts(report, spec["facts"], source, film, people, topics)
    return report


def _ensure(report: SeedReport, label: str, model, item_spec: dict, defaults: dict):
    """The row with the spec's slug, created from `defaults` if missing (counted in the report)."""
    row, created = model.objects.get_or_create(slug=item_spec["slug"], defaults=defaults)
    report.created[label] += created
    return row


def _source_defaults(source_spec: dict, document: str) -> dict:
    return {
        "title": source_spec["title"],
        "kind": source_spec.get("kind", Source.Kind.DOCUMENT),
        "url": source_spec.get("url", ""),
        "author": source_spec.get("author", ""),
        "publisher": source_spec.get("publisher", ""),
        "content": document,
    }


def _film_defaults(film_spec: dict) -> dict:
    return {"title": film_spec["title"], "year": film_spec["year"], "description": film_spec.get("description", "")}


def _person_defaults(person_spec: dict) -> dict:
    return {
        "name": person_spec["name"],
        "kind": person_spec.get("kind", Person.Kind.PERSON),
        "description": person_spec.get("description", ""),
    }


def _topic_defaults(topic_spec: dict) -> dict:
    return {
        "name": topic_spec["name"],
        "order": topic_spec.get("order", 100),
        "description": topic_spec.get("description", ""),
    }


def _seed_facts(report: SeedReport, fact_specs: list, source, film, people: dict, topics: dict) -> None:
    """The spec's facts that are missing, each with its people and citations, in spec order."""
    existing_keys = set(Fact.objects.filter(key__in=[f["key"] for f in fact_specs]).values_list("key", flat=True))
    for position, fact_spec in enumerate(fact_specs, start=1):
        if fact_spec["key"] in existing_keys:
            continue
        fact = Fact.objects.create(
            key=fact_spec["key"],
            film=film,
            topic=topics[fact_spec["topic"]],
            text=fact_spec["text"],
            is_spoiler=fact_spec.get("spoiler", False),
            status=Fact.Status.PUBLISHED,
            position=position,
        )
        fact.people.set([people[slug] for slug in fact_spec.get("people", [])])
        for quote in fact_spec["quotes"]:
            # Anchor in the stored source: an editor may have corrected it since.
            start, end = anchor_spec_quote(source.content, quote, fact_spec.get("paragraph"), fact.key)
            Citation.objects.create(fact=fact, source=source, quote=quote, start=start, end=end)
            report.created["citations"] += 1
        report.created["facts"] += 1
