"""Cursor pagination: each page starts after the last row of the page before, not at an offset.

A cursor holds the values the list is ordered by for the last row shown (a film's
title, year and id; a search's rank, film, topic, position and id), signed so it cannot
be forged or edited: a bad cursor is a 400, never a 500, and no value from it reaches
SQL unchecked. The next page is the rows that sort after those values, so a fact
published or deleted while a client walks the list neither shifts a row onto the next
page twice nor skips one, as `?page=N` would; and a page deep in a 100,000-row list
skips nothing it has to read past.

Any ordered queryset works: the ordering is read from the queryset itself, so the API
pages facts in exactly the order `/facts/` shows them (`selectors.facts.READING_ORDER`,
`filters.RELEVANCE_ORDER`).
"""

from dataclasses import dataclass

from django.core import signing
from django.db.models import FloatField, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast

SALT = "trivia.api.cursor"
# The search rank (trivia/search.py), compared as a double so a value read back compares equal.
RANK = "search_rank"
COMPARABLE_RANK = "cursor_rank"


class BadCursor(Exception):
    """The cursor was not made by this API for this ordering."""


@dataclass
class CursorPage:
    ids: list  # primary keys of the page's rows, in order
    next_cursor: str | None


def _columns(queryset: QuerySet) -> list[str]:
    ordering = list(queryset.query.order_by)
    if not ordering or ordering[-1].lstrip("-") not in ("pk", "id"):
        raise ValueError("cursor pagination needs an ordering that ends with the primary key")
    return ordering


def _comparable(queryset: QuerySet, columns: list[str]) -> tuple[QuerySet, list[str]]:
    """The queryset with the rank as a column a WHERE clause can compare exactly, and the columns to read."""
    if not any(column.lstrip("-") == RANK for column in columns):
        return queryset, [column.lstrip("-") for column in columns]
    extra = queryset.query.extra_select.get(RANK)
    if extra is not None:  # SQLite: bm25() over the joined FTS5 table, a raw select
        expression = RawSQL(extra[0], extra[1], output_field=FloatField())
    else:  # PostgreSQL: ts_rank is a real; as a double it reads back exactly
        expression = Cast(RANK, FloatField())
    queryset = queryset.annotate(**{COMPARABLE_RANK: expression})
    return queryset, [COMPARABLE_RANK if column.lstrip("-") == RANK else column.lstrip("-") for column in columns]


def _after(names: list[str], descending: list[bool], values: list) -> Q:
    """Rows that sort after `values`: (a > x) or (a = x and b > y) or …, each column in its direction."""
    condition = Q(pk__in=[])
    for index, name in enumerate(names):
        step = Q(**{f"{name}__{'lt' if descending[index] else 'gt'}": values[index]})
        for earlier in range(index):
            step &= Q(**{names[earlier]: values[earlier]})
        condition |= step
    return condition


def encode(ordering: list[str], values) -> str:
    return signing.dumps({"o": ordering, "v": list(values)}, salt=SALT, compress=True)


def decode(cursor: str, ordering: list[str]) -> list:
    try:
        payload = signing.loads(cursor, salt=SALT)
    except signing.BadSignature:
        raise BadCursor(
            "This cursor is not one the API gave out, or it was changed. Use the `next` link of the page "
            "before, or start again without `cursor`."
        ) from None
    if not isinstance(payload, dict) or payload.get("o") != ordering or len(payload.get("v", ())) != len(ordering):
        raise BadCursor(
            "This cursor belongs to a list in another order (the `q` or `ordering` changed). "
            "Start again without `cursor`."
        )
    return payload["v"]


def paginate(queryset: QuerySet, *, cursor: str | None, limit: int) -> CursorPage:
    """The `limit` rows after `cursor` (from the start without one), and the cursor of the page after.

    Two queries at most: none to decode the cursor, one for the page's ids and ordering
    values (`limit + 1` rows: the extra one says whether there is a next page).
    """
    ordering = _columns(queryset)
    queryset, names = _comparable(queryset, ordering)
    if cursor:
        values = decode(cursor, ordering)
        queryset = queryset.filter(_after(names, [column.startswith("-") for column in ordering], values))
    rows = list(queryset.values_list("pk", *names)[: limit + 1])
    has_more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = encode(ordering, rows[-1][1:]) if has_more else None
    return CursorPage([row[0] for row in rows], next_cursor)
