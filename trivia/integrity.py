"""Every rule about sources and citations, written once.

A source stores its text with `\\n` line endings and the SHA-256 of exactly that text. A
citation's quote is the source's characters `[start:end]` and its paragraph is the one
holding `start`, unless it is marked broken: then it keeps its last good offsets and says
why. Each rule returns problems rather than raising, so model validation, fixture loads
(stock and fast), importing, demo data, re-anchoring and `check_citations` all ask the
same question and report the same words.
"""

from dataclasses import dataclass, field

from django.db import DEFAULT_DB_ALIAS
from django.db.models import Exists, OuterRef

from . import text

# A broken citation's reason is stored in a column of this many characters.
BROKEN_REASON_LENGTH = 300


class ProvenanceError(Exception):
    """Data breaks a rule about sources or citations; the message says which row and which rule."""


def normalised_source_text(content: str | None) -> str:
    """The text as a source stores it: `\\n` line endings, whatever the file used."""
    return text.normalise_newlines(content or "")


def source_fingerprint(content: str) -> str:
    return text.sha256_hex(content)


def source_problems(slug: str, content: str, sha256: str) -> list[str]:
    """What is wrong with a source row as stored or loaded: line endings, or a SHA-256 that is not its text's."""
    if normalised_source_text(content) != content:
        return [f"Source {slug!r}: its content has CR line endings; sources store \\n only."]
    actual = source_fingerprint(content)
    if sha256 != actual:
        return [
            f"Source {slug!r}: the stored SHA-256 {sha256!r} does not match its content (which hashes to "
            f"{actual!r}); the fixture was altered or truncated."
        ]
    return []


def quote_problems(content: str, quote: str, start: int | None, end: int | None) -> dict[str, str]:
    """Field -> message for a quote that is not exactly `content[start:end]`; empty when it is."""
    if not quote or start is None or end is None:
        return {}  # incomplete: the form or the database reports the missing value
    if end > len(content):
        return {"end": f"The passage runs past the end of the source ({len(content)} characters)."}
    if start >= end:
        return {"end": "The passage must end after it starts."}
    if content[start:end] != quote:
        return {
            "quote": (
                f"The source has {text.shorten(content[start:end])!r} at {start}–{end}, "
                f"not the quote {text.shorten(quote)!r}."
            )
        }
    return {}


def citation_problems(citation, content: str) -> dict[str, str]:
    """What is wrong with a citation of `content`: nothing for a broken one, whose offsets are its last good ones."""
    if citation.is_broken:
        return {}
    return quote_problems(content, citation.quote, citation.start, citation.end)


def paragraph_of(content: str, start: int, spans: list[text.Paragraph] | None = None) -> int:
    """The paragraph number a citation starting at `start` shows as its locator."""
    return text.paragraph_number(content, start, spans)


def describe_citation(citation, fact_key: str | None = None, source_slug: str | None = None) -> str:
    fact_key = fact_key if fact_key is not None else citation.fact.key
    source_slug = source_slug if source_slug is not None else citation.source.slug
    return f"Citation of fact {fact_key!r} in source {source_slug!r}"


def require_sound_source(source) -> None:
    """Raise `ProvenanceError` for a source row that breaks a rule (used where rows are written raw)."""
    problems = source_problems(source.slug, source.content, source.sha256)
    if problems:
        raise ProvenanceError(" ".join(problems))


def require_sound_citation(citation, content: str, *, fact_key=None, source_slug=None) -> None:
    """Raise `ProvenanceError` unless the citation sits on its quote; set its paragraph from its offsets."""
    problems = citation_problems(citation, content)
    if problems:
        raise ProvenanceError(
            f"{describe_citation(citation, fact_key, source_slug)} does not match its source: "
            + " ".join(problems.values())
        )
    if citation.start is not None:
        citation.paragraph = paragraph_of(content, citation.start)


# --- Broken citations: the reasons an editor reads --------------------------------------


def _paragraph_list(content: str, starts: list[int], spans) -> str:
    return ", ".join(str(n) for n in sorted({paragraph_of(content, s, spans) for s in starts}))


def broken_reason(content: str, quote: str, occurrences: list[int], spans) -> str:
    """Why a citation could not follow its passage into the new text, for the editor who must fix it."""
    if not occurrences:
        reason = "The quote no longer occurs in the source."
    elif len(occurrences) == 1:
        reason = (
            "The cited passage was edited; the same words remain in paragraph "
            f"{_paragraph_list(content, occurrences, spans)}, which may be a different passage. "
            "An editor must check it."
        )
    else:
        reason = (
            f"The quote now occurs {len(occurrences)} times in the source (paragraphs "
            f"{_paragraph_list(content, occurrences, spans)}); an editor must choose one."
        )
    return text.shorten(reason, BROKEN_REASON_LENGTH)


# --- The audit behind `manage.py check_citations` -----------------------------------------


@dataclass
class AuditReport:
    sources: int = 0
    citations: int = 0
    published_facts: int = 0
    broken: int = 0  # flagged broken: known, listed for editors, not a fault of the data
    unsound: list[str] = field(default_factory=list)  # flagged sound but not on their quote or paragraph
    unsupported: list[str] = field(default_factory=list)  # published facts with no sound citation

    @property
    def problems(self) -> list[str]:
        return self.unsound + self.unsupported


def audit(using: str = DEFAULT_DB_ALIAS) -> AuditReport:
    """Check every citation against its source's text, and every published fact for a sound citation.

    Two streamed queries (sources with their text, citations in source order), so memory holds
    one source at a time whatever the size of the database.
    """
    from .models import Citation, Fact, Source  # the models call these rules: imported late

    report = AuditReport()
    citations = (
        Citation.objects.using(using)
        .order_by("source_id", "pk")
        .values_list("source_id", "fact__key", "quote", "start", "end", "paragraph", "is_broken")
        .iterator(chunk_size=2000)
    )
    pending = next(citations, None)
    for source in Source.objects.using(using).order_by("pk").only("slug", "content").iterator(chunk_size=100):
        report.sources += 1
        spans = None
        while pending is not None and pending[0] <= source.pk:
            source_id, fact_key, quote, start, end, paragraph, is_broken = pending
            pending = next(citations, None)
            if source_id != source.pk:
                continue  # cannot happen with the foreign key in place
            report.citations += 1
            if is_broken:
                report.broken += 1
                continue
            where = f"Citation of fact {fact_key!r} in source {source.slug!r} ({start}–{end})"
            problems = quote_problems(source.content, quote, start, end)
            if problems:
                report.unsound.append(f"{where}: " + " ".join(problems.values()))
                continue
            spans = spans if spans is not None else text.paragraphs(source.content)
            located = paragraph_of(source.content, start, spans)
            if paragraph != located:
                report.unsound.append(
                    f"{where}: its locator says paragraph {paragraph}, but the passage is in {located}."
                )
    sound = Citation.objects.using(using).filter(fact=OuterRef("pk"), is_broken=False)
    published = Fact.objects.using(using).published()
    report.published_facts = published.count()
    for key in published.exclude(Exists(sound)).order_by("key").values_list("key", flat=True).iterator():
        report.unsupported.append(f"Published fact {key!r} has no sound citation: readers cannot check it.")
    return report
