"""Finding a film, a person or a source from what a reader types: its slug, or its name in any case, accents folded.

"moira-shearer", "Moira Shearer", "MOIRA SHEARER" and "Moïra Shearer" all find Moira
Shearer; "shearer" finds her too when no one else's name has a word starting so. A film
goes by its title, or its title and year ("The Red Shoes (1948)", which is also how the
page shows it, or "red shoes 1948"). When several match, the reader is shown them to
choose from. Two queries at most: the slug (typed, or made from the typed name), then the
names, folded in Python because neither database folds accents the way `search.fold` does.
"""

from dataclasses import dataclass, field

from django.db.models import Model
from django.utils.text import slugify

from .. import search
from ..models import Citation, Fact, Film, Person

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


def suggestions(model, film=None) -> list[str]:
    """Names to suggest as the reader types: those in `film` if one is chosen, else all (if not too many).

    Without a film, the database reads at most MAX_SUGGESTIONS + 1 rows, unsorted (sorting every
    source's title to learn there are too many cost 54 ms at a million facts), and Python sorts them.
    (Asking for a row past MAX_SUGGESTIONS in an EXISTS of the same query instead made SQLite run
    that subquery for every row.)
    """
    rows = model.objects.all()
    columns = _columns(model)[1:]
    if film is not None and model is not Film:
        # A semi-join (IN) rather than DISTINCT over the join: PostgreSQL plans it in a fifth of the time.
        shown = Fact.people.through.objects if model is Person else Citation.objects
        key = "person_id" if model is Person else "source_id"
        used = shown.filter(fact__film=film, fact__status=Fact.Status.PUBLISHED).values(key)
        found = list(rows.filter(pk__in=used).order_by(*columns).values_list(*columns)[: MAX_SUGGESTIONS + 1])
    else:
        found = sorted(rows.order_by().values_list(*columns)[: MAX_SUGGESTIONS + 1])
        if len(found) > MAX_SUGGESTIONS:
            return []  # too many to be a useful list; typed names still work
    names = [shown_name(model(**dict(zip(columns, row, strict=True)))) for row in found[:MAX_SUGGESTIONS]]
    return list(dict.fromkeys(names))
