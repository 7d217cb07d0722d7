"""Importing a source document: one draft fact per paragraph, each citing exactly its paragraph."""

from dataclasses import dataclass, field
from pathlib import Path

import reversion
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.utils.text import slugify

from .. import bulk, integrity, search, text
from ..models import Citation, Fact, Film, Source, Topic, http_url_validator
from .keys import readable_fact_keys

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


def too_big_message(name: str, size: int) -> str:
    return (
        f"{name} is {size:,} bytes; a source document may be at most {MAX_DOCUMENT_BYTES:,} bytes "
        f"({MAX_DOCUMENT_BYTES // (1024 * 1024)} MiB). Split it into smaller documents."
    )


def document_text(decoded: str) -> str:
    """A document's text as it is stored: `\n` line endings and no trailing whitespace.

    Trailing blank lines and spaces say nothing, and must not make a second copy of the
    same document look new (its SHA-256 would differ).
    """
    return integrity.normalised_source_text(decoded).rstrip()


def decode_document(raw: bytes, name: str) -> str:
    """The bytes of a document file as a Source stores them: UTF-8 (a BOM dropped), see `document_text`."""
    if len(raw) > MAX_DOCUMENT_BYTES:
        raise SourceImportError(too_big_message(name, len(raw)))
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
    content = document_text(decoded)
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
            raise SourceImportError(too_big_message(str(path), size))  # before reading it into memory
        raw = path.read_bytes()
    except FileNotFoundError:
        raise SourceImportError(f"There is no file at {path}.") from None
    except OSError as exc:
        raise SourceImportError(f"Cannot read {path}: {exc.strerror}.") from None
    return decode_document(raw, str(path))


def already_imported(content: str) -> Source | None:
    """The source holding this document's text, if there is one.

    Sources imported before trailing whitespace was trimmed may end with one newline; the
    same text with it counts as the same document.
    """
    content = document_text(content)
    fingerprints = [integrity.source_fingerprint(content), integrity.source_fingerprint(content + "\n")]
    return Source.objects.filter(sha256__in=fingerprints).order_by("pk").first()


def duplicate_message(source: Source) -> str:
    return (
        f"This document is already imported, as the source “{source.title}” (slug {source.slug!r}, "
        f"SHA-256 {source.sha256[:12]}…)."
    )


def plain_slug(model, base: str, fallback: str) -> str:
    max_length = model._meta.get_field("slug").max_length
    return (slugify(base) or fallback)[: max_length - 6].strip("-") or fallback


def unique_slug(model, base: str, fallback: str) -> str:
    base = plain_slug(model, base, fallback)
    candidate, number = base, 2
    while model._default_manager.filter(slug=candidate).exists():
        candidate, number = f"{base}-{number}", number + 1
    return candidate


def slug_for_attempt(model, base: str, fallback: str, attempt: int) -> str:
    """The plain slug first, so two racing creators collide in the database; a free variant after that."""
    return plain_slug(model, base, fallback) if attempt == 0 else unique_slug(model, base, fallback)


def parse_film_year(year) -> int:
    """A year written in ASCII digits (`int()` would also take "١٩٤٧" or " 1_948 ")."""
    raw = str(year).strip()
    if not (raw.isascii() and raw.isdecimal()):
        raise SourceImportError(f"The year must be a number such as 1948, not {year!r}.")
    value = int(raw)
    if not 1870 <= value <= 2100:
        raise SourceImportError(f"The year {value} is not a plausible film year (1870–2100).")
    return value


def check_text_field(model, name: str, value: str) -> str:
    """`value` stripped, refused when blank or longer than its column (PostgreSQL would refuse the row)."""
    owner = model._meta.verbose_name
    value = (value or "").strip()
    if not value:
        raise SourceImportError(f"The {owner} needs a {name}.")
    limit = model._meta.get_field(name).max_length
    if len(value) > limit:
        raise SourceImportError(f"The {owner} {name} is too long: {len(value):,} characters, at most {limit}.")
    return value


def check_source_url(url: str) -> str:
    url = (url or "").strip()
    if url:
        limit = Source._meta.get_field("url").max_length
        if len(url) > limit:
            raise SourceImportError(f"The URL is too long: {len(url):,} characters, at most {limit}.")
        try:
            http_url_validator(url)
        except ValidationError:
            raise SourceImportError(
                f"The URL {url!r} is not an http:// or https:// address; only web links are accepted."
            ) from None
    return url


