"""A person's or a topic's facts across films, a page at a time, grouped by film."""

from dataclasses import dataclass, field

from django.db.models import QuerySet

from .. import fact_counts, page_renders, pagination
from ..fact_tokens import with_tokens
from ..models import Credit, Fact, Film, Person, Topic, sees_drafts
from .clickthrough import origin_for
from .facts import READING_ORDER, Reference, number_footnotes, set_mentions, spoilers_last, with_reading_relations
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


@dataclass
class ChosenFacts:
    """Which facts a person's or topic's page shows: `facts[bounds]`, in reading order, before anything is loaded."""

    facts: QuerySet[Fact]  # the bare facts, filtered and ordered
    bounds: slice
    window: pagination.PageWindow

    def tokens(self) -> list[tuple[int, int]]:
        """(id, display token) of each fact on the page, in order: what `page_renders` keys the facts by."""
        return page_renders.tokens(with_tokens(self.facts)[self.bounds].values_list("pk", "display_token"))

    def load(self) -> list[Fact]:
        """The page's facts with everything the reading templates touch."""
        return list(with_reading_relations(self.facts)[self.bounds])


def _counted(facts: QuerySet[Fact], raw_page) -> ChosenFacts:
    """The page `raw_page` asks for of `facts`, counted (one query), in reading order."""
    window = pagination.window(raw_page, facts.count(), LIST_PAGE_SIZE)
    return ChosenFacts(facts.order_by(*READING_ORDER), window.bounds, window)


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


def person_facts(person: Person, user, raw_page=None) -> ChosenFacts:
    """The facts visible to `user` that mention `person` on the page asked for: across films, by film then topic."""
    return _counted(Fact.objects.visible_to(user).filter(people=person), raw_page)


def person_page(person: Person, chosen: ChosenFacts) -> FactListPage:
    """The person's page of facts (`person_facts`), grouped by film."""
    return _grouped_page(chosen.load(), chosen.window, "person", person.slug, person)


def person_credits(person: Person) -> list[Credit]:
    """The person's credits, with their films, for the person page and its JSON-LD."""
    return list(person.credits.select_related("film").order_by("film__year", "film__title", "order"))


def topic_facts(topic: Topic, user, raw_page=None) -> ChosenFacts:
    """The facts visible to `user` under `topic` on the page asked for: across films, by film then position.

    A topic holds a tenth of the archive, so for readers nothing counts or sorts all its facts:
    the database's counts per (topic, film) (`fact_counts`, one row per film) give the total,
    then the films in title order up to the page's facts, and how many of the first film's to
    skip; then only those films' facts are read, through the (film, status, topic, position)
    index. Staff, who see drafts too, get them counted as on person pages.
    """
    facts = Fact.objects.visible_to(user).filter(topic=topic)
    if sees_drafts(user):
        return _counted(facts, raw_page)
    total, holding = fact_counts.topic_totals(topic.pk)
    window = pagination.window(raw_page, total, LIST_PAGE_SIZE)
    # Every film listed holds at least one fact: the page's facts are among the first offset + per_page films.
    films = fact_counts.films_of_topic(topic.pk, first=window.offset + window.per_page, holding=holding)
    on_page, skip, seen = [], 0, 0
    for film_id, count in films:
        if seen + count > window.offset and seen < window.offset + window.per_page:
            skip = skip if on_page else window.offset - seen
            on_page.append(film_id)
        seen += count
    ordered = facts.filter(film_id__in=on_page).order_by(*READING_ORDER)
    return ChosenFacts(ordered, slice(skip, skip + window.per_page), window)


def topic_page(topic: Topic, chosen: ChosenFacts) -> FactListPage:
    """The topic's page of facts (`topic_facts`), grouped by film."""
    return _grouped_page(chosen.load(), chosen.window, "topic", topic.slug)
