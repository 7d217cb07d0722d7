"""A person's or a topic's facts across films, a page at a time, grouped by film."""

from dataclasses import dataclass, field

from django.db.models import QuerySet

from .. import fact_counts, pagination
from ..models import Credit, Fact, Film, Person, Topic, sees_drafts
from .clickthrough import origin_for
from .facts import READING_ORDER, Reference, number_footnotes, reading_facts, set_mentions, spoilers_last
from .notes import SourceEntry, finish_notes

# Person and topic pages list facts across films; past this many they go on numbered
# pages (`?page=2`), so a topic with 20,000 facts is still a light page.
LIST_PAGE_SIZE = 100


@dataclass
class FilmGroup:
    film: Film
    facts: list[Fact]
    spoilers: list[Fact] = field(default_factory=list)  # shown last, behind one "Show N spoilers" control


@dataclass
class FactListPage:
    """One page of facts across films (a person's, a topic's), grouped by film."""

    groups: list[FilmGroup]
    references: list[Reference]
    window: pagination.PageWindow
    sources: list[SourceEntry] = field(default_factory=list)

    @property
    def fact_count(self) -> int:
        return self.window.total


def fact_list_page(facts: QuerySet[Fact], raw_page, kind: str, slug: str, page_person=None) -> FactListPage:
    """The page `raw_page` asks for of `facts` (in reading order), grouped by film, footnotes numbered.

    `kind` and `slug` name the page ("person", "hein-heckroth") for the notes' click-through links.
    Queries: one count, one page of facts and its prefetches — never one per fact.
    """
    window = pagination.window(raw_page, facts.count(), LIST_PAGE_SIZE)
    page_facts = list(facts.order_by(*READING_ORDER)[window.bounds])
    return _grouped_page(page_facts, window, kind, slug, page_person)


def _grouped_page(page_facts: list[Fact], window, kind: str, slug: str, page_person=None) -> FactListPage:
    groups: list[FilmGroup] = []
    for fact in page_facts:
        if not groups or groups[-1].film.pk != fact.film_id:
            groups.append(FilmGroup(fact.film, []))
        fact.film = groups[-1].film  # one Film object per group
        groups[-1].facts.append(fact)
    for group in groups:
        group.facts, group.spoilers = spoilers_last(group.facts)
    references = number_footnotes([fact for group in groups for fact in group.facts + group.spoilers])
    set_mentions(page_facts, page_person)
    sources = finish_notes(references, origin_for(kind, window, slug))
    return FactListPage(groups, references, window, sources)


def person_page(person: Person, user, raw_page=None) -> FactListPage:
    """The facts visible to `user` that mention `person`, across films, by film then topic."""
    return fact_list_page(reading_facts(user).filter(people=person), raw_page, "person", person.slug, person)


def person_credits(person: Person) -> list[Credit]:
    """The person's credits, with their films, for the person page and its JSON-LD."""
    return list(person.credits.select_related("film").order_by("film__year", "film__title", "order"))


def topic_page(topic: Topic, user, raw_page=None) -> FactListPage:
    """The facts visible to `user` under `topic`, across films, by film then position.

    A topic holds a tenth of the archive, so for readers nothing counts or sorts all its facts:
    the database's counts per (topic, film) (`fact_counts`, one row per film, in title order)
    give the total and the films the page's facts fall in, and how many of the first film's to
    skip; then only those films' facts are read, through the (film, status, topic, position)
    index. Staff, who see drafts too, get them counted as on person pages.
    """
    facts = reading_facts(user).filter(topic=topic)
    if sees_drafts(user):
        return fact_list_page(facts, raw_page, "topic", topic.slug)
    films = fact_counts.films_of_topic(topic.pk)
    window = pagination.window(raw_page, sum(count for _, count in films), LIST_PAGE_SIZE)
    on_page, skip, seen = [], 0, 0
    for film_id, count in films:
        if seen + count > window.offset and seen < window.offset + window.per_page:
            skip = skip if on_page else window.offset - seen
            on_page.append(film_id)
        seen += count
    page_facts = list(facts.filter(film_id__in=on_page).order_by(*READING_ORDER)[skip : skip + window.per_page])
    return _grouped_page(page_facts, window, "topic", topic.slug)
