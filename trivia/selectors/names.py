"""Finding a person or a source from what a reader types: its address (slug), or its name in any case, accents folded.

"moira-shearer", "Moira Shearer", "MOIRA SHEARER" and "Moïra Shearer" all find Moira
Shearer; "shearer" finds her too when no one else's name has a word starting so. When
several match, the reader is shown them to choose from. Two queries at most: the slug
(typed, or made from the typed name), then the names, folded in Python because neither
database folds accents the way `search.fold` does.
"""

from dataclasses import dataclass, field

from django.db.models import Model
from django.utils.text import slugify

from .. import search
from ..models import Fact, Person

MAX_CANDIDATES = 10
# Suggestions offered in a <datalist>: a bounded list, so the search page stays light.
MAX_SUGGESTIONS = 200


@dataclass
class Lookup:
    found: Model | None = None
    candidates: list[Model] = field(default_factory=list)  # when the typed name fits several


def name_field(model) -> str:
    return "name" if model is Person else "title"


def find_named(model, typed: str) -> Lookup:
    """The `model` row (a Person or a Source) `typed` names, or the few it might mean."""
    typed = " ".join(typed.split())
    label = name_field(model)
    rows = model.objects.only("id", "slug", label)
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
    for pk, slug, name in rows.order_by(label, "pk").values_list("pk", "slug", label).iterator(chunk_size=2000):
        words = search.words(name)
        if words == wanted:
            exact.append((pk, slug, name))
        elif all(any(word.startswith(part) for word in words) for part in wanted):
            partial.append((pk, slug, name))
    matches = [model(pk=pk, slug=slug, **{label: name}) for pk, slug, name in (exact or partial)[:MAX_CANDIDATES]]
    if len(exact or partial) == 1:
        return Lookup(matches[0])
    return Lookup(candidates=matches)


def suggestions(model, film=None) -> list[str]:
    """Names to suggest as the reader types: those in `film` if one is chosen, else all (if not too many)."""
    label = name_field(model)
    rows = model.objects.all()
    if film is not None:
        facts = "facts" if model is Person else "citations__fact"
        rows = rows.filter(**{f"{facts}__film": film, f"{facts}__status": Fact.Status.PUBLISHED}).distinct()
    names = list(rows.order_by(label).values_list(label, flat=True)[: MAX_SUGGESTIONS + 1])
    if len(names) > MAX_SUGGESTIONS and film is None:
        return []  # too many to be a useful list; typed names still work
    return list(dict.fromkeys(names[:MAX_SUGGESTIONS]))
