"""A person's or a topic's facts across films, a page at a time, grouped by film."""

from dataclasses import dataclass

from django.db.models import QuerySet

from .. import pagination
from ..models import Credit, Fact, Film, Person, Topic
from .facts import READING_ORDER, Reference, number_footnotes, reading_facts

# Person and topic pages list facts across films; past this many they go on numbered
# pages (`?page=2`), so a topic with 20,000 facts is still a light page.
LIST_PAGE_SIZE = 100


@dataclass
class FilmGroup:
    film: Film
    facts: list[Fact]


@dataclass
class FactListPage:
    """One page of facts across films (a person's, a topic's), grouped by film."""

    groups: list[FilmGroup]
    references: list[Reference]
    window: pagination.PageWindow

    @property
    def fact_count(self) -> int:
        return self.window.total


def fact_list_page(facts: QuerySet[Fact], raw_page) -> FactListPage:
    """The page `raw_page` asks for of `facts` (in reading order), grouped by film, footnotes numbered.

    Queries: one count, one page of facts and its prefetches — never one per fact.
    """
    window = pagination.window(raw_page, facts.count(), LIST_PAGE_SIZE)
    page_facts = list(facts.order_by(*READING_ORDER)[window.bounds])
    references = number_footnotes(page_facts)
    groups: list[FilmGroup] = []
    for fact in page_facts:
        if not groups or groups[-1].film.pk != fact.film_id:
            groups.append(FilmGroup(fact.film, []))
        fact.film = groups[-1].film  # one Film object per group
        groups[-1].facts.append(fact)
    return FactListPage(groups, references, window)


def person_page(person: Person, user, raw_page=None) -> FactListPage:
    """The facts visible to `user` that mention `person`, across films, by film then topic."""
    return fact_list_page(reading_facts(user).filter(people=person), raw_page)


def person_credits(person: Person) -> list[Credit]:
    """The person's credits, with their films, for the person page and its JSON-LD."""
    return list(person.credits.select_related("film").order_by("film__year", "film__title", "order"))


def topic_page(topic: Topic, user, raw_page=None) -> FactListPage:
    """The facts visible to `user` under `topic`, across films, by film then position."""
    return fact_list_page(reading_facts(user).filter(topic=topic), raw_page)
