"""The home page: the best-documented films first, then every film by title or by year, a page at a time."""

from dataclasses import dataclass

from django.db.models import Count, F
from django.utils.http import urlencode

from .. import fact_counts, pagination
from ..expressions import TitleInitial
from ..models import Film

FEATURED_COUNT = 6
HOME_PAGE_SIZE = 50
BY_TITLE, BY_YEAR = "title", "year"
ORDERS = {BY_TITLE: "by title", BY_YEAR: "by year"}


@dataclass
class IndexEntry:
    """A letter (by title) or a decade (by year), and the page of the list where its films start."""

    label: str
    url: str  # "?order=year&page=3#films-1940s"


@dataclass
class HomePage:
    featured: list[Film]  # the best-documented films (with published facts); empty when every film fits beside them
    films: list[Film]  # this page of the list, each with `published_fact_count`, `group_anchor` on the first of a group
    order: str
    window: pagination.PageWindow
    index: list[IndexEntry]

    def inputs(self) -> tuple:
        """What the page prints, as `page_renders` keys it: each film listed with its count, the index, the window."""
        # The columns the page prints (the featured films are read with no others).
        listed = [
            (film.pk, film.title, film.year, film.slug, film.published_fact_count, getattr(film, "group_anchor", ""))
            for film in self.featured + self.films
        ]
        index = [(entry.label, entry.url) for entry in self.index]
        return listed, index, self.order, self.window.number, self.window.total

    @property
    def order_label(self) -> str:
        return ORDERS[self.order]

    @property
    def canonical_query(self) -> str:
        """This page's query string with defaults left out: "", "page=2", "order=year&page=3"."""
        return page_query(self.order, self.window.number)


def page_query(order: str, number: int) -> str:
    params = {"order": order} if order != BY_TITLE else {}
    if number > 1:
        params["page"] = number
    return urlencode(params)


def _group_expression(order: str):
    # The same expression groups the index and sorts the list, so a letter's page is exact.
    return TitleInitial("title") if order == BY_TITLE else F("year") / 10 * 10


def _group_label(order: str, group) -> tuple[str, str]:
    if order == BY_YEAR:
        return f"{group}s", f"films-{group}s"
    label = group if group.isalpha() else "#"
    return label, f"films-{label if label != '#' else 'other'}"


def home_page(raw_order=None, raw_page=None) -> HomePage:
    """Four queries whatever the number of films or facts: the index, one page of the list, its films' counts
    of published facts and the featured films (both kept by the database: `fact_counts`).

    Any `order` but "year" lists by title; any `page` gives a page (`pagination`).
    """
    order = BY_YEAR if raw_order == BY_YEAR else BY_TITLE
    group = _group_expression(order)
    groups = list(Film.objects.annotate(group=group).values("group").annotate(n=Count("pk")).order_by("group"))
    total = sum(row["n"] for row in groups)
    window = pagination.window(raw_page, total, HOME_PAGE_SIZE)
    index, seen = [], 0
    for row in groups:
        label, anchor = _group_label(order, row["group"])
        if not index or index[-1].label != label:
            query = page_query(order, seen // HOME_PAGE_SIZE + 1)
            index.append(IndexEntry(label, f"?{query}#{anchor}" if query else f"#{anchor}"))
        seen += row["n"]
    sort = ("group", "title", "year", "pk") if order == BY_TITLE else ("year", "title", "pk")
    films = list(Film.objects.annotate(group=group).order_by(*sort)[window.bounds])
    counts = fact_counts.of_films(film.pk for film in films)
    anchors_given = set()
    for film in films:
        film.published_fact_count = counts.get(film.pk, 0)
        _, anchor = _group_label(order, film.group)
        film.group_anchor = anchor if anchor not in anchors_given else ""
        anchors_given.add(anchor)
    featured = fact_counts.best_documented(FEATURED_COUNT) if total > FEATURED_COUNT else []
    return HomePage(featured, films, order, window, index)
