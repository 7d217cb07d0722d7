"""Writes with rules: seeding from a spec, anchoring citations.

Views, admin and management commands call these; each function is one
transaction, so a failure half-way leaves the database as it was.
"""

import difflib
import tomllib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import reversion
from django.db import transaction
from django.db.models import Exists, F, OuterRef
from django.utils import timezone

from . import text
from .models import Citation, Credit, Fact, Film, Person, Source, Topic

SEED_DIR = Path(__file__).resolve().parent / "seed"
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

        source_spec = spec["source"]
        source, created = Source.objects.get_or_create(
            slug=source_spec["slug"],
            defaults={
                "title": source_spec["title"],
                "kind": source_spec.get("kind", Source.Kind.DOCUMENT),
                "url": source_spec.get("url", ""),
                "author": source_spec.get("author", ""),
                "publisher": source_spec.get("publisher", ""),
                "content": document,
            },
        )
        report.created["source"] += created

        film_spec = spec["film"]
        film, created = Film.objects.get_or_create(
            slug=film_spec["slug"],
            defaults={
                "title": film_spec["title"],
                "year": film_spec["year"],
                "description": film_spec.get("description", ""),
            },
        )
        report.created["film"] += created

        people = {}
        for person_spec in spec.get("people", []):
            person, created = Person.objects.get_or_create(
                slug=person_spec["slug"],
                defaults={
                    "name": person_spec["name"],
                    "kind": person_spec.get("kind", Person.Kind.PERSON),
                    "description": person_spec.get("description", ""),
                },
            )
            people[person.slug] = person
            report.created["people"] += created

        for order, credit_spec in enumerate(spec.get("credits", [])):
            _, created = Credit.objects.get_or_create(
                film=film,
                person=people[credit_spec["person"]],
                role=credit_spec["role"],
                defaults={"character": credit_spec.get("character", ""), "order": order},
            )
            report.created["credits"] += created

        topics = {}
        for topic_spec in spec.get("topics", []):
            topic, created = Topic.objects.get_or_create(
                slug=topic_spec["slug"],
                defaults={
                    "name": topic_spec["name"],
                    "order": topic_spec.get("order", 100),
                    "description": topic_spec.get("description", ""),
                },
            )
            topics[topic.slug] = topic
            report.created["topics"] += created

        existing_keys = set(
            Fact.objects.filter(key__in=[f["key"] for f in spec["facts"]]).values_list("key", flat=True)
        )
        for position, fact_spec in enumerate(spec["facts"], start=1):
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

    return report


# --- Editorial writes: locks, bulk fact changes, re-anchoring, roles -------------------


class StaleEdit(Exception):
    """The row changed since the editor's form was opened; saving would overwrite that change."""


def claim_lock_version(model, pk, seen: int) -> int:
    """Move a row's `lock_version` from `seen` to `seen + 1`, or raise `StaleEdit`.

    One conditional UPDATE, so of two saves racing from the same version exactly one
    wins: the database re-checks the WHERE clause after the first commits.
    """
    claimed = model._default_manager.filter(pk=pk, lock_version=seen).update(lock_version=F("lock_version") + 1)
    if not claimed:
        raise StaleEdit(f"{model._meta.verbose_name} {pk} is no longer at version {seen}.")
    return seen + 1


@dataclass
class FactUpdateReport:
    changed: int = 0
    skipped: list = field(default_factory=list)  # (fact, reason) not changed on purpose


@transaction.atomic
def update_facts(facts, *, user=None, comment: str, **values) -> FactUpdateReport:
    """Set `values` on the given facts, as one revision recorded with `user`.

    Each changed fact's lock_version is bumped, so an edit form opened before (say) a
    publish cannot save the old status back over it.
    """
    report = FactUpdateReport()
    ids = list(Fact.objects.filter(pk__in=[fact.pk for fact in facts]).exclude(**values).values_list("pk", flat=True))
    if values.get("status") == Fact.Status.PUBLISHED:
        # A published fact must show where it comes from.
        uncited = Fact.objects.filter(pk__in=ids).exclude(Exists(Citation.objects.filter(fact=OuterRef("pk"))))
        for fact in uncited:
            report.skipped.append((fact, "it cites no source"))
        ids = [pk for pk in ids if pk not in {fact.pk for fact, _ in report.skipped}]
    if not ids:
        return report
    with reversion.create_revision():
        if user is not None:
            reversion.set_user(user)
        reversion.set_comment(comment)
        report.changed = Fact.objects.filter(pk__in=ids).update(
            **values, lock_version=F("lock_version") + 1, updated_at=timezone.now()
        )
        for fact in Fact.objects.filter(pk__in=ids).prefetch_related("citations"):
            reversion.add_to_revision(fact)
    return report


