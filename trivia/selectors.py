"""Read queries the public pages need, each loading its related rows up front.

Grouping, table-of-contents and footnote numbering happen here, in Python, not in templates.
"""

from dataclasses import dataclass, field

from django.core.paginator import InvalidPage, Page, Paginator
from django.db.models import Count, Exists, OuterRef, Prefetch, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404

from .models import Citation, Credit, Fact, Film, Person, Source, Topic
from .source_markup import Backlink, CitedSpan, MarkedParagraph, mark_up_source
from .structured_data import is_web_url

# --- Reading pages: home, film, fact (and the fact/references includes others reuse) ---

# A film page shows at most this many facts; a film with more is split into numbered
# pages (`?page=2`) so a 1,000-fact film stays a readable, light page. Topic order runs
# across the pages; the table of contents says which page each topic starts on.
FILM_PAGE_SIZE = 100


@dataclass
class Reference:
    """One entry of a page's references list: a cited passage and the facts citing it.

    Two facts citing the very same passage share one number, as on Wikipedia.
    """

    number: int
    citation: Citation
    facts: list[Fact] = field(default_factory=list)

    @property
    def is_spoiler(self) -> bool:
        """Only spoiler facts cite it, so its quote would give the ending away."""
        return all(fact.is_spoiler for fact in self.facts)


@dataclass
class TopicSection:
    topic: Topic
    facts: list[Fact]
    continued: bool = False  # the topic began on an earlier page


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
    page_number: int
    page_count: int
    fact_count: int


def reading_facts(user) -> QuerySet[Fact]:
    """Facts as the reading pages show them, with everything the includes touch loaded.

    Without the prefetches each fact would cost a query for its people, one for its
    citations and one per cited source (the N+1 the query-count tests pin down). The
    source's text is deferred: a locator needs only the stored paragraph number.
    """
    return (
        Fact.objects.visible_to(user)
        .select_related("film", "topic")
        .prefetch_related(
            Prefetch("people", queryset=Person.objects.only("id", "name", "slug", "kind")),
            Prefetch(
                "citations",
                queryset=Citation.objects.order_by("pk").select_related("source").defer("source__content"),
            ),
        )
    )


def number_footnotes(facts) -> list[Reference]:
    """Number the citations of `facts` in reading order, 1, 2, 3…, and return the references.

    Sets `fact.footnotes` (the fact's references, in order) on every fact: the fact
    include shows them as `[1]` markers. A passage cited by several facts keeps the
    number it got first.
    """
    references: dict[tuple, Reference] = {}
    for fact in facts:
        fact.footnotes = []
        for citation in fact.citations.all():
            passage = (citation.source_id, citation.start, citation.end, citation.quote, citation.is_broken)
            reference = references.get(passage)
            if reference is None:
                reference = references[passage] = Reference(len(references) + 1, citation)
            reference.facts.append(fact)
            fact.footnotes.append(reference)
    return list(references.values())


