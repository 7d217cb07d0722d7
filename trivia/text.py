"""Pure text logic behind citations: paragraphs, quote anchoring and fingerprints.

Everything that decides *where* a quote sits in a source lives here, so the model's
invariant, the seed, the admin form, the importer and re-anchoring after a source
edit all agree on one answer. Nothing here touches the database.
"""

import hashlib
import re
from bisect import bisect_right
from dataclasses import dataclass

# A paragraph ends at a blank line (a line holding nothing but spaces or tabs counts).
PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n(?:[ \t]*\n)*")
# A line with the blank lines after it (see `line_chunks`).
LINE_CHUNK = re.compile(r"[^\n]*\n*")
# Where a sentence ends: stop marks (and closing quotes or brackets), space, then a capital or
# digit. Not after a lone capital, so "J. Arthur Rank" stays one sentence.
SENTENCE_END = re.compile(r"(?<!\b[A-Z])[.!?…]+[\"”’')\]]*\s+(?=[\"“‘'(\[]?[A-Z0-9])")


@dataclass(frozen=True)
class Paragraph:
    number: int  # 1-based, as a reader counts them
    start: int
    end: int
    text: str


class QuoteError(ValueError):
    """A quote cannot be anchored to exactly one place in a source."""


class QuoteNotFound(QuoteError):
    def __init__(self, quote: str):
        self.quote = quote
        super().__init__(f"The quote {shorten(quote)!r} does not occur in the source.")


class AmbiguousQuote(QuoteError):
    def __init__(self, quote: str, starts: list[int], paragraph_numbers: list[int]):
        self.quote = quote
        self.starts = starts
        self.paragraph_numbers = paragraph_numbers
        where = ", ".join(f"paragraph {n}" for n in paragraph_numbers)
        super().__init__(
            f"The quote {shorten(quote)!r} occurs {len(starts)} times in the source ({where}); "
            "say which paragraph you mean."
        )


def shorten(text: str, width: int = 80) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def normalise_newlines(text: str) -> str:
    """Store text with `\\n` line endings only, whatever the file used (CRLF, CR)."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def paragraphs(content: str) -> list[Paragraph]:
    """The non-empty paragraphs of `content`, with their offsets, numbered from 1."""
    result = []
    position = 0
    for brk in [*PARAGRAPH_BREAK.finditer(content), None]:
        end = brk.start() if brk else len(content)
        chunk = content[position:end]
        if chunk.strip():
            # Trim surrounding whitespace but keep offsets exact.
            lead = len(chunk) - len(chunk.lstrip())
            trail = len(chunk) - len(chunk.rstrip())
            start, stop = position + lead, end - trail
            result.append(Paragraph(len(result) + 1, start, stop, content[start:stop]))
        if brk:
            position = brk.end()
    return result


def paragraph_number(content: str, offset: int, spans: list[Paragraph] | None = None) -> int:
    """The number of the paragraph holding `offset` (a break counts with the paragraph before)."""
    spans = spans if spans is not None else paragraphs(content)
    if not spans:
        return 1
    index = bisect_right([p.start for p in spans], offset) - 1
    return spans[max(index, 0)].number


def find_occurrences(content: str, quote: str) -> list[int]:
    """Every start offset of `quote` in `content`, overlapping ones included."""
    if not quote:
        return []
    starts = []
    position = content.find(quote)
    while position != -1:
        starts.append(position)
        position = content.find(quote, position + 1)
    return starts


def locate_quote(content: str, quote: str, paragraph: int | None = None) -> tuple[int, int]:
    """Anchor `quote` in `content` and return its (start, end).

    With `paragraph`, only occurrences in that paragraph count: that is how an editor
    says which of several occurrences is meant. Raises `QuoteNotFound` or
    `AmbiguousQuote` rather than guessing.
    """
    starts = find_occurrences(content, quote)
    spans = paragraphs(content)
    if paragraph is not None:
        starts = [s for s in starts if paragraph_number(content, s, spans) == paragraph]
    if not starts:
        raise QuoteNotFound(quote)
    if len(starts) > 1:
        raise AmbiguousQuote(quote, starts, [paragraph_number(content, s, spans) for s in starts])
    return starts[0], starts[0] + len(quote)


def line_chunks(content: str) -> list[str]:
    """The text as lines, each with the blank lines after it; joined, they are the text again.

    Diff these rather than plain lines: the blank lines between paragraphs are half the
    lines of a source and all equal, which makes difflib quadratic.
    """
    return [chunk for chunk in LINE_CHUNK.findall(content) if chunk]


def sentence_spans(content: str, start: int, end: int) -> list[tuple[int, int]]:
    """(start, end) of each sentence of `content[start:end]`, surrounding spaces left out."""
    spans = []
    position = start
    for match in [*SENTENCE_END.finditer(content, start, end), None]:
        stop = match.end() if match else end
        chunk = content[position:stop]
        if chunk.strip():
            lead, trail = len(chunk) - len(chunk.lstrip()), len(chunk) - len(chunk.rstrip())
            spans.append((position + lead, stop - trail))
        position = stop
    return spans