@dataclass
class ReanchorReport:
    unchanged: int = 0
    moved: list = field(default_factory=list)  # citations whose offsets changed with the text
    broken: list = field(default_factory=list)  # (citation, reason) newly marked broken
    repaired: list = field(default_factory=list)  # broken citations whose quote is back where it was

    def summary(self) -> str:
        parts = [f"{len(self.moved)} citation(s) re-anchored", f"{self.unchanged} unchanged"]
        if self.repaired:
            parts.append(f"{len(self.repaired)} repaired")
        if self.broken:
            parts.append(f"{len(self.broken)} marked broken")
        return ", ".join(parts) + "."


def unchanged_regions(old: str, new: str) -> list[tuple[int, int, int]]:
    """(old_start, old_end, shift) for each run of whole lines the edit left untouched."""

    def line_starts(lines):
        offsets = [0]
        for line in lines:
            offsets.append(offsets[-1] + len(line))
        return offsets

    old_lines, new_lines = old.splitlines(keepends=True), new.splitlines(keepends=True)
    old_at, new_at = line_starts(old_lines), line_starts(new_lines)
    matcher = difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    return [
        (old_at[i1], old_at[i2], new_at[j1] - old_at[i1])
        for tag, i1, i2, j1, j2 in matcher.get_opcodes()
        if tag == "equal"
    ]


def _paragraph_list(content: str, starts: list[int]) -> str:
    spans = text.paragraphs(content)
    return ", ".join(str(n) for n in sorted({text.paragraph_number(content, s, spans) for s in starts}))


@transaction.atomic
def reanchor_citations(source: Source, previous_content: str | None = None) -> ReanchorReport:
    """After `source.content` changed, put every citation of it back on its passage, or flag it.

    A citation follows its passage when the edit left the passage's lines untouched
    (only the text around it moved). Otherwise it is re-anchored by its quote only if
    the quote occurs exactly once now *and* did before the edit (so it is the same
    passage, not a look-alike); in every other case it is marked broken with a reason
    and keeps its last good offsets. A broken citation is repaired only when its quote
    is back exactly at those offsets and nowhere else. Without `previous_content` the
    untouched-lines rule is replaced by "the quote is still at its offsets".
    """
    content = source.content
    report = ReanchorReport()
    regions = unchanged_regions(previous_content, content) if previous_content is not None else []
    with reversion.create_revision():
        reversion.set_comment(f"Citations re-anchored after an edit of source {source.slug!r}")
        for citation in source.citations.order_by("pk"):
            citation.source = source
            quote = citation.quote
            occurrences = text.find_occurrences(content, quote)
            if citation.is_broken:
                if occurrences == [citation.start]:
                    citation.is_broken, citation.broken_reason = False, ""
                    citation.save()
                    report.repaired.append(citation)
                else:
                    report.unchanged += 1
                continue
            new_start = _followed_start(citation, regions, content, previous_content)
            if new_start is None and len(occurrences) == 1:
                unique_before = previous_content is None or len(text.find_occurrences(previous_content, quote)) == 1
                if unique_before:
                    new_start = occurrences[0]
            if new_start is not None:
                if new_start == citation.start:
                    report.unchanged += 1
                    if citation.paragraph != text.paragraph_number(content, new_start):
                        citation.save()
                    continue
                citation.start, citation.end = new_start, new_start + len(quote)
                citation.save()
                report.moved.append(citation)
                continue
            citation.is_broken = True
            citation.broken_reason = text.shorten(_broken_reason(content, quote, occurrences), 300)
            citation.save()
            report.broken.append((citation, citation.broken_reason))
    return report


def _followed_start(citation, regions, content, previous_content) -> int | None:
    """The citation's new start if its own passage survived the edit, else None."""
    if previous_content is None:
        return citation.start if content[citation.start : citation.end] == citation.quote else None
    for old_start, old_end, shift in regions:
        if old_start <= citation.start and citation.end <= old_end:
            start = citation.start + shift
            return start if content[start : start + len(citation.quote)] == citation.quote else None
    return None


