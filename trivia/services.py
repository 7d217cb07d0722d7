"""Writes with rules: seeding from a spec, anchoring citations.

Views, admin and management commands call these; each function is one
transaction, so a failure half-way leaves the database as it was.
"""

import difflib
import re
import tomllib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import reversion
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connections, router, transaction
from django.db.models import Exists, F, Max, OuterRef, Prefetch, Q
from django.utils import timezone
from django.utils.text import slugify

from . import search, text
from .models import Citation, Credit, Fact, Film, Person, Source, Topic, http_url_validator

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
        # The revision stores each fact's people and each citation's str(), which names its
        # source: load them up front (titles only), not with queries per fact and citation.
        cited = Citation.objects.select_related("source").defer("source__content")
        facts = Fact.objects.filter(pk__in=ids).prefetch_related("people", Prefetch("citations", queryset=cited))
        for fact in facts:
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


LINE_CHUNK = re.compile(r"[^\n]*\n*")


def line_chunks(content: str) -> list[str]:
    """The text as lines, each with the blank lines after it; joined, they are the text again.

    Diffing these rather than plain lines matters: blank lines between paragraphs are
    half the lines of a source and all equal, which made difflib quadratic (1.3 s for a
    100 KB source).
    """
    return [chunk for chunk in LINE_CHUNK.findall(content) if chunk]


def unchanged_regions(old: str, new: str) -> list[tuple[int, int, int]]:
    """(old_start, old_end, shift) for each run of whole lines the edit left untouched."""

    def line_starts(lines):
        offsets = [0]
        for line in lines:
            offsets.append(offsets[-1] + len(line))
        return offsets

    old_lines, new_lines = line_chunks(old), line_chunks(new)
    old_at, new_at = line_starts(old_lines), line_starts(new_lines)
    matcher = difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    return [
        (old_at[i1], old_at[i2], new_at[j1] - old_at[i1])
        for tag, i1, i2, j1, j2 in matcher.get_opcodes()
        if tag == "equal"
    ]


def _paragraph_list(content: str, starts: list[int], spans) -> str:
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
    spans = text.paragraphs(content)  # once, not per citation: a 100 KB source has ~1,000 paragraphs
    changed = []

    def place(citation, start):
        citation.start, citation.end = start, start + len(citation.quote)
        citation.paragraph = text.paragraph_number(content, start, spans)
        changed.append(citation)

    for citation in source.citations.order_by("pk"):
        quote = citation.quote
        occurrences = text.find_occurrences(content, quote)
        if citation.is_broken:
            if occurrences == [citation.start]:
                citation.is_broken, citation.broken_reason = False, ""
                place(citation, citation.start)
                report.repaired.append(citation)
            else:
                report.unchanged += 1
            continue
        new_start = _followed_start(citation, regions, content, previous_content)
        if new_start is None and len(occurrences) == 1:
            unique_before = previous_content is None or len(text.find_occurrences(previous_content, quote)) == 1
            if unique_before:
                new_start = occurrences[0]
        if new_start is None:
            citation.is_broken = True
            citation.broken_reason = text.shorten(_broken_reason(content, quote, occurrences, spans), 300)
            changed.append(citation)
            report.broken.append((citation, citation.broken_reason))
        elif new_start != citation.start or citation.paragraph != text.paragraph_number(content, new_start, spans):
            place(citation, new_start)
            report.moved.append(citation)
        else:
            report.unchanged += 1

    for citation in changed:
        # The invariant Citation.save() checks, checked here because the rows are written in bulk.
        if not citation.is_broken and content[citation.start : citation.end] != citation.quote:
            raise ValidationError(f"Re-anchoring would place citation {citation.pk} off its quote; nothing was saved.")
        citation.updated_at = timezone.now()
    _write_anchors(changed)
    with reversion.create_revision():
        reversion.set_comment(f"Citations re-anchored after an edit of source {source.slug!r}")
        for citation in changed:
            reversion.add_to_revision(citation)
    return report