def films_with_fact_counts() -> QuerySet[Film]:
    """Every film with its number of published facts; the best-documented films first.

    A count per film through the (film, status, …) index rather than one GROUP BY over
    every fact: half the time at 100,000 facts on PostgreSQL.
    """
    published = (
        Fact.objects.published()
        .filter(film=OuterRef("pk"))
        .order_by()
        .values("film")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return Film.objects.annotate(published_fact_count=Coalesce(Subquery(published), 0)).order_by(
        "-published_fact_count", "title", "year"
    )


def film_credits(film: Film) -> list[Credit]:
    """The film's credits in billing order, people loaded: the credits line and the Movie JSON-LD."""
    return list(film.credits.select_related("person").order_by("order", "pk"))


def film_page(film: Film, user, page_number: int = 1) -> FilmPage:
    """The film's facts visible to `user`, grouped under their topics in display order.

    Raises `Http404` for a page number past the last page. Queries: one for the table of
    contents, one for the page's facts and one per prefetch — never one per fact.
    """
    facts = Fact.objects.visible_to(user).filter(film=film)
    ordering = ("topic__order", "topic__name", "position", "pk")

    counts = list(
        facts.values("topic")
        .annotate(fact_count=Count("pk"))
        .values("topic", "topic__name", "topic__slug", "topic__order", "fact_count")
        .order_by("topic__order", "topic__name")
    )
    fact_count = sum(row["fact_count"] for row in counts)
    page_count = max(1, -(-fact_count // FILM_PAGE_SIZE))
    if not 1 <= page_number <= page_count:
        raise Http404(f"This film has {page_count} page(s) of facts; there is no page {page_number}.")

    toc = []
    seen = 0
    for row in counts:
        topic = Topic(id=row["topic"], name=row["topic__name"], slug=row["topic__slug"], order=row["topic__order"])
        toc.append(TocEntry(topic, row["fact_count"], seen // FILM_PAGE_SIZE + 1))
        seen += row["fact_count"]

    offset = (page_number - 1) * FILM_PAGE_SIZE
    page_facts = list(reading_facts(user).filter(film=film).order_by(*ordering)[offset : offset + FILM_PAGE_SIZE])
    references = number_footnotes(page_facts)

    sections: list[TopicSection] = []
    for fact in page_facts:
        fact.film = film  # the same row; saves the page from holding 1,000 copies
        if not sections or sections[-1].topic.pk != fact.topic_id:
            continued = any(entry.topic.pk == fact.topic_id and entry.page_number < page_number for entry in toc)
            sections.append(TopicSection(fact.topic, [], continued))
        sections[-1].facts.append(fact)
    return FilmPage(film, sections, references, toc, page_number, page_count, fact_count)


def cite_this_fact(fact: Fact, references: list[Reference], url: str) -> str:
    """The plain-text "Cite this fact" block: the fact, its film, each source and passage, the URL."""
    lines = [f"“{fact.text}”", f"Film: {fact.film}"]
    for reference in references:
        citation = reference.citation
        source = citation.source
        origin = ", ".join(part for part in (source.author, source.title, source.publisher) if part)
        line = f"Source [{reference.number}]: {origin}, {citation.locator}"
        if source.accessed:
            line += f" (accessed {source.accessed.isoformat()})"
        lines.append(line)
        lines.append(f"  Passage: “{citation.quote}”")
        if citation.is_broken:
            lines.append("  (This citation needs attention: the source has changed since it was checked.)")
    lines.append(f"URL: {url}")
    return "\n".join(lines)


# --- Source, person and topic pages ---------------------------------------------------

# Person and topic pages list facts across films; past this many they go on numbered
# pages (`?page=2`), so a topic with 20,000 facts is still a light page.
LIST_PAGE_SIZE = 100


@dataclass
class BrokenCitation:
    """A citation whose source changed under it: listed for attention, never highlighted."""

    citation: Citation
    # The footnote link's target when no working passage uses the same id, so a reader
    # following a broken footnote lands on the explanation instead of the page top.
    anchor_id: str | None


@dataclass
class SourcePage:
    source: Source
    paragraphs: list[MarkedParagraph]
    broken: list[BrokenCitation]
    citing_fact_count: int
    spoiler_paragraphs: set[int]  # numbers of paragraphs cited by a spoiler fact

    @property
    def uncited(self) -> list[MarkedParagraph]:
        return [paragraph for paragraph in self.paragraphs if not paragraph.is_cited]

    @property
    def web_url(self) -> str:
        return self.source.url if is_web_url(self.source.url) else ""


def source_page(source: Source, user) -> SourcePage:
    """The source's text with the passages that visible facts cite marked, in one query.

    Readers see the citations of published facts only; staff also see drafts' (marked
    as drafts). The number of queries does not grow with the number of citations.
    """
    # EXISTS per citation, not `fact__in=<visible facts>`: SQLite would first list every
    # published fact (100,000 ids, tens of milliseconds) to keep a source's few dozen.
    visible = Exists(Fact.objects.visible_to(user).filter(pk=OuterRef("fact_id")))
    citations = list(
        Citation.objects.filter(visible, source=source)
        .select_related("fact")
        .only(
            "start", "end", "quote", "paragraph", "is_broken", "broken_reason", "source_id",
            "fact__key", "fact__text", "fact__status", "fact__is_spoiler",
        )
        .order_by("start", "-end", "fact__position", "fact__pk")
    )  # fmt: skip
    spans = [
        CitedSpan(
            citation.start,
            citation.end,
            (Backlink(citation.fact.get_absolute_url(), citation.fact.text, not citation.fact.is_published),),
        )
        for citation in citations
        if not citation.is_broken
    ]
    paragraphs = mark_up_source(source.content, spans)
    valid_anchors = {span.anchor for span in spans}
    broken = []
    for citation in citations:
        if citation.is_broken:
            free = citation.anchor not in valid_anchors
            broken.append(BrokenCitation(citation, citation.anchor if free else None))
            valid_anchors.add(citation.anchor)  # each id once
    return SourcePage(
        source=source,
        paragraphs=paragraphs,
        broken=broken,
        citing_fact_count=len({citation.fact_id for citation in citations}),
        spoiler_paragraphs={c.paragraph for c in citations if c.fact.is_spoiler and not c.is_broken},
    )


@dataclass
class FilmGroup:
    film: Film
    facts: list[Fact]


@dataclass
class FactListPage:
    """One page of facts across films (a person's, a topic's), grouped by film."""

    groups: list[FilmGroup]
    references: list[Reference]
    page: Page

    @property
    def fact_count(self) -> int:
        return self.page.paginator.count


def _fact_list_page(facts: QuerySet[Fact], page_number: str) -> FactListPage:
    """Paginate `facts` (ordered by film first), group them by film and number their footnotes.

    A bad page number is a 404 with a message, never a 500. Queries: one count, one page
    of facts and its prefetches — never one per fact.
    """
    paginator = Paginator(facts, LIST_PAGE_SIZE, allow_empty_first_page=True)
    try:
        page = paginator.page(page_number)
    except InvalidPage as exc:
        raise Http404(f"No such page of facts: {exc}") from None
    page_facts = list(page.object_list)
    references = number_footnotes(page_facts)
    groups: list[FilmGroup] = []
    for fact in page_facts:
        if not groups or groups[-1].film.pk != fact.film_id:
            groups.append(FilmGroup(fact.film, []))
        fact.film = groups[-1].film  # one Film object per group
        groups[-1].facts.append(fact)
    return FactListPage(groups, references, page)


ACROSS_FILMS_ORDER = ("film__title", "film__year", "film__pk", "topic__order", "topic__name", "position", "pk")


def person_page(person: Person, user, page_number: str = "1") -> FactListPage:
    """The facts visible to `user` that mention `person`, across films, by film then topic."""
    facts = reading_facts(user).filter(people=person).order_by(*ACROSS_FILMS_ORDER)
    return _fact_list_page(facts, page_number)


def person_credits(person: Person) -> list[Credit]:
    """The person's credits, with their films, for the person page and its JSON-LD."""
    return list(person.credits.select_related("film").order_by("film__year", "film__title", "order"))


def topic_page(topic: Topic, user, page_number: str = "1") -> FactListPage:
    """The facts visible to `user` under `topic`, across films, by film then position."""
    facts = reading_facts(user).filter(topic=topic).order_by(*ACROSS_FILMS_ORDER)
    return _fact_list_page(facts, page_number)
