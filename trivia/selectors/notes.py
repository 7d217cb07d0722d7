"""A page's notes and sources, written like Wikipedia's shortened footnotes.

Each note is short ("Trivia notes, ¶2: “…”") and links to its passage in the click-through
mode (`clickthrough`); each source is named once, in full, under "Sources".
"""

import re
from collections import Counter
from dataclasses import dataclass

from ..models import Source
from ..structured_data import is_web_url
from .clickthrough import Origin, passage_url
from .facts import Reference

# "The Red Shoes (1948): trivia notes": a film's name and year, then what the source is.
AFTER_FILM_NAME = re.compile(r".+\(\d{4}\):\s+(?P<rest>\S.*)")
SHORT_TITLE_LENGTH = 60


@dataclass
class SourceEntry:
    """A source as the "Sources" list names it, once per page."""

    source: Source
    short_title: str

    @property
    def web_url(self) -> str:
        return self.source.url if is_web_url(self.source.url) else ""


def short_title(title: str) -> str:
    """The name a note uses for a source: what follows a film's name and year, else the title before its subtitle.

    "The Red Shoes (1948): trivia notes" -> "Trivia notes"; "Million-Dollar Movie: a memoir" ->
    "Million-Dollar Movie"; anything else stays as it is (cut at 60 characters).
    """
    match = AFTER_FILM_NAME.fullmatch(title)
    if match:
        rest = match["rest"]
        short = rest[0].upper() + rest[1:]
    else:
        short = title.split(": ", 1)[0] if ": " in title.strip(": ") else title
    short = short.strip() or title
    return short if len(short) <= SHORT_TITLE_LENGTH else short[: SHORT_TITLE_LENGTH - 1] + "…"


def finish_notes(references: list[Reference], origin: Origin) -> list[SourceEntry]:
    """Give each note its click-through link and its source's short title; the page's sources, first cited first.

    Two sources whose short titles would be the same keep their full titles, so a note
    always says which source it means.
    """
    entries: dict[int, SourceEntry] = {}
    for reference in references:
        source = reference.citation.source
        entries.setdefault(source.pk, SourceEntry(source, short_title(source.title)))
        reference.url = passage_url(reference.citation, reference.link_fact, reference.number, origin)
    shared = Counter(entry.short_title for entry in entries.values())
    for entry in entries.values():
        if shared[entry.short_title] > 1:
            entry.short_title = entry.source.title
    for reference in references:
        reference.short_title = entries[reference.citation.source.pk].short_title
    return list(entries.values())
