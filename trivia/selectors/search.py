"""One page of /facts/ search results: counted, loaded with the reading relations, highlighted."""

from dataclasses import dataclass, field

from django.db import connections

from .. import fact_tokens, page_renders, pagination, search, text
from ..filters import ORDER_RELEVANCE, RELEVANCE_ORDER, SPOILERS_INCLUDE, FactFilter
from ..models import Fact, Film, Person, Source
from . import names
from .clickthrough import Origin, passage_url
from .facts import READING_ORDER, with_reading_relations

PAGE_SIZE = 25
# A search looks at no more matches than this, the newest first (the order the full-text
# index, or without words the primary key, reads them in, without sorting), and counts and
# ranks those: a word found in most facts, or no word at all, then costs the same at 10,000
# and at 1,000,000 facts. Past it the page says "1,000+" and asks for a narrower search
# (docs/performance.md, "First visits (issue 16)").
MATCH_LIMIT = 1000


@dataclass
class SearchResults:
    facts: list[Fact]
    window: pagination.PageWindow
    # Facts that match but reveal the ending and are hidden: None when not counted (the
    # search was capped), MATCH_LIMIT + 1 when there are more than MATCH_LIMIT.
    hidden_spoilers: int | None
    query: str
    terms: list[str] = field(default_factory=list)
    narrowing: str = ""
    capped: bool = False  # more facts match than MATCH_LIMIT: the counts are lower bounds
    match_limit: int = MATCH_LIMIT
    # False when relevance was asked for but the words are too common to rank (SQLite,
    # search.SQLITE_RANK_LIMIT): the matches are listed newest first.
    ranked: bool = True

    @property
    def count(self) -> int:
        """Facts that match and are shown (over all pages)."""
        return self.window.total

    @property
    def count_label(self) -> str:
        """The count as the page says it: "1,000+" when the search stopped counting."""
        return f"{self.count:,}+" if self.capped else f"{self.count:,}"

    @property
    def hidden_spoilers_label(self) -> str:
        """How many spoilers are hidden, as the page says it ("1,000+" past the limit)."""
        if self.hidden_spoilers and self.hidden_spoilers > self.match_limit:
            return f"{self.match_limit:,}+"
        return f"{self.hidden_spoilers or 0:,}"

    @property
    def capped_note(self) -> str:
        if not self.query:
            return (
                f"Only the {self.match_limit:,} newest facts are counted and listed here: search for a word, "
                "or choose a film, topic or person, to find the others."
            )
        shown = "ranked here" if self.ranked else "listed here, newest first"
        return (
            f"Only the {self.match_limit:,} newest matches are counted and {shown}: add a word, "
            "or choose a film, topic or person, to narrow the search."
        )

    @property
    def unranked_note(self) -> str:
        """Why the matches of an uncapped search came newest first though the best match was asked for."""
        if self.ranked or self.capped:
            return ""
        return (
            f"“{text.shorten(self.query, 80)}” is found in more than {search.SQLITE_RANK_LIMIT:,} facts, too many "
            "to rank by best match here: the newest come first."
        )

    @property
    def summary(self) -> str:
        """The sentence announced to screen readers: '12 facts match “Heckroth” in The Red Shoes (1948).'"""
        one = self.count == 1 and not self.capped
        noun = "fact" if one else "facts"
        if self.query:
            quoted = f"“{text.shorten(self.query, 80)}”"
            verb = "matches" if one else "match"
            head = f"{self.count_label} {noun} {verb} {quoted}" if self.count else f"No facts match {quoted}"
        else:
            head = f"{self.count_label} {noun}" if self.count else "No facts"
        if self.narrowing:
            head += f" {self.narrowing}"
        return head + "."


