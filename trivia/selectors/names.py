"""Finding a film, a person or a source from what a reader types: its slug, or its name in any case, accents folded.

"moira-shearer", "Moira Shearer", "MOIRA SHEARER" and "Moïra Shearer" all find Moira
Shearer; "shearer" finds her too when no one else's name has a word starting so. A film
goes by its title, or its title and year ("The Red Shoes (1948)", which is also how the
page shows it, or "red shoes 1948"). When several match, the reader is shown them to
choose from. Two queries at most: the slug (typed, or made from the typed name), then the
names, folded in Python because neither database folds accents the way `search.fold` does.
"""

from dataclasses import dataclass, field

from django.db import connections
from django.db.models import Model
from django.utils.text import slugify

from .. import search
from ..models import Citation, Fact, Film, Person, Source

MAX_CANDIDATES = 10
# Suggestions offered in a <datalist>: a bounded list, so the search page stays light.
MAX_SUGGESTIONS = 200


@dataclass
class Lookup:
    found: Model | None = None
    candidates: list[Model] = field(default_factory=list)  # when the typed name fits several


def name_field(model) -> str:
    return "name" if model is Person else "title"


def _columns(model) -> tuple[str, ...]:
    """What a found row carries: its slug, its name, and a film's year (it is part of how a film is named)."""
    return ("slug", name_field(model), "year") if model is Film else ("slug", name_field(model))


def _spellings(name: str, *rest) -> list[str]:
    """The names a row goes by: its own, and for a film its title and year."""
    return [name, f"{name} {rest[0]}"] if rest else [name]


def shown_name(row: Model) -> str:
    """The row as the search box shows it once found: "Moira Shearer", "The Red Shoes (1948)"."""
    return str(row)


def find_named(model, typed: str) -> Lookup:
    """The `model` row (a Film, a Person or a Source) `typed` names, or the few it might mean."""
    typed = " ".join(typed.split())
    columns = _columns(model)
    rows = model.objects.only("id", *columns)
    slugs = [typed, slugify(typed)]
    by_slug = {row.slug: row for row in rows.filter(slug__in=slugs)}
    for slug in slugs:
        if slug in by_slug:
            return Lookup(by_slug[slug])
    wanted = search.words(typed)
    if not wanted:
        return Lookup()
    exact, partial = [], []
    # Plain tuples: building a model instance for each of thousands of names costs more than the folding.
    ordered = rows.order_by(*columns[1:], "pk").values_list("pk", *columns)
    for row in ordered.iterator(chunk_size=2000):
        spellings = [search.words(spelling) for spelling in _spellings(*row[2:])]
        if wanted in spellings:
            exact.append(row)
        elif all(any(word.startswith(part) for word in spellings[-1]) for part in wanted):
            partial.append(row)
    found = exact or partial
    matches = [model(pk=row[0], **dict(zip(columns, row[1:], strict=True))) for row in found[:MAX_CANDIDATES]]
    if len(found) == 1:
        return Lookup(matches[0])
    return Lookup(candidates=matches)


SUGGESTED = (Film, Person, Source)


def suggestions(film=None) -> dict[type[Model], list[str]]:
    """Names to suggest as the reader types, by model: every film, person and source while they are at most
    MAX_SUGGESTIONS (else none: too many to be a useful list; typed names still work), or, once a film is
    chosen, the people and sources of its published facts (the first MAX_SUGGESTIONS by name).

    One query for the three lists: they are asked for on every search page, and three round
    trips cost more than the rows. Without a film, each list is read only when the database
    counts at most MAX_SUGGESTIONS rows of its table (counting stops at MAX_SUGGESTIONS + 1),
    unsorted, and Python sorts it (sorting every source's title to learn there are too many
    cost 54 ms at a million facts; asking for a row past MAX_SUGGESTIONS in an EXISTS made
    SQLite run that subquery for every row). A film's people and sources are read by
    semi-join (IN) rather than DISTINCT over the join: PostgreSQL plans it in a fifth of the
    time.
    """
    connection = connections[Fact.objects.db]
    key = (connection.vendor, film is not None)
    if key not in _SUGGESTIONS_SQL:
        _SUGGESTIONS_SQL[key] = _suggestions_sql(connection.ops.quote_name, film is not None)
    with connection.cursor() as cursor:
        cursor.execute(_SUGGESTIONS_SQL[key], [film.pk, Fact.Status.PUBLISHED] * 2 if film is not None else [])
        rows = cursor.fetchall()
    found = {model: [] for model in SUGGESTED}
    for kind, name, year in rows:
        found[SUGGESTED[kind]].append((name, year) if SUGGESTED[kind] is Film else (name,))
    listed = {}
    for model, names in found.items():
        if film is None or model is Film:
            names.sort()  # read unsorted (and only when there are at most MAX_SUGGESTIONS)
        columns = _columns(model)[1:]
        shown = [shown_name(model(**dict(zip(columns, row, strict=True)))) for row in names[:MAX_SUGGESTIONS]]
        listed[model] = list(dict.fromkeys(shown))
    return listed


# (database vendor, for a film) -> the query's text, made once.
_SUGGESTIONS_SQL: dict[tuple[str, bool], str] = {}


def _suggestions_sql(quote, for_film: bool) -> str:
    """The one query of `suggestions`: (kind, name, year) rows, kind indexing SUGGESTED; its parameters are the
    film's id and the published status, twice, when `for_film`."""

    def column(model, name):
        return quote(model._meta.get_field(name).column)

    fact = Fact._meta
    links = {Person: (Fact.people.through, "person"), Source: (Citation, "source")}
    parts = []
    for kind, model in enumerate(SUGGESTED):
        table, name = quote(model._meta.db_table), column(model, name_field(model))
        shown = f"{name}, {column(model, 'year')}" if model is Film else name
        year = f"{quote('part')}.{column(model, 'year')}" if model is Film else "NULL"
        if for_film and model in links:
            link, key = links[model]
            used = (
                f"SELECT {quote('link')}.{column(link, key)} FROM {quote(link._meta.db_table)} {quote('link')} "
                f"JOIN {quote(fact.db_table)} {quote('fact')} "
                f"ON {quote('fact')}.{column(Fact, 'id')} = {quote('link')}.{column(link, 'fact')} "
                f"WHERE {quote('fact')}.{column(Fact, 'film')} = %s AND {quote('fact')}.{column(Fact, 'status')} = %s"
            )
            rows = (
                f"SELECT {shown} FROM {table} WHERE {column(model, 'id')} IN ({used}) "
                f"ORDER BY {name} LIMIT {MAX_SUGGESTIONS + 1}"
            )
        else:
            # Too many to be a useful list: none (typed names still work). As a LIMIT, not a WHERE: SQLite would
            # scan the table testing it on every row.
            counted = f"SELECT COUNT(*) FROM (SELECT 1 FROM {table} LIMIT {MAX_SUGGESTIONS + 1}) {quote('counted')}"
            limit = f"CASE WHEN ({counted}) <= {MAX_SUGGESTIONS} THEN {MAX_SUGGESTIONS} ELSE 0 END"
            rows = f"SELECT {shown} FROM {table} LIMIT ({limit})"
        parts.append(f"SELECT {kind}, {quote('part')}.{name}, {year} FROM ({rows}) {quote('part')}")
    return " UNION ALL ".join(parts)
