"""The marked-up text of a source page: paragraphs, cited passages, the source's emphasis.

A reader who follows a footnote must land on an element whose text is exactly the quote,
so a source's content and its cited spans become nested, well-formed, escaped HTML here,
in a pure function the awkward cases (shared, nested and crossing spans, emphasis, spans
over paragraph breaks) can be tested on directly. The rules are in docs/decisions.md.
"""

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

from . import text

# `*word*` or `*a few words*`: asterisks hugging non-space text, not doubled (`**`), and
# not inside a word (`a*b*c`), so arithmetic and footnote stars stay literal.
EMPHASIS = re.compile(r"(?<![*\w])\*(?=[^\s*])[^*\n]*?[^\s*]\*(?![*\w])")

# Nesting order for pieces covering the very same characters: the citation outermost.
MARK, EMPHASIS_PIECE, HIDDEN_ASTERISK = 0, 1, 2


@dataclass(frozen=True)
class Backlink:
    """A link from a highlighted passage back to a fact that cites it."""

    url: str
    label: str
    is_draft: bool = False
    is_spoiler: bool = False  # the fact reveals the ending
    is_focus: bool = False  # the fact the reader came from (the source page's "Cited for" mode)
    destination: str = "the fact"  # where the link goes, as its accessible name says


@dataclass(frozen=True)
class CitedSpan:
    """A passage of the source cited by one or more facts."""

    start: int
    end: int
    backlinks: tuple[Backlink, ...]

    @property
    def anchor(self) -> str:
        # The same id `Citation.anchor` gives, so footnotes built from citations land here.
        return f"c{self.start}-{self.end}"

    @property
    def is_spoiler(self) -> bool:
        """Only spoiler facts cite it, so its words give the ending away."""
        return all(link.is_spoiler for link in self.backlinks)


@dataclass(frozen=True)
class MarkedParagraph:
    number: int
    anchor: str
    html: SafeString  # the whole paragraph, word for word
    is_cited: bool
    # Holds words only spoiler facts cite: shown behind a "reveals the ending" control.
    is_spoiler: bool = False
    is_open: bool = False  # a spoiler paragraph shown open (the reader came from a spoiler fact)
    # While a spoiler paragraph is closed: the passages non-spoiler facts cite in it, "…" between.
    excerpt: SafeString | None = None


@dataclass
class _Piece:
    """One element of the output: a whole span, a fragment of one, or an emphasis part."""

    start: int
    end: int
    kind: int
    span: CitedSpan | None = None
    carries_id: bool = False
    carries_backlinks: bool = False
    children: list["_Piece"] = field(default_factory=list)

    def sort_key(self):
        # Outer pieces first: earlier start, then longer, then by kind.
        return (self.start, -self.end, self.kind)


def merge_identical(spans) -> list[CitedSpan]:
    """One span per (start, end), its back-links gathered in the order given."""
    merged: dict[tuple[int, int], list[Backlink]] = {}
    for span in spans:
        merged.setdefault((span.start, span.end), []).extend(span.backlinks)
    return [CitedSpan(start, end, tuple(links)) for (start, end), links in sorted(merged.items())]


def _clip_to_paragraph(spans, paragraph: text.Paragraph, next_start: int | None, ids_given: set) -> list[_Piece]:
    """The parts of `spans` inside `paragraph`.

    The first part of a span to be shown carries its `id` (even if the span begins in the
    blank lines before the paragraph); the last carries its back-links.
    """
    pieces = []
    for span in spans:
        start, end = max(span.start, paragraph.start), min(span.end, paragraph.end)
        if start < end:
            first = span.anchor not in ids_given
            ids_given.add(span.anchor)
            pieces.append(
                _Piece(
                    start,
                    end,
                    MARK,
                    span,
                    carries_id=first,
                    carries_backlinks=next_start is None or span.end <= next_start,
                )
            )
    return pieces


