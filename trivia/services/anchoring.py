"""Re-anchoring: after a source's text changes, each citation follows its passage or is marked broken."""

import difflib
from dataclasses import dataclass, field

import reversion
from django.core.exceptions import ValidationError
from django.db import connections, router, transaction
from django.utils import timezone

from .. import text
from ..models import Citation, Source


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

    old_lines, new_lines = text.line_chunks(old), text.line_chunks(new)
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