@dataclass
class ChosenResults:
    """Which facts a search page shows, before any is loaded: the window, the page's ids, the spoiler count."""

    window: pagination.PageWindow
    page_ids: list[int]
    hidden_spoilers: int | None
    capped: bool
    # {id: display token} of the page's facts when the query that chose them read them too (film order).
    tokens: dict[int, int | None] | None = None
    ranked: bool = True  # SearchResults.ranked

    def inputs(self) -> tuple:
        """What the results print besides the form, as `page_renders` keys it: the counts, whether the matches
        were ranked, and each fact's token."""
        found = fact_tokens.tokens_of(self.page_ids) if self.tokens is None else self.tokens
        pairs = page_renders.tokens((pk, found.get(pk)) for pk in self.page_ids)
        return self.window.number, self.window.total, self.hidden_spoilers, self.capped, self.ranked, pairs


def form_inputs(filterset: FactFilter) -> tuple:
    """What a valid search form prints besides the query string, as `page_renders` keys it: the name of each film,
    topic, person or source chosen (found by slug, shown by name), and the topics its list offers (one query)."""
    data = filterset.form.cleaned_data
    chosen = [data.get(name) for name in ("film", "topic", "person", "source")]
    named = [(item.pk, str(item), item.slug) if item else None for item in chosen]
    # The form's own read of the topics (filters.ListedChoiceField), which its <select> lists.
    topics = [(topic.pk, topic.name, topic.slug, topic.order) for topic in filterset.form.fields["topic"].queryset]
    return named, topics


def choose_results(filterset: FactFilter, raw_page=None) -> ChosenResults:
    """The page of a valid (bound) filterset's matches: counted, ranked, the page's ids picked.

    Queries, whatever the number of facts: one for the newest MATCH_LIMIT matches (counted
    and, by relevance, ranked in Python), one capped count of the hidden spoilers (or the
    page's ids in film order). With words or without (filters alone, or nothing: every
    published fact), the database reads the matches in index order and stops at the limit.
    """
    matches = filterset.qs  # validates the form, so cleaned_data is there below
    include_spoilers = filterset.form.cleaned_data.get("spoilers") == SPOILERS_INCLUDE
    return ChosenResults(*_bounded_page(filterset, matches, include_spoilers, raw_page))


def search_results(filterset: FactFilter, chosen: ChosenResults) -> SearchResults:
    """The chosen page of results (`choose_results`) loaded and highlighted: one query and one per prefetch."""
    loaded = with_reading_relations(Fact.objects.all()).in_bulk(chosen.page_ids)
    facts = [loaded[pk] for pk in chosen.page_ids if pk in loaded]
    highlight_facts(facts, filterset.terms)
    return SearchResults(
        facts=facts,
        window=chosen.window,
        hidden_spoilers=chosen.hidden_spoilers,
        query=filterset.form.cleaned_data.get("q") or "",
        terms=filterset.terms,
        narrowing=filterset.describe(),
        capped=chosen.capped,
        match_limit=MATCH_LIMIT,
        ranked=chosen.ranked,
    )


def _newest(filterset: FactFilter, matches):
    """`matches` newest first, in the order an index reads them without sorting: the full-text index's with
    words (no more than MATCH_LIMIT + 1 are ever read), else the (status, published_at) index's, from the latest
    published."""
    matches = matches.order_by()
    if filterset.terms:
        return search.newest_first(matches, filterset.terms, limit=MATCH_LIMIT + 1, narrowed=filterset.narrowed)
    return matches.order_by("-published_at", "-pk")


def _bounded_page(filterset: FactFilter, matches, include_spoilers: bool, raw_page):
    """(window, page ids, hidden spoilers or None, capped, {id: token}, ranked) from the newest MATCH_LIMIT matches.

    One query when the asked-for page has facts (`_page_in_one_read`); the counted path when
    it has none (nothing matches, or a page past the last: it says which page to show).
    """
    by_relevance = bool(filterset.terms) and filterset.form.cleaned_data.get("ordering") == ORDER_RELEVANCE
    one_read = _page_in_one_read(filterset, matches, include_spoilers, raw_page, by_relevance)
    return one_read or _counted_page(filterset, matches, include_spoilers, raw_page, by_relevance)