def _split_marks_at_crossings(pieces: list[_Piece]) -> list[_Piece]:
    """Cut each mark where it crosses a mark accepted before it (earlier start wins)."""
    accepted: list[_Piece] = []
    boundaries: list[int] = []  # sorted edges of the accepted pieces
    for piece in sorted(pieces, key=_Piece.sort_key):
        lo, hi = bisect_right(boundaries, piece.start), bisect_left(boundaries, piece.end)
        cuts = sorted(set(boundaries[lo:hi]))
        edges = [piece.start, *cuts, piece.end]
        parts = [
            _Piece(
                a,
                b,
                MARK,
                piece.span,
                carries_id=piece.carries_id and a == piece.start,
                carries_backlinks=piece.carries_backlinks and b == piece.end,
            )
            for a, b in zip(edges, edges[1:], strict=False)
        ]
        for part in parts:
            accepted.append(part)
            for edge in (part.start, part.end):
                boundaries.insert(bisect_left(boundaries, edge), edge)
    return accepted


def _emphasis_pieces(content: str, paragraph: text.Paragraph, marks: list[_Piece]) -> list[_Piece]:
    """`<em>` parts for `*emphasis*`, split wherever a mark starts or ends inside them."""
    edges = sorted({edge for mark in marks for edge in (mark.start, mark.end)})
    pieces = []
    for match in EMPHASIS.finditer(content, paragraph.start, paragraph.end):
        start, end = match.span()
        cuts = edges[bisect_right(edges, start) : bisect_left(edges, end)]
        bounds = [start, *cuts, end]
        pieces += [_Piece(a, b, EMPHASIS_PIECE) for a, b in zip(bounds, bounds[1:], strict=False)]
        pieces.append(_Piece(start, start + 1, HIDDEN_ASTERISK))
        pieces.append(_Piece(end - 1, end, HIDDEN_ASTERISK))
    return pieces


def _nest(pieces: list[_Piece]) -> list[_Piece]:
    """Arrange non-crossing pieces into a tree; returns the top-level pieces."""
    roots: list[_Piece] = []
    stack: list[_Piece] = []
    for piece in sorted(pieces, key=_Piece.sort_key):
        while stack and stack[-1].end <= piece.start:
            stack.pop()
        (stack[-1].children if stack else roots).append(piece)
        stack.append(piece)
    return roots


def _backlinks_html(links: list[Backlink]) -> str:
    anchors = []
    for link in links:
        label = f"Back to {link.destination}{' (draft)' if link.is_draft else ''}: {text.shorten(link.label, 90)}"
        anchors.append(
            format_html('<a class="backlink" href="{}" title="{}" aria-label="{}">↩</a>', link.url, label, label)
        )
    return format_html('<sup class="backlinks">{}</sup>', mark_safe(" ".join(anchors)))


def _render(pieces: list[_Piece], content: str, start: int, end: int, inside_mark: bool, pending: list) -> str:
    """HTML for content[start:end] with `pieces` (sorted, non-overlapping) as elements."""
    out = []
    position = start
    for piece in pieces:
        out.append(escape(content[position : piece.start]))
        inner_pending: list[Backlink] = [] if not inside_mark and piece.kind == MARK else pending
        inner = _render(
            piece.children, content, piece.start, piece.end, inside_mark or piece.kind == MARK, inner_pending
        )
        if piece.kind == MARK:
            classes = ["citation"]
            if not piece.carries_id:
                classes.append("citation-continued")
            if all(link.is_draft for link in piece.span.backlinks):
                classes.append("is-draft")
            if any(link.is_focus for link in piece.span.backlinks):
                classes.append("is-cited-for")
            if piece.carries_id:
                out.append(
                    format_html(
                        '<mark id="{}" class="{}">{}</mark>', piece.span.anchor, " ".join(classes), mark_safe(inner)
                    )
                )
            else:
                out.append(format_html('<mark class="{}">{}</mark>', " ".join(classes), mark_safe(inner)))
            if piece.carries_backlinks:
                inner_pending.extend(piece.span.backlinks)
            if not inside_mark and inner_pending:
                out.append(_backlinks_html(inner_pending))
        elif piece.kind == EMPHASIS_PIECE:
            out.append(format_html("<em>{}</em>", mark_safe(inner)))
        else:
            out.append(format_html('<span class="visually-hidden">{}</span>', mark_safe(inner)))
        position = piece.end
    out.append(escape(content[position:end]))
    return "".join(out)


def mark_up_paragraph(
    content: str,
    paragraph: text.Paragraph,
    spans: list[CitedSpan],
    next_start: int | None = None,
    ids_given: set | None = None,
) -> SafeString:
    """The escaped HTML of one paragraph with its cited spans (already merged) marked.

    `next_start` (where the next paragraph begins) and `ids_given` (anchors already
    placed) matter only for spans that run over a paragraph break.
    """
    clipped = _clip_to_paragraph(spans, paragraph, next_start, set() if ids_given is None else ids_given)
    marks = _split_marks_at_crossings(clipped)
    tree = _nest(marks + _emphasis_pieces(content, paragraph, marks))
    return mark_safe(_render(tree, content, paragraph.start, paragraph.end, False, []))


