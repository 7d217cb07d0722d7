"""One page of /facts/ search results: counted, loaded with the reading relations, highlighted."""

from dataclasses import dataclass, field

from django.db.models import Count, Q

from .. import pagination, search, text
from ..filters import SPOILERS_INCLUDE, FactFilter
from ..models import Fact, Person, Source
from . import names
from .clickthrough import Origin, passage_url
from .facts import with_reading_relations

PAGE_SIZE = 25


@dataclass
class SearchResults:
    facts: list[Fact]
    window: pagination.PageWindow
    hidden_spoilers: int  # facts that match but reveal the ending and are hidden
    query: str
    terms: list[str] = field(default_factory=list)
    narrowing: str = ""

    @property
    def count(self) -> int:
        """Facts that match and are shown (over all pages)."""
        return self.window.total

    @property
    def summary(self) -> str:
        """The sentence announced to screen readers: '12 facts match “Heckroth” in The Red Shoes (1948).'"""
        noun = "fact" if self.count == 1 else "facts"
        if self.query:
            quoted = f"“{text.shorten(self.query, 80)}”"
            verb = "matches" if self.count == 1 else "match"
            head = f"{self.count:,} {noun} {verb} {quoted}" if self.count else f"No facts match {quoted}"
        else:
            head = f"{self.count:,} {noun}" if self.count else "No facts"
        if self.narrowing:
            head += f" {self.narrowing}"
        return head + "."


def search_results(filterset: FactFilter, raw_page=None) -> SearchResults:
    """One page of a valid (bound) filterset's facts, counted, loaded and highlighted.

    Queries, whatever the number of facts: one count (shown and hidden together), one
    for the page's ids, one for its rows and one per prefetch.
    """
    matches = filterset.qs  # validates the form, so cleaned_data is there below
    include_spoilers = filterset.form.cleaned_data.get("spoilers") == SPOILERS_INCLUDE
    counts = filterset.matches_including_spoilers.aggregate(
        matches=Count("pk"), spoilers=Count("pk", filter=Q(is_spoiler=True))
    )
    hidden = 0 if include_spoilers else counts["spoilers"]
    window = pagination.window(raw_page, counts["matches"] - hidden, PAGE_SIZE)
    # Sort and slice on ids alone, then load the page's rows with everything the template
    # touches. The ids were chosen among published facts already: a status condition here
    # made SQLite scan the status index instead of looking 25 ids up.
    page_ids = list(matches.values_list("pk", flat=True)[window.bounds])
    loaded = with_reading_relations(Fact.objects.all()).in_bulk(page_ids)
    facts = [loaded[pk] for pk in page_ids if pk in loaded]
    highlight_facts(facts, filterset.terms)
    return SearchResults(
        facts=facts,
        window=window,
        hidden_spoilers=hidden,
        query=filterset.form.cleaned_data.get("q") or "",
        terms=filterset.terms,
        narrowing=filterset.describe(),
    )


def highlight_facts(facts, terms) -> None:
    """Set `highlighted_text` on each fact, `highlighted_name` on its people, `highlighted_quote` on its citations.

    Each citation also gets its click-through `passage_url`, numbered as on the fact's own
    page, which its "back" link returns to.
    """
    for fact in facts:
        fact.highlighted_text = search.highlight(fact.text, terms)
        for person in fact.people.all():
            person.highlighted_name = search.highlight(person.name, terms)
        for number, citation in enumerate(fact.citations.all(), start=1):
            citation.highlighted_quote = search.highlight(citation.quote, terms)
            citation.passage_url = passage_url(citation, fact, number, Origin("fact"))


def name_suggestions(filterset: FactFilter) -> dict[str, list[str]]:
    """The names the person and source boxes suggest: the chosen film's, or everyone's while they are few.

    Two queries, whatever the number of people and sources.
    """
    film = filterset.form.cleaned_data.get("film") if filterset.is_valid() else None
    return {"person": names.suggestions(Person, film), "source": names.suggestions(Source, film)}
