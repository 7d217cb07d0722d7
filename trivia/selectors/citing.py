"""A fact's own page and its "Cite this fact" block: plain text, APA, MLA and BibTeX.

Every style names the site, the fact's permanent address and the day it was read
(today, in the site's time zone; the page's ETag changes with the date, see `freshness`).
"""

import re
from dataclasses import dataclass
from datetime import date

from django.utils import timezone

from ..models import Fact
from .clickthrough import Origin
from .facts import Reference, number_footnotes, set_mentions
from .notes import SourceEntry, finish_notes

SITE_NAME = "redshoes"
MLA_MONTHS = ["Jan.", "Feb.", "Mar.", "Apr.", "May", "June", "July", "Aug.", "Sept.", "Oct.", "Nov.", "Dec."]
# Characters BibTeX (and LaTeX under it) reads as commands; written as their escapes.
BIBTEX_ESCAPES = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "%": r"\%",
    "&": r"\&",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "^": r"\^{}",
    "~": r"\~{}",
}
BIBTEX_SPECIAL = re.compile("|".join(re.escape(char) for char in BIBTEX_ESCAPES))


@dataclass(frozen=True)
class CitationStyle:
    slug: str  # "plain", "apa", "mla", "bibtex": the element's id is cite-<slug>
    name: str
    text: str


@dataclass
class FactPage:
    fact: Fact
    references: list[Reference]
    sources: list[SourceEntry]
    styles: list[CitationStyle]
    accessed: date


def fact_page(fact: Fact, url: str) -> FactPage:
    """The fact's own page: its notes, its sources and the ways to cite it; `url` is its absolute address."""
    references = number_footnotes([fact])
    set_mentions([fact])
    sources = finish_notes(references, Origin("fact"))
    accessed = timezone.localdate()
    return FactPage(fact, references, sources, cite_this_fact(fact, references, url, accessed), accessed)


def long_date(day: date) -> str:
    return f"{day.day} {day:%B} {day.year}"


def cite_this_fact(fact: Fact, references: list[Reference], url: str, accessed: date) -> list[CitationStyle]:
    """The fact cited in plain text (with its sources and passages), APA 7, MLA 9 and BibTeX."""
    claim = fact.text.strip()
    title = claim.rstrip(".!?…")
    about = f"Trivia about {fact.film}"
    published = timezone.localtime(fact.published_at).date() if fact.published_at else None
    apa_date = f"{published.year}, {published:%B} {published.day}" if published else "n.d."
    mla_date = f"{published.day} {MLA_MONTHS[published.month - 1]} {published.year}, " if published else ""
    return [
        CitationStyle("plain", "Plain text", _plain(fact, references, url, accessed)),
        CitationStyle(
            "apa",
            "APA",
            f"{title} [{about}]. ({apa_date}). {SITE_NAME}. "
            f"Retrieved {accessed:%B} {accessed.day}, {accessed.year}, from {url}",
        ),
        CitationStyle(
            "mla",
            "MLA",
            f"“{title}.” {about}, {SITE_NAME}, {mla_date}{url}. "
            f"Accessed {accessed.day} {MLA_MONTHS[accessed.month - 1]} {accessed.year}.",
        ),
        CitationStyle("bibtex", "BibTeX", _bibtex(fact, title, about, url, accessed)),
    ]


def _plain(fact: Fact, references: list[Reference], url: str, accessed: date) -> str:
    lines = [f"“{fact.text}”", f"Film: {fact.film}"]
    for reference in references:
        citation = reference.citation
        source = citation.source
        origin = ", ".join(part for part in (source.author, source.title, source.publisher) if part)
        line = f"Source [{reference.number}]: {origin}, {citation.locator}"
        if source.accessed:
            line += f" (source read {long_date(source.accessed)})"
        lines.append(line)
        lines.append(f"  Passage: “{citation.quote}”")
        if citation.is_broken:
            lines.append("  (This citation needs attention: the source has changed since it was checked.)")
    lines.append(f"{SITE_NAME}, {url} (accessed {long_date(accessed)})")
    return "\n".join(lines)


def bibtex_escape(value: str) -> str:
    return BIBTEX_SPECIAL.sub(lambda match: BIBTEX_ESCAPES[match.group(0)], " ".join(value.split()))


def _bibtex(fact: Fact, title: str, about: str, url: str, accessed: date) -> str:
    fields = [
        ("title", "{" + bibtex_escape(title) + "}"),
        ("howpublished", bibtex_escape(SITE_NAME)),
        *([("year", str(timezone.localtime(fact.published_at).date().year))] if fact.published_at else []),
        ("note", bibtex_escape(f"{about}. Accessed {long_date(accessed)}")),
        ("url", url.replace("%", r"\%").replace("#", r"\#")),
        ("urldate", accessed.isoformat()),
    ]
    body = ",\n".join(f"  {name:<12} = {{{value}}}" for name, value in fields)
    return f"@misc{{{SITE_NAME}-{fact.key},\n{body}\n}}"
