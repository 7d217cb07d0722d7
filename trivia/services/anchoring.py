"""Re-anchoring: after a source's text changes, each citation follows its passage or is marked broken."""

import difflib
from dataclasses import dataclass, field

import reversion
from django.db import transaction
from django.utils import timezone

from .. import bulk, integrity, text
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


def reanchor_for_edit(source: Source, previous_content: str | None) -> ReanchorReport | None:
    """Before an editor's change to `source` is saved: its citations follow the new text (None if unchanged).

    Run before the source row is written, in the same transaction, so the source's version
    is recorded after its citations': reversion reverts a revision newest version first,
    which restores the text before the citations are checked against it.
    """
    if previous_content is None or previous_content == source.content:
        return None
    return reanchor_citations(source, previous_content=previous_content)


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
    placer = _place_all(source, previous_content, source.citations.order_by("pk"))
    now = timezone.now()
    for citation in placer.changed:
        citation.updated_at = now
    bulk.update(Citation, placer.changed, ["start", "end", "paragraph", "is_broken", "broken_reason", "updated_at"])
    with reversion.create_revision():
        reversion.set_comment(f"Citations re-anchored after an edit of source {source.slug!r}")
        for citation in placer.changed:
            reversion.add_to_revision(citation)
    return placer.report


def preview_reanchoring(source: Source, previous_content: str) -> ReanchorReport:
    """What `reanchor_citations` would do if `source` (holding its new, unsaved text) were saved now; writes nothing.

    The same decisions, made on citations loaded with their facts, so a confirmation page
    can say which facts each change touches.
    """
    citations = source.citations.select_related("fact").order_by("pk")
    return _place_all(source, previous_content, citations).report


def _place_all(source: Source, previous_content: str | None, citations) -> "_Placer":
    placer = _Placer(source, previous_content)
    for citation in citations:
        citation.source = source  # the rules read the text from here: one copy, not one per citation
        placer.place(citation)
    return placer


class _Placer:
    """Decides, citation by citation, where each goes in the new text (see `reanchor_citations`)."""

    def __init__(self, source: Source, previous_content: str | None):
        self.content = source.content
        self.previous_content = previous_content
        self.regions = unchanged_regions(previous_content, self.content) if previous_content is not None else []
        self.spans = text.paragraphs(self.content)  # once, not per citation
        self.report = ReanchorReport()
        self.changed = []

    def place(self, citation) -> None:
        occurrences = text.find_occurrences(self.content, citation.quote)
        if citation.is_broken:
            if occurrences == [citation.start]:
                citation.is_broken, citation.broken_reason = False, ""
                self.changed.append(citation)
                self.report.repaired.append(citation)
            else:
                self.report.unchanged += 1
            return
        new_start = self.followed_start(citation)
        if new_start is None and len(occurrences) == 1 and self.was_unique(citation.quote):
            new_start = occurrences[0]
        if new_start is None:
            citation.is_broken = True
            citation.broken_reason = integrity.broken_reason(self.content, citation.quote, occurrences, self.spans)
            self.changed.append(citation)
            self.report.broken.append((citation, citation.broken_reason))
        elif new_start != citation.start or citation.paragraph != text.paragraph_number(
            self.content, new_start, self.spans
        ):
            citation.start, citation.end = new_start, new_start + len(citation.quote)
            self.changed.append(citation)
            self.report.moved.append(citation)
        else:
            self.report.unchanged += 1

    def was_unique(self, quote: str) -> bool:
        return self.previous_content is None or len(text.find_occurrences(self.previous_content, quote)) == 1

    def followed_start(self, citation) -> int | None:
        """The citation's new start if its own passage survived the edit, else None."""
        content, quote = self.content, citation.quote
        if self.previous_content is None:
            return citation.start if content[citation.start : citation.end] == quote else None
        for old_start, old_end, shift in self.regions:
            if old_start <= citation.start and citation.end <= old_end:
                start = citation.start + shift
                return start if content[start : start + len(quote)] == quote else None
        return None