def mark_up_source(content: str, spans, reveal=()) -> list[MarkedParagraph]:
    """Every paragraph of `content`, numbered, with the passages `spans` cite highlighted.

    `spans` may repeat a passage (several facts citing it); they are merged into one mark.
    A paragraph holding words only spoiler facts cite is a spoiler paragraph: closed, it
    shows only the passages other facts cite (its `excerpt`); it is open when one of the
    `reveal` ranges (the cited passages of the spoiler fact a reader came from) touches it.
    One pass over paragraphs and spans together, so a long source with thousands of
    citations costs no more than its length.
    """
    merged = merge_identical(spans)  # sorted by start
    paragraphs = text.paragraphs(content)
    ids_given: set[str] = set()
    open_spans: list[CitedSpan] = []
    upcoming = 0
    result = []
    for index, paragraph in enumerate(paragraphs):
        while upcoming < len(merged) and merged[upcoming].start < paragraph.end:
            open_spans.append(merged[upcoming])
            upcoming += 1
        # Spans that ended before this paragraph are done with.
        open_spans = [span for span in open_spans if span.end > paragraph.start]
        next_start = paragraphs[index + 1].start if index + 1 < len(paragraphs) else None
        hidden = _spoiler_words(open_spans, paragraph)
        is_open = bool(hidden) and any(start < paragraph.end and paragraph.start < end for start, end in reveal)
        excerpt = None
        if hidden and not is_open:
            # The excerpt comes first so the passages it shows carry their ids there.
            excerpt = _excerpt(content, paragraph, open_spans, next_start, ids_given)
        result.append(
            MarkedParagraph(
                number=paragraph.number,
                anchor=f"p{paragraph.number}",
                html=mark_up_paragraph(content, paragraph, open_spans, next_start, ids_given),
                is_cited=bool(open_spans),
                is_spoiler=bool(hidden),
                is_open=is_open,
                excerpt=excerpt,
            )
        )
    return result


def _union(ranges) -> list[tuple[int, int]]:
    """Sorted, non-overlapping ranges covering what `ranges` cover (touching ranges join)."""
    joined: list[list[int]] = []
    for start, end in sorted(ranges):
        if joined and start <= joined[-1][1]:
            joined[-1][1] = max(joined[-1][1], end)
        else:
            joined.append([start, end])
    return [(start, end) for start, end in joined]


def _clipped(spans, paragraph: text.Paragraph) -> list[tuple[int, int]]:
    ranges = [(max(span.start, paragraph.start), min(span.end, paragraph.end)) for span in spans]
    return _union((start, end) for start, end in ranges if start < end)


def _spoiler_words(spans, paragraph: text.Paragraph) -> bool:
    """Whether some words of `paragraph` are cited by spoiler facts only (and by no other fact)."""
    shown = _clipped([span for span in spans if not span.is_spoiler], paragraph)
    for start, end in _clipped([span for span in spans if span.is_spoiler], paragraph):
        covered = sum(min(end, b) - max(start, a) for a, b in shown if a < end and start < b)
        if covered < end - start:
            return True
    return False


def _excerpt(content, paragraph, spans, next_start, ids_given) -> SafeString | None:
    """The passages of a closed spoiler paragraph that non-spoiler facts cite, "…" between them.

    Only those facts' back-links are kept: a spoiler fact's link would name it.
    """
    safe = []
    for span in spans:
        links = tuple(link for link in span.backlinks if not link.is_spoiler)
        if links:
            safe.append(CitedSpan(span.start, span.end, links))
    runs = _clipped(safe, paragraph)
    if not runs:
        return None
    parts = []
    for start, end in runs:
        run = text.Paragraph(paragraph.number, start, end, content[start:end])
        parts.append(mark_up_paragraph(content, run, safe, next_start, ids_given))
    lead = "… " if runs[0][0] > paragraph.start else ""
    tail = " …" if runs[-1][1] < paragraph.end else ""
    return mark_safe(lead + " … ".join(parts) + tail)
