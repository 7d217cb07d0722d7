"""What a fact carries to a page: its relations, the reading order, its footnotes, spoilers folded last."""

from dataclasses import dataclass, field

from django.db.models import Prefetch, QuerySet

from .. import page_renders
from ..fact_tokens import with_tokens
from ..models import Citation, Fact, Person

# Within a film: topics in display order, then each topic's facts by position.
TOPIC_ORDER = ("topic__order", "topic__name", "topic_id", "position", "pk")
# Across films (person, topic and search pages): films by title, then as on each film's page.
READING_ORDER = ("film__title", "film__year", "film_id", *TOPIC_ORDER)


@dataclass
class Reference:
    """One note of a page: a cited passage and the facts citing it.

    Two facts citing the very same passage share one number, as on Wikipedia, and the
    note links back to each with a letter (a, b, …). `url` (the click-through to the
    passage) and `short_title` are set by `notes.finish_notes` once the page is known.
    """

    number: int
    citation: Citation
    facts: list[Fact] = field(default_factory=list)
    url: str = ""
    short_title: str = ""

    @property
    def is_spoiler(self) -> bool:
        """Only spoiler facts cite it, so its quote would give the ending away."""
        return all(fact.is_spoiler for fact in self.facts)

    @property
    def link_fact(self) -> Fact:
        """The fact the passage link speaks for: a non-spoiler one if any, so it never opens spoilers."""
        return next((fact for fact in self.facts if not fact.is_spoiler), self.facts[0])

    @property
    def backlinks(self) -> list[tuple[str, Fact]]:
        """(letter, fact) for each fact citing the note: "" for a single fact, else a, b, … z, aa, ab…"""
        if len(self.facts) == 1:
            return [("", self.facts[0])]
        return [(_letter(index), fact) for index, fact in enumerate(self.facts)]


def _letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(ord("a") + remainder) + letters
    return letters


def set_mentions(facts, page_person=None) -> None:
    """Set `fact.mentions`: the people each fact names, less the one whose page it is."""
    for fact in facts:
        fact.mentions = [person for person in fact.people.all() if person != page_person]


def spoilers_last(facts: list[Fact]) -> tuple[list[Fact], list[Fact]]:
    """A group's facts split in two, order kept: those a reader sees, and the spoilers folded behind one control."""
    return [fact for fact in facts if not fact.is_spoiler], [fact for fact in facts if fact.is_spoiler]


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


def fact_inputs(user, key: str) -> list[tuple[int, int]]:
    """What a fact's own page prints, as `page_renders` keys it: the fact by id and display token (one query).

    Everything on the page is the fact's (its film, people, citations and their sources
    move its token); a key `user` may not read raises `Unkeyable`, and the render says 404.
    """
    fact = with_tokens(Fact.objects.visible_to(user).filter(key=key))
    found = page_renders.tokens(fact.values_list("pk", "display_token"))
    if not found:
        raise page_renders.Unkeyable(f"no fact {key!r} to show")
    return found


def number_footnotes(facts) -> list[Reference]:
    """Number the citations of `facts` in reading order, 1, 2, 3…, and return the references.

    Sets `fact.footnotes` (the fact's references, in order) on every fact: the fact
    include shows them as `[1]` markers, and `fact.needs_attention` when a citation's
    source changed under it. A passage cited by several facts keeps the number it got first.
    """
    references: dict[tuple, Reference] = {}
    for fact in facts:
        fact.footnotes = []
        fact.needs_attention = any(citation.is_broken for citation in fact.citations.all())
        for citation in fact.citations.all():
            passage = (citation.source_id, citation.start, citation.end, citation.quote, citation.is_broken)
            reference = references.get(passage)
            if reference is None:
                reference = references[passage] = Reference(len(references) + 1, citation)
            reference.facts.append(fact)
            fact.footnotes.append(reference)
    return list(references.values())
