"""Facts as CSV for spreadsheets: one row per citation, UTF-8 with a header row, safe to open.

A fact that cites two passages is two rows (the fact's columns repeated), so every quote
has its own row to sort and filter; a fact citing nothing (a draft) is one row with the
citation columns empty, so no fact is lost. Facts come in reading order: film, topic,
position.

The file starts with a byte-order mark: without it Excel reads UTF-8 as the local
code page and "Émeric" comes out as "Ã‰meric". Rows end in CRLF (RFC 4180).

Spreadsheets run a cell that starts with `=`, `+`, `-` or `@` as a formula (and tab or
carriage return can smuggle one in), so a stored text like `=HYPERLINK(…)` would run on
the reader's machine. Such a cell is written with a leading apostrophe, which every
spreadsheet shows as text (OWASP's "CSV injection" advice).
"""

import csv

from django.conf import settings
from django.db.models import Prefetch, QuerySet

from .exports import consistent_snapshot
from .models import Citation, Fact, Person
from .selectors.facts import READING_ORDER

COLUMNS = [
    "fact_key",
    "fact_url",
    "status",
    "first_published",
    "film",
    "film_year",
    "film_slug",
    "topic",
    "fact",
    "people",
    "spoiler",
    "source",
    "source_slug",
    "passage_url",
    "quote",
    "start",
    "end",
    "paragraph",
    "citation_broken",
    "broken_reason",
]
# Characters that make a spreadsheet read a cell as a formula; full-width forms too, which some convert.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")
BYTE_ORDER_MARK = "\ufeff"
CHUNK = 2000


def spreadsheet_safe(value) -> str:
    """The cell as text, with a leading apostrophe when a spreadsheet would run it as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _facts(facts: QuerySet):
    citations = Citation.objects.select_related("source").defer("source__content").order_by("pk")
    return (
        Fact.objects.filter(pk__in=facts.values("pk"))
        .select_related("film", "topic")
        .defer("search_document")
        .prefetch_related(
            Prefetch("people", queryset=Person.objects.only("id", "name")), Prefetch("citations", queryset=citations)
        )
        .order_by(*READING_ORDER)
    )


def fact_rows(fact: Fact):
    """The rows of one fact: one per citation, or one with empty citation columns."""
    site = settings.SITE_URL
    head = [
        fact.key,
        site + fact.get_absolute_url(),
        fact.status,
        fact.published_at.isoformat() if fact.published_at else "",
        fact.film.title,
        fact.film.year,
        fact.film.slug,
        fact.topic.name,
        fact.text,
        "; ".join(person.name for person in fact.people.all()),
        "yes" if fact.is_spoiler else "no",
    ]
    citations = list(fact.citations.all())
    if not citations:
        yield head + [""] * (len(COLUMNS) - len(head))
    for citation in citations:
        yield head + [
            citation.source.title,
            citation.source.slug,
            site + citation.get_absolute_url(),
            citation.quote,
            citation.start,
            citation.end,
            citation.paragraph,
            "yes" if citation.is_broken else "no",
            citation.broken_reason,
        ]


def write_csv(facts: QuerySet, stream) -> int:
    """Write `facts` to a text stream (opened with `newline=""`); return the number of rows after the header.

    Queries: a fixed few per 2,000 facts (the facts, their people, their citations with sources).
    """
    writer = csv.writer(stream)
    stream.write(BYTE_ORDER_MARK)
    writer.writerow(COLUMNS)
    rows = 0
    with consistent_snapshot():  # one moment of the database, as for a fixture
        for fact in _facts(facts).iterator(chunk_size=CHUNK):
            for row in fact_rows(fact):
                writer.writerow([spreadsheet_safe(value) for value in row])
                rows += 1
    return rows