def first_or_create(find, create, what: str):
    """`find()`, or else `create(attempt)` in a savepoint: (row, created).

    Two imports may both find nothing and both create with the same plain slug. The
    database's unique constraint refuses the second, which then finds the first one's row
    (committed by the time its INSERT returns). A row that still is not there means the
    slug was taken by another row; `create` picks a free variant on the next attempt.
    """
    for attempt in range(3):
        found = find()
        if found is not None:
            return found, False
        try:
            with transaction.atomic():
                return create(attempt), True
        except IntegrityError:
            continue
    raise SourceImportError(f"Could not create the {what}: others keep creating rows with the same name. Try again.")


def film_for(title: str, year) -> tuple[Film, bool]:
    """The film with this title (any capitalisation) and year, created if there is none; safe against a race."""
    title = check_text_field(Film, "title", title)
    year = parse_film_year(year)
    return first_or_create(
        lambda: Film.objects.filter(title__iexact=title, year=year).order_by("pk").first(),
        lambda attempt: Film.objects.create(
            title=title, year=year, slug=slug_for_attempt(Film, f"{title} {year}", f"film-{year}", attempt)
        ),
        f"film {title} ({year})",
    )


def unsorted_topic() -> tuple[Topic, bool]:
    """The topic draft facts wait under until an editor sorts them; created on first use, listed last."""
    return first_or_create(
        lambda: Topic.objects.filter(Q(slug=UNSORTED_TOPIC_SLUG) | Q(name__iexact=UNSORTED_TOPIC_NAME)).first(),
        lambda attempt: Topic.objects.create(
            slug=UNSORTED_TOPIC_SLUG,
            name=UNSORTED_TOPIC_NAME,
            order=1000,
            description="Draft facts from imported documents, waiting to be split, given a topic and published.",
        ),
        "topic “Unsorted”",
    )


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
        keys = readable_fact_keys([p.text for p in fresh])
        facts = [
            Fact(key=key, film=film, topic=topic, text=p.text, status=Fact.Status.DRAFT, position=last + i)
            for i, (p, key) in enumerate(zip(fresh, keys, strict=True), start=1)
        ]
        bulk.create(Fact, facts)
        citations = [
            Citation(fact=fact, source=source, quote=p.text, start=p.start, end=p.end)
            for p, fact in zip(fresh, facts, strict=True)
        ]
        bulk.create(Citation, citations)
        search.refresh_search_documents([f.pk for f in facts])
        # People too: the revision stores each fact's (empty) people, a query per fact otherwise.
        for fact in Fact.objects.filter(pk__in=[f.pk for f in facts]).prefetch_related("citations", "people"):
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
    content = document_text(content or "")
    if not content.strip():
        raise SourceImportError("The document is empty or holds only whitespace: there is nothing to import.")
    title = check_text_field(Source, "title", title)
    if kind not in Source.Kind.values:
        raise SourceImportError(f"Unknown kind {kind!r}; choose one of {', '.join(Source.Kind.values)}.")
    url = check_source_url(url)
    year = parse_film_year(year)
    with transaction.atomic(), reversion.create_revision():
        if user is not None:
            reversion.set_user(user)
        film, film_created = film_for(film_title, year)
        source = _store_source(content, title=title, kind=kind, url=url)
        drafts = create_draft_facts_from_paragraphs(source, film, user=user)
        reversion.add_to_revision(source)
        reversion.set_comment(f"Imported “{text.shorten(title, 80)}”: {len(drafts.facts)} draft fact(s)")
    return ImportReport(source=source, film_created=film_created, drafts=drafts)


def _store_source(content: str, **fields) -> Source:
    """A new Source holding `content`; a concurrent import of the same text is refused as a duplicate."""
    source, _ = first_or_create(
        lambda: _refuse_duplicate(content),
        lambda attempt: Source.objects.create(
            slug=slug_for_attempt(Source, fields["title"], "source", attempt), content=content, **fields
        ),
        f"source “{fields['title']}”",
    )
    return source


def _refuse_duplicate(content: str) -> None:
    duplicate = already_imported(content)
    if duplicate is not None:
        raise SourceImportError(duplicate_message(duplicate))