def _as_columns(ordering) -> tuple[tuple[str, str], ...]:
    """An ORM ordering ("-search_rank", "film__title"…) as (column, direction) pairs, named as Django's values_list
    aliases each lookup, for `_page_in_one_read` to sort by in SQL."""
    return tuple((name.removeprefix("-"), "DESC" if name.startswith("-") else "") for name in ordering)


# The columns a page is put in order by: by relevance, filters.RELEVANCE_ORDER; else the reading order.
RELEVANCE_COLUMNS = _as_columns(RELEVANCE_ORDER)
READING_COLUMNS = _as_columns(READING_ORDER)


def _page_in_one_read(filterset: FactFilter, matches, include_spoilers: bool, raw_page, by_relevance: bool):
    """The page as `_counted_page` gives it, from one query; None when that page has no facts.

    The database reads the newest MATCH_LIMIT + 1 matches as `_counted_page` does, counts
    them, drops the oldest when there are more than MATCH_LIMIT, puts the rest in the page's
    order and returns the page's rows with their display tokens, and the hidden spoilers
    counted (up to MATCH_LIMIT + 1) only when the shown matches were not capped. It replaces
    three queries and a sort of a thousand rows in Python (docs/performance.md, "Phase 4").
    """
    requested = pagination.requested_number(raw_page)
    if requested > -(-MATCH_LIMIT // PAGE_SIZE):
        return None  # past any page there can be
    connection = connections[matches.db]
    quote = connection.ops.quote_name
    order = RELEVANCE_COLUMNS if by_relevance else READING_COLUMNS
    # The fact's own columns come from the newest matches; a related row's (the film's title, the topic's
    # order) are joined to those alone: joined inside, they made SQLite read every fact of a topic to sort.
    columns = [name for name, _ in order if "__" not in name]
    related, joins = _related_columns([name for name, _ in order if "__" in name], quote)
    # Whether the words were ranked (search.search_facts): the same for every row.
    ranked = quote("search_ranked") if by_relevance else "1"
    if by_relevance:
        columns.append("search_ranked")
    if filterset.terms:
        # The newest first is the highest id (search.newest_first): the oldest is the smallest.
        newest = _newest(filterset, matches).values_list(*columns)
        oldest = f"MIN({quote('pk')}) OVER () AS {quote('oldest')}"
        kept = f"NOT ({quote('n_matches')} > %s AND {quote('pk')} = {quote('oldest')})"
    else:
        newest = _newest(filterset, matches).values_list(*columns, "published_at")
        newest_order = f"{quote('published_at')} DESC, {quote('pk')} DESC"
        oldest = f"ROW_NUMBER() OVER (ORDER BY {newest_order}) AS {quote('nth')}"
        kept = f"(%s >= {quote('nth')})"
    newest_sql, newest_params = _sql(newest[: MATCH_LIMIT + 1])
    hidden_sql, hidden_params = "0", []
    if not include_spoilers:
        spoilers = _newest(filterset, filterset.matches_including_spoilers.filter(is_spoiler=True))
        spoilers_sql, hidden_params = _sql(spoilers.values("pk")[: MATCH_LIMIT + 1])
        # Counted only when the shown matches were all counted (CASE runs the subquery only then).
        hidden_sql = (
            f"CASE WHEN {quote('n_matches')} > %s THEN NULL "
            f"ELSE (SELECT COUNT(*) FROM ({spoilers_sql}) {quote('spoilers')}) END"
        )
        hidden_params = [MATCH_LIMIT, *hidden_params]
    by = ", ".join(f"{quote(name)} {direction}".strip() for name, direction in order)
    sql = (
        f"SELECT {quote('pk')}, {quote('n_matches')}, {fact_tokens.token_sql(quote('pk'))}, {hidden_sql}, {ranked} "
        f"FROM (SELECT * FROM (SELECT {quote('newest')}.*{related}, COUNT(*) OVER () AS {quote('n_matches')}, "
        f"{oldest} FROM ({newest_sql}) {quote('newest')}{joins}) {quote('numbered')} WHERE {kept} "
        f"ORDER BY {by} LIMIT %s OFFSET %s) {quote('page')} ORDER BY {by}"
    )
    params = [*hidden_params, *newest_params, MATCH_LIMIT, PAGE_SIZE, (requested - 1) * PAGE_SIZE]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    if not rows:
        return None
    matched = rows[0][1]
    capped = matched > MATCH_LIMIT
    window = pagination.window(raw_page, min(matched, MATCH_LIMIT), PAGE_SIZE)
    hidden = 0 if include_spoilers else (None if capped else rows[0][3])
    tokens = {row[0]: row[2] for row in rows}
    return window, list(tokens), hidden, capped, tokens, bool(rows[0][4])


def _related_columns(lookups, quote) -> tuple[str, str]:
    """SQL selecting each `relation__column` lookup of a fact (named as the lookup) and the joins they need, for
    rows of facts named `newest` (`_page_in_one_read`)."""
    selected, joined = [], {}
    for lookup in lookups:
        relation, name = lookup.split("__")
        field = Fact._meta.get_field(relation)
        model = field.related_model
        if relation not in joined:
            joined[relation] = (
                f" JOIN {quote(model._meta.db_table)} {quote(relation)} ON {quote(relation)}."
                f"{quote(model._meta.pk.column)} = {quote('newest')}.{quote(field.attname)}"
            )
        selected.append(f", {quote(relation)}.{quote(model._meta.get_field(name).column)} AS {quote(lookup)}")
    return "".join(selected), "".join(joined.values())


def _sql(queryset) -> tuple[str, list]:
    """A queryset's SQL and parameters, to be read inside a larger query."""
    sql, params = queryset.query.get_compiler(using=queryset.db).as_sql()
    return sql, list(params)


def _counted_page(filterset: FactFilter, matches, include_spoilers: bool, raw_page, by_relevance: bool):
    """(window, page ids, hidden spoilers or None, capped, tokens or None, ranked) from the newest MATCH_LIMIT
    matches.

    Spoilers are counted only when the shown matches were all counted: that count then
    stops within MATCH_LIMIT shown and MATCH_LIMIT hidden matches too.
    """
    tokens = None
    columns = ("pk", "search_rank", "film_id", "topic_id", "position", "search_ranked") if by_relevance else ("pk",)
    rows = list(_newest(filterset, matches).values_list(*columns)[: MATCH_LIMIT + 1])
    ranked = bool(rows[0][5]) if by_relevance and rows else True
    capped = len(rows) > MATCH_LIMIT
    rows = rows[:MATCH_LIMIT]
    window = pagination.window(raw_page, len(rows), PAGE_SIZE)
    if by_relevance:
        # filters.RELEVANCE_ORDER, on rows already in hand: best rank, then film, topic, position, id.
        rows.sort(key=lambda row: (-row[1], row[2], row[3], row[4], row[0]))
        page_ids = [row[0] for row in rows[window.bounds]]
    else:
        # The page in film order, with its facts' display tokens (the page's inputs) in the same query.
        chosen = fact_tokens.with_tokens(Fact.objects.filter(pk__in=[row[0] for row in rows])).order_by(*READING_ORDER)
        tokens = dict(chosen.values_list("pk", "display_token")[window.bounds])
        page_ids = list(tokens)
    if include_spoilers:
        hidden = 0
    elif capped:
        hidden = None
    else:
        spoilers = _newest(filterset, filterset.matches_including_spoilers.filter(is_spoiler=True))
        hidden = spoilers[: MATCH_LIMIT + 1].count()
    return window, page_ids, hidden, capped, tokens, ranked


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
    """The names the film, person and source boxes suggest (`names.suggestions`), by box; one query."""
    film = filterset.form.cleaned_data.get("film") if filterset.is_valid() else None
    found = names.suggestions(film)
    return {"film": found[Film], "person": found[Person], "source": found[Source]}
