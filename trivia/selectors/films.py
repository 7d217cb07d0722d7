"""One film's page of facts grouped by topic, its table of contents and its credits."""

from dataclasses import dataclass, field

from django.db.models import Count

from .. import page_renders, pagination
from ..fact_tokens import with_tokens
from ..models import Credit, Fact, Film, Topic
from .clickthrough import origin_for
from .facts import TOPIC_ORDER, Reference, number_footnotes, reading_facts, set_mentions, spoilers_last
from .notes import SourceEntry, finish_notes

# A film page shows at most this many facts; a film with more is split into numbered
# pages (`?page=2`) so a 1,000-fact film stays a readable, light page. Topic order runs
# across the pages; the table of contents says which page each topic starts on.
FILM_PAGE_SIZE = 100


@dataclass
class TopicSection:
    topic: Topic
    facts: list[Fact]
    continued: bool = False  # the topic began on an earlier page
    spoilers: list[Fact] = field(default_factory=list)  # shown last, behind one "Show N spoilers" control


@dataclass
class TocEntry:
    topic: Topic
    fact_count: int
    page_number: int  # the page the topic starts on


@dataclass
class FilmPage:
    film: Film
    sections: list[TopicSection]
    references: list[Reference]
    toc: list[TocEntry]
    window: pagination.PageWindow
    sources: list[SourceEntry] = field(default_factory=list)

    @property
    def fact_count(self) -> int:
        return self.window.total


def film_credits(film: Film) -> list[Credit]:
    """The film's credits in billing order, people loaded: the credits line and the Movie JSON-LD."""
    return list(film.credits.select_related("person").order_by("order", "pk"))


def film_table_of_contents(film: Film, user) -> list[TocEntry]:
    """Each topic of the film's facts visible to `user`, with its count and the page it starts on."""
    counts = (
        Fact.objects.visible_to(user)
        .filter(film=film)
        .values("topic")
        .annotate(fact_count=Count("pk"))
        .values("topic", "topic__name", "topic__slug", "topic__order", "fact_count")
        .order_by("topic__order", "topic__name")
    )
    toc, seen = [], 0
    for row in counts:
        topic = Topic(id=row["topic"], name=row["topic__name"], slug=row["topic__slug"], order=row["topic__order"])
        toc.append(TocEntry(topic, row["fact_count"], seen // FILM_PAGE_SIZE + 1))
        seen += row["fact_count"]
    return toc


def film_page_inputs(film: Film, credits: list[Credit], toc: list[TocEntry], user, raw_page=None) -> tuple:
    """What the film page prints, as `page_renders` keys it: the film, its credits, the table of contents,
    the page number and each of the page's facts by id and display token (one query)."""
    window = _window(toc, raw_page)
    facts = with_tokens(Fact.objects.visible_to(user).filter(film=film)).order_by(*TOPIC_ORDER)[window.bounds]
    return (
        page_renders.row(film),
        [page_renders.row(credit) + page_renders.row(credit.person) for credit in credits],
        [(entry.topic.pk, entry.topic.name, entry.topic.slug, entry.topic.order, entry.fact_count) for entry in toc],
        window.number,
        page_renders.tokens(facts.values_list("pk", "display_token")),
    )


def _window(toc: list[TocEntry], raw_page) -> pagination.PageWindow:
    return pagination.window(raw_page, sum(entry.fact_count for entry in toc), FILM_PAGE_SIZE)


def film_page(film: Film, user, raw_page=None, toc: list[TocEntry] | None = None) -> FilmPage:
    """The film's facts visible to `user` on the page `raw_page` asks for, grouped under their topics.

    Queries: one for the table of contents (unless given), one for the page's facts and
    one per prefetch — never one per fact.
    """
    toc = film_table_of_contents(film, user) if toc is None else toc
    window = _window(toc, raw_page)
    # Not the film joined again on each of 100 rows: every fact gets `film` itself below.
    facts = reading_facts(user).filter(film=film).select_related(None).select_related("topic")
    page_facts = list(facts.order_by(*TOPIC_ORDER)[window.bounds])
    started_earlier = {entry.topic.pk for entry in toc if entry.page_number < window.number}
    sections: list[TopicSection] = []
    for fact in page_facts:
        fact.film = film  # the same row; saves the page from holding 1,000 copies
        if not sections or sections[-1].topic.pk != fact.topic_id:
            sections.append(TopicSection(fact.topic, [], fact.topic_id in started_earlier))
        sections[-1].facts.append(fact)
    for section in sections:
        section.facts, section.spoilers = spoilers_last(section.facts)
    # Numbered as the reader meets them: each topic's spoilers come after its other facts.
    references = number_footnotes([fact for section in sections for fact in section.facts + section.spoilers])
    set_mentions(page_facts)
    sources = finish_notes(references, origin_for("film", window))
    return FilmPage(film, sections, references, toc, window, sources)
