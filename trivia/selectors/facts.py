"""What a fact carries to a page: its relations, the reading order, its footnotes and "cite this"."""

from dataclasses import dataclass, field

from django.db.models import Prefetch, QuerySet

from ..models import Citation, Fact, Person

# Within a film: topics in display order, then each topic's facts by position.
TOPIC_ORDER = ("topic__order", "topic__name", "topic_id", "position", "pk")
# Across films (person, topic and search pages): films by title, then as on each film's page.
READING_ORDER = ("film__title", "film__year", "film_id", *TOPIC_ORDER)


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


def with_reading_relations(facts: QuerySet[Fact]) -> QuerySet[Fact]:
    """`facts` with everything the fact and references includes touch, loaded in a fixed number of queries.

    Without the prefetches each fact would cost a query for its people, one for its
    citations and one per cited source (the N+1 the query-count tests pin down). A
    source's text is deferred: a locator needs only the stored paragraph number.
    """
    return (
        facts.select_related("film", "topic")
        .defer("search_document")
        .prefetch_related(
            Prefetch("people", queryset=Person.objects.only("id", "name", "slug", "kind")),
            Prefetch(
                "citations",
                queryset=Citation.objects.order_by("pk").select_related("source").defer("source__content"),
            ),
        )
    )


def reading_facts(user) -> QuerySet[Fact]:
    """The facts `user` may read (drafts for staff only), as the reading pages show them."""
    return with_reading_relations(Fact.objects.visible_to(user))


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