def _write_anchors(citations) -> None:
    """Store re-anchored offsets and broken flags with one prepared UPDATE run per row.

    1,000 citations of a 100 KB source took 16 s saved one by one and ~3 s with
    `bulk_update` (building its CASE expressions dominates); `executemany` sends the
    same statement with each row's values. The database's checks (start < end, quote
    length = end - start) still apply, and the caller has checked the quotes.
    """
    if not citations:
        return
    connection = connections[router.db_for_write(Citation)]
    quote_name = connection.ops.quote_name
    columns = ["start", "end", "paragraph", "is_broken", "broken_reason", "updated_at"]
    sql = (
        f"UPDATE {quote_name(Citation._meta.db_table)} SET "
        + ", ".join(f"{quote_name(column)} = %s" for column in columns)
        + f" WHERE {quote_name('id')} = %s"
    )
    rows = [
        (
            c.start,
            c.end,
            c.paragraph,
            c.is_broken,
            c.broken_reason,
            connection.ops.adapt_datetimefield_value(c.updated_at),
            c.pk,
        )
        for c in citations
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def _followed_start(citation, regions, content, previous_content) -> int | None:
    """The citation's new start if its own passage survived the edit, else None."""
    if previous_content is None:
        return citation.start if content[citation.start : citation.end] == citation.quote else None
    for old_start, old_end, shift in regions:
        if old_start <= citation.start and citation.end <= old_end:
            start = citation.start + shift
            return start if content[start : start + len(citation.quote)] == citation.quote else None
    return None


def _broken_reason(content: str, quote: str, occurrences: list[int], spans) -> str:
    if not occurrences:
        return "The quote no longer occurs in the source."
    if len(occurrences) == 1:
        return (
            "The cited passage was edited; the same words remain in paragraph "
            f"{_paragraph_list(content, occurrences, spans)}, which may be a different passage. "
            "An editor must check it."
        )
    return (
        f"The quote now occurs {len(occurrences)} times in the source (paragraphs "
        f"{_paragraph_list(content, occurrences, spans)}); an editor must choose one."
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
    from the documents, so a damaged index is repaired too; on PostgreSQL it merges
    the GIN index's pending entries, which every search would otherwise scan.
    """
    from django.db import connection

    from . import search

    search.ensure_sqlite_index(connection)
    if connection.vendor == "sqlite":
        # The update triggers tell FTS5 which words to forget; they must be the words it
        # holds, so bring the index in step with the table before changing documents.
        with connection.cursor() as cursor:
            cursor.execute(search.SQLITE_REBUILD)
    changed = 0
    last_pk = 0
    while True:
        batch = list(Fact.objects.filter(pk__gt=last_pk).order_by("pk").values_list("pk", flat=True)[:batch_size])
        if not batch:
            break
        changed += len(search.refresh_search_documents(batch, batch_size=batch_size))
        last_pk = batch[-1]
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(search.SQLITE_OPTIMIZE)
        elif connection.vendor == "postgresql":
            # After a bulk write: merge GIN's pending list and refresh the planner's row counts.
            cursor.execute(search.POSTGRES_CLEAN_PENDING)
            cursor.execute("ANALYZE trivia_fact")
    return changed


# --- Importing a source document: one draft fact per paragraph ------------------------
# An editor brings in a new trivia document; every paragraph becomes a draft fact that
# already cites exactly that paragraph, under the "Unsorted" topic, for editors to
# split, retopic and publish. The command, the admin upload and the admin action share
# these functions, so they accept and refuse the same documents.

# One source document may be at most this big (the file's bytes). Larger texts are
# books, not trivia notes: split them. It also bounds one import's transaction.
MAX_DOCUMENT_BYTES = 2 * 1024 * 1024
UNSORTED_TOPIC_SLUG = "unsorted"
UNSORTED_TOPIC_NAME = "Unsorted"


class SourceImportError(Exception):
    """The document or its details cannot be imported; the message says why. Nothing was written."""


def _size(byte_count: int) -> str:
    return f"{byte_count / 1024 / 1024:.1f} MB" if byte_count >= 1024 * 1024 else f"{byte_count:,} bytes"


def decode_document(raw: bytes, name: str) -> str:
    """The bytes of a document file as a Source stores them: UTF-8 (a BOM dropped), `\\n` line endings."""
    if len(raw) > MAX_DOCUMENT_BYTES:
        raise SourceImportError(
            f"{name} is {_size(len(raw))}; a source document may be at most {_size(MAX_DOCUMENT_BYTES)}. "
            "Split it into smaller documents."
        )
    if b"\x00" in raw:
        raise SourceImportError(
            f"{name} looks like a binary file (it contains NUL bytes), not text. "
            "Import plain text; if it is UTF-16 text, save it as UTF-8 first."
        )
    try:
        decoded = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise SourceImportError(
            f"{name} is not UTF-8 text: byte 0x{raw[exc.start]:02x} on line {line} cannot be decoded. "
            "Save the file as UTF-8 and try again."
        ) from None
    content = text.normalise_newlines(decoded)
    if not content.strip():
        raise SourceImportError(f"{name} is empty or holds only whitespace: there is nothing to import.")
    return content


def read_document_file(path: Path) -> str:
    """A document file from disk, checked and decoded by `decode_document`."""
    path = Path(path)
    try:
        if path.is_dir():
            raise SourceImportError(f"{path} is a directory; give the path of a text file.")
        size = path.stat().st_size
        if size > MAX_DOCUMENT_BYTES:
            # Refused before reading it into memory.
            raise SourceImportError(
                f"{path} is {_size(size)}; a source document may be at most {_size(MAX_DOCUMENT_BYTES)}. "
                "Split it into smaller documents."
            )
        raw = path.read_bytes()
    except FileNotFoundError:
        raise SourceImportError(f"There is no file at {path}.") from None
    except OSError as exc:
        raise SourceImportError(f"Cannot read {path}: {exc.strerror}.") from None
    return decode_document(raw, str(path))


def already_imported(content: str) -> Source | None:
    """The source holding exactly this text (same SHA-256), if there is one."""
    return Source.objects.filter(sha256=text.sha256_hex(content)).first()


def duplicate_message(source: Source) -> str:
    return (
        f"This document is already imported, as the source “{source.title}” (slug {source.slug!r}, "
        f"SHA-256 {source.sha256[:12]}…)."
    )


def unique_slug(model, base: str, fallback: str) -> str:
    max_length = model._meta.get_field("slug").max_length
    base = (slugify(base) or fallback)[: max_length - 6].strip("-") or fallback
    candidate, number = base, 2
    while model._default_manager.filter(slug=candidate).exists():
        candidate, number = f"{base}-{number}", number + 1
    return candidate


def parse_film_year(year) -> int:
    try:
        value = int(str(year).strip())
    except ValueError:
        raise SourceImportError(f"The year must be a number such as 1948, not {year!r}.") from None
    if not 1870 <= value <= 2100:
        raise SourceImportError(f"The year {value} is not a plausible film year (1870–2100).")
    return value


def check_source_url(url: str) -> str:
    url = (url or "").strip()
    if url:
        try:
            http_url_validator(url)
        except ValidationError:
            raise SourceImportError(
                f"The URL {url!r} is not an http:// or https:// address; only web links are accepted."
            ) from None
    return url


def film_for(title: str, year) -> tuple[Film, bool]:
    """The film with this title (any capitalisation) and year, created if there is none."""
    title = (title or "").strip()
    if not title:
        raise SourceImportError("The film needs a title.")
    if len(title) > Film._meta.get_field("title").max_length:
        raise SourceImportError("The film title is too long (at most 200 characters).")
    year = parse_film_year(year)
    film = Film.objects.filter(title__iexact=title, year=year).order_by("pk").first()
    if film is not None:
        return film, False
    film = Film.objects.create(title=title, year=year, slug=unique_slug(Film, f"{title} {year}", f"film-{year}"))
    return film, True


def unsorted_topic() -> tuple[Topic, bool]:
    """The topic draft facts wait under until an editor sorts them; created on first use, listed last."""
    topic = Topic.objects.filter(Q(slug=UNSORTED_TOPIC_SLUG) | Q(name__iexact=UNSORTED_TOPIC_NAME)).first()
    if topic is not None:
        return topic, False
    return Topic.objects.create(
        slug=UNSORTED_TOPIC_SLUG,
        name=UNSORTED_TOPIC_NAME,
        order=1000,
        description="Draft facts from imported documents, waiting to be split, given a topic and published.",
    ), True


@dataclass
class DraftFactsReport:
    source: Source
    film: Film
    topic: Topic
    topic_created: bool = False
    facts: list = field(default_factory=list)  # (paragraph number, fact), in document order
    skipped: list = field(default_factory=list)  # paragraph numbers already cited

    def summary(self) -> str:
        lines = self.lines()
        return " ".join([lines[0], *lines[len(self.facts) + 1 :]])

    def lines(self) -> list[str]:
        result = [f"Created {len(self.facts)} draft fact(s) for {self.film} from “{self.source}”."]
        for number, fact in self.facts:
            one_line = " ".join(fact.text.split())
            result.append(f"  paragraph {number}: fact {fact.key} — {text.shorten(one_line, 70)}")
        if self.skipped:
            result.append(
                "Skipped paragraph(s) " + ", ".join(str(n) for n in self.skipped) + ": a fact already cites them."
            )
        return result


def create_draft_facts_from_paragraphs(source: Source, film: Film, *, user=None) -> DraftFactsReport:
    """One draft fact per paragraph of `source` not yet cited, each citing exactly its paragraph.

    A paragraph overlapped by any sound citation of this source is skipped: someone has
    already drawn a fact from it, and running this again must not duplicate work. (Broken
    citations do not count: their offsets refer to an older text.) Facts and citations
    are inserted in bulk — a long document has thousands of paragraphs and a per-row save
    re-reads the whole text for each — and their search documents refreshed after.
    """
    with transaction.atomic(), reversion.create_revision():
        if user is not None:
            reversion.set_user(user)
        topic, topic_created = unsorted_topic()
        report = DraftFactsReport(source=source, film=film, topic=topic, topic_created=topic_created)
        cited = list(source.citations.filter(is_broken=False).values_list("start", "end"))
        fresh = []
        for paragraph in source.paragraphs():
            if any(start < paragraph.end and end > paragraph.start for start, end in cited):
                report.skipped.append(paragraph.number)
            else:
                fresh.append(paragraph)
        reversion.set_comment(f"Draft facts from {len(fresh)} paragraph(s) of “{text.shorten(source.title, 80)}”")
        if not fresh:
            return report

        last = Fact.objects.filter(film=film, topic=topic).aggregate(last=Max("position"))["last"] or 0
        facts = [
            Fact(film=film, topic=topic, text=p.text, status=Fact.Status.DRAFT, position=last + i)
            for i, p in enumerate(fresh, start=1)
        ]
        Fact.objects.bulk_create(facts)
        by_key = Fact.objects.in_bulk([f.key for f in facts], field_name="key")
        facts = [by_key[f.key] for f in facts]
        citations = []
        for paragraph, fact in zip(fresh, facts, strict=True):
            citation = Citation(
                fact=fact,
                source=source,
                quote=source.content[paragraph.start : paragraph.end],
                start=paragraph.start,
                end=paragraph.end,
                paragraph=paragraph.number,
            )
            # bulk_create skips Citation.save(); the invariant is still checked, row by row.
            if citation.quote != paragraph.text or citation.invariant_errors():
                raise SourceImportError(f"Paragraph {paragraph.number} could not be cited exactly.")
            citations.append(citation)
        Citation.objects.bulk_create(citations)
        search.refresh_search_documents([f.pk for f in facts])
        for fact in Fact.objects.filter(pk__in=[f.pk for f in facts]).prefetch_related("citations"):
            for citation in fact.citations.all():
                # The revision records str(citation), which names the source: give it the one
                # already in memory, or each citation would fetch the whole text again.
                citation.source = source
            reversion.add_to_revision(fact)
        report.facts = [(p.number, f) for p, f in zip(fresh, facts, strict=True)]
    return report


@dataclass
class ImportReport:
    source: Source
    film_created: bool
    drafts: DraftFactsReport

    def lines(self) -> list[str]:
        source, film = self.source, self.drafts.film
        return [
            f"Stored source “{source.title}” ({source.slug}): {len(source.content):,} characters, "
            f"{len(source.paragraphs())} paragraph(s), SHA-256 {source.sha256[:12]}….",
            f"{'Created' if self.film_created else 'Using'} film {film} ({film.slug}).",
            f"{'Created' if self.drafts.topic_created else 'Using'} topic “{self.drafts.topic}”.",
            *self.drafts.lines(),
        ]


def import_source_document(
    content: str,
    *,
    title: str,
    film_title: str,
    year,
    kind: str = Source.Kind.DOCUMENT,
    url: str = "",
    user=None,
) -> ImportReport:
    """Store `content` as a new Source and turn each paragraph into a cited draft fact.

    All or nothing, recorded as one revision. Refuses (SourceImportError) a document that
    is already imported, naming the source that holds it.
    """
    content = text.normalise_newlines(content or "")
    if not content.strip():
        raise SourceImportError("The document is empty or holds only whitespace: there is nothing to import.")
    title = (title or "").strip()
    if not title:
        raise SourceImportError("The source needs a title.")
    if len(title) > Source._meta.get_field("title").max_length:
        raise SourceImportError("The source title is too long (at most 300 characters).")
    if kind not in Source.Kind.values:
        raise SourceImportError(f"Unknown kind {kind!r}; choose one of {', '.join(Source.Kind.values)}.")
    url = check_source_url(url)
    year = parse_film_year(year)
    with transaction.atomic(), reversion.create_revision():
        if user is not None:
            reversion.set_user(user)
        duplicate = already_imported(content)
        if duplicate is not None:
            raise SourceImportError(duplicate_message(duplicate))
        film, film_created = film_for(film_title, year)
        try:
            with transaction.atomic():
                source = Source.objects.create(
                    title=title, slug=unique_slug(Source, title, "source"), kind=kind, url=url, content=content
                )
        except IntegrityError:
            # The same text committed by a concurrent import after the check above.
            duplicate = already_imported(content)
            if duplicate is None:
                raise
            raise SourceImportError(duplicate_message(duplicate)) from None
        drafts = create_draft_facts_from_paragraphs(source, film, user=user)
        reversion.add_to_revision(source)
        reversion.set_comment(f"Imported “{text.shorten(title, 80)}”: {len(drafts.facts)} draft fact(s)")
    return ImportReport(source=source, film_created=film_created, drafts=drafts)