def _broken_reason(content: str, quote: str, occurrences: list[int]) -> str:
    if not occurrences:
        return "The quote no longer occurs in the source."
    if len(occurrences) == 1:
        return (
            "The cited passage was edited; the same words remain in paragraph "
            f"{_paragraph_list(content, occurrences)}, which may be a different passage. An editor must check it."
        )
    return (
        f"The quote now occurs {len(occurrences)} times in the source (paragraphs "
        f"{_paragraph_list(content, occurrences)}); an editor must choose one."
    )


EDITORS_GROUP = "Editors"
# What an editor may do, and nothing else: no deleting sources, people, films or topics,
# no users, groups or permissions. History pages need only view permission.
EDITOR_PERMISSIONS = sorted(
    [
        f"{action}_{model}"
        for model in ("film", "person", "credit", "topic", "fact", "citation", "source")
        for action in ("add", "change", "view")
    ]
    + ["delete_fact", "delete_citation"]
)


class RolesError(Exception):
    """Roles cannot be set up; the message says why."""


@dataclass
class RolesReport:
    created_group: bool
    added: list[str]
    removed: list[str]

    def summary(self) -> str:
        if not (self.created_group or self.added or self.removed):
            return f"The {EDITORS_GROUP} group already has exactly its {len(EDITOR_PERMISSIONS)} permissions."
        parts = [f"Created the {EDITORS_GROUP} group." if self.created_group else f"Updated the {EDITORS_GROUP} group."]
        if self.added:
            parts.append(f"Granted: {', '.join(self.added)}.")
        if self.removed:
            parts.append(f"Revoked: {', '.join(self.removed)}.")
        return " ".join(parts)


@transaction.atomic
def ensure_editors_group() -> RolesReport:
    """Create or correct the Editors group so it holds exactly `EDITOR_PERMISSIONS`. Idempotent."""
    from django.contrib.auth.models import Group, Permission

    permissions = list(Permission.objects.filter(content_type__app_label="trivia", codename__in=EDITOR_PERMISSIONS))
    missing = set(EDITOR_PERMISSIONS) - {p.codename for p in permissions}
    if missing:
        raise RolesError(
            f"Permissions missing from the database: {', '.join(sorted(missing))}. Run `manage.py migrate` first."
        )
    group, created = Group.objects.get_or_create(name=EDITORS_GROUP)
    before = {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")}
    after = {f"trivia.{p.codename}" for p in permissions}
    group.permissions.set(permissions)
    return RolesReport(created_group=created, added=sorted(after - before), removed=sorted(before - after))


@transaction.atomic
def create_editor(username: str, password: str):
    """A staff account in the Editors group; raises `RolesError` saying what is wrong."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    user_model = get_user_model()
    username = (username or "").strip()
    if not username:
        raise RolesError("The username is empty.")
    if user_model._default_manager.filter(**{user_model.USERNAME_FIELD: username}).exists():
        raise RolesError(f"A user called {username!r} already exists; choose another username.")
    if not password:
        raise RolesError("The password is empty.")
    user = user_model(**{user_model.USERNAME_FIELD: username}, is_staff=True)
    try:
        user.full_clean(exclude=["password"])
        validate_password(password, user)
    except ValidationError as exc:
        raise RolesError(" ".join(exc.messages)) from None
    ensure_editors_group()
    user.set_password(password)
    user.save()
    user.groups.add(Group.objects.get(name=EDITORS_GROUP))
    return user


@transaction.atomic
def rebuild_search_index(batch_size: int = 1000) -> int:
    """Recompute every fact's search document and rebuild the full-text index; return how many changed.

    For writes that bypass signals (`bulk_create`, `QuerySet.update`, raw SQL): the
    demo-data generator calls this after its bulk inserts. On SQLite it also puts back
    the FTS5 triggers if a table rebuild dropped them, and rebuilds the FTS5 index
    from the documents, so a damaged index is repaired too.
    """
    from django.db import connection

    from . import search

    search.ensure_sqlite_index(connection)
    changed = 0
    last_pk = 0
    while True:
        batch = list(Fact.objects.filter(pk__gt=last_pk).order_by("pk").values_list("pk", flat=True)[:batch_size])
        if not batch:
            break
        changed += len(search.refresh_search_documents(batch, batch_size=batch_size))
        last_pk = batch[-1]
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(search.SQLITE_REBUILD)
    return changed
