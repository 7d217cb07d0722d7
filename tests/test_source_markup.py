"""The source page's marked-up text: every cited passage is an element holding exactly its quote."""

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.htmltree import Node, parse
from trivia import text
from trivia.source_markup import Backlink, CitedSpan, mark_up_source


def span_for(content, quote, *urls, occurrence=0):
    start = text.find_occurrences(content, quote)[occurrence]
    links = tuple(Backlink(url, f"Fact at {url}") for url in (urls or ("/facts/f/",)))
    return CitedSpan(start, start + len(quote), links)


def rendered(content, spans):
    """The marked-up paragraphs as one parsed tree (each paragraph a <p>), and the raw HTML."""
    paragraphs = mark_up_source(content, spans)
    html = "".join(f'<p id="{p.anchor}">{p.html}</p>' for p in paragraphs)
    return parse(html), paragraphs


def without_backlinks(node):
    """The text a reader reads as the source, leaving out the back-link arrows."""
    parts = []
    for child in node.children:
        if isinstance(child, str):
            parts.append(child)
        elif not (child.tag == "sup" and child.has_class("backlinks")):
            parts.append(without_backlinks(child))
    return "".join(parts)


SEED_LIKE = (
    "The title ballet sequence took six weeks to shoot and employed over 120 paintings.\n\n"
    "Vicky is wearing the red ballet shoes *backstage* when the ballet opens."
)


def test_nested_spans_each_hold_exactly_their_quote():
    """The seed cites "The title ballet sequence" inside "…took six weeks to shoot"."""
    outer = span_for(SEED_LIKE, "The title ballet sequence took six weeks to shoot", "/facts/six-weeks/")
    inner = span_for(SEED_LIKE, "The title ballet sequence", "/facts/paintings/")
    tree, _ = rendered(SEED_LIKE, [inner, outer])

    assert tree.by_id(outer.anchor).text() == "The title ballet sequence took six weeks to shoot"
    assert tree.by_id(inner.anchor).text() == "The title ballet sequence"
    assert tree.by_id(inner.anchor) in tree.by_id(outer.anchor).children
    # Back-links sit after the outer mark, outside both, so neither mark's text changes.
    backlinks = [a.attrs["href"] for a in tree.find_all("a", class_="backlink")]
    assert sorted(backlinks) == ["/facts/paintings/", "/facts/six-weeks/"]
    for mark in tree.find_all("mark"):
        assert not mark.find_all("sup")


def test_identical_spans_become_one_mark_with_a_backlink_per_fact():
    quote = "employed over 120 paintings"
    spans = [span_for(SEED_LIKE, quote, "/facts/one/"), span_for(SEED_LIKE, quote, "/facts/two/")]
    tree, _ = rendered(SEED_LIKE, spans)

    marks = tree.find_all("mark")
    assert len(marks) == 1
    assert marks[0].attrs["id"] == spans[0].anchor
    assert marks[0].text() == quote
    assert [a.attrs["href"] for a in tree.find_all("a", class_="backlink")] == ["/facts/one/", "/facts/two/"]


def test_crossing_spans_keep_the_first_whole_and_cut_the_second_into_fragments():
    content = "alpha beta gamma delta"
    first = span_for(content, "alpha beta gamma", "/facts/first/")
    second = span_for(content, "gamma delta", "/facts/second/")
    tree, paragraphs = rendered(content, [second, first])

    assert tree.by_id(first.anchor).text() == "alpha beta gamma"
    # The footnote still lands where the second passage starts; the rest follows it.
    assert tree.by_id(second.anchor).text() == "gamma"
    continued = tree.find_all("mark", class_="citation citation-continued")
    assert [m.text() for m in continued] == [" delta"]
    assert without_backlinks(tree) == content
    assert {a.attrs["href"] for a in tree.find_all("a", class_="backlink")} == {"/facts/first/", "/facts/second/"}


def test_a_span_over_a_paragraph_break_is_anchored_in_the_first_paragraph():
    content = "One two three.\n\nFour five six."
    span = span_for(content, "three.\n\nFour")
    tree, paragraphs = rendered(content, [span])

    first, second = tree.find_all("p")
    assert first.by_id(span.anchor).text() == "three."
    assert second.find_all("mark")[0].text() == "Four"
    # The back-link follows the end of the passage, in the second paragraph.
    assert not first.find_all("sup") and second.find_all("sup")
    assert [p.is_cited for p in paragraphs] == [True, True]


def test_source_emphasis_is_rendered_but_quotes_with_asterisks_still_match():
    quote = "the red ballet shoes *backstage* when"
    tree, _ = rendered(SEED_LIKE, [span_for(SEED_LIKE, quote)])

    mark = tree.by_id(span_for(SEED_LIKE, quote).anchor)
    assert mark.text() == quote
    (emphasis,) = mark.find_all("em")
    assert emphasis.text() == "*backstage*"
    hidden = emphasis.find_all("span", class_="visually-hidden")
    assert [h.text() for h in hidden] == ["*", "*"]


def test_a_quote_starting_inside_emphasis_splits_the_emphasis_not_the_citation():
    quote = "backstage* when the ballet"
    span = span_for(SEED_LIKE, quote)
    tree, _ = rendered(SEED_LIKE, [span])

    assert tree.by_id(span.anchor).text() == quote
    assert "".join(em.text() for em in tree.find_all("em")) == "*backstage*"


def test_uncited_paragraphs_are_reported():
    content = "First.\n\nSecond.\n\nThird."
    _, paragraphs = rendered(content, [span_for(content, "Second.")])
    assert [(p.number, p.anchor, p.is_cited) for p in paragraphs] == [
        (1, "p1", False),
        (2, "p2", True),
        (3, "p3", False),
    ]


def test_html_in_the_source_and_in_fact_labels_is_escaped():
    content = 'Before <script>alert("x")</script> & <b>after</b>'
    span = CitedSpan(0, len(content), (Backlink("/facts/x/", '"><script>alert(1)</script>'),))
    tree, paragraphs = rendered(content, [span])

    html = paragraphs[0].html
    assert "<script>" not in html and "<b>" not in html
    assert tree.find_all("script") == [] and tree.find_all("b") == []
    assert tree.by_id(span.anchor).text() == content
    (link,) = tree.find_all("a", class_="backlink")
    assert link.attrs["aria-label"] == 'Back to the fact: "><script>alert(1)</script>'


def test_draft_only_passages_are_marked_as_drafts():
    content = "A draft fact cites this."
    span = CitedSpan(0, 7, (Backlink("/facts/d/", "Draft fact", is_draft=True),))
    tree, _ = rendered(content, [span])
    assert tree.by_id(span.anchor).has_class("is-draft")
    assert "(draft)" in tree.find_all("a", class_="backlink")[0].attrs["aria-label"]


# --- Properties over arbitrary sources and spans ---------------------------------------

ALPHABET = "ab *<&'\"\n"


@st.composite
def sources_with_spans(draw):
    content = draw(st.text(alphabet=ALPHABET, min_size=1, max_size=60))
    spans = []
    for index in range(draw(st.integers(0, 6))):
        start = draw(st.integers(0, len(content) - 1))
        end = draw(st.integers(start + 1, len(content)))
        spans.append(CitedSpan(start, end, (Backlink(f"/facts/f{index}/", f"fact {index}"),)))
    return content, spans


def crosses(a, b) -> bool:
    return a.start < b.start < a.end < b.end or b.start < a.start < b.end < a.end


@settings(max_examples=300, deadline=None)
@given(sources_with_spans())
def test_any_spans_give_well_formed_markup_that_reads_as_the_source(case):
    """Whatever editors cite, the page parses, reads as the source, and ids are unique."""
    content, spans = case
    tree, paragraphs = rendered(content, spans)  # parse() raises on mismatched tags

    source_paragraphs = text.paragraphs(content)
    for node, paragraph in zip(tree.find_all("p"), source_paragraphs, strict=True):
        assert without_backlinks(node) == paragraph.text

    for span in {(s.start, s.end): s for s in spans}.values():
        quote = content[span.start : span.end]
        element = tree.by_id(span.anchor)  # raises if the id is used twice
        in_one_paragraph = any(p.start <= span.start and span.end <= p.end for p in source_paragraphs)
        shown = any(span.start < p.end and p.start < span.end for p in source_paragraphs)
        if in_one_paragraph and not any(crosses(span, other) for other in spans):
            assert isinstance(element, Node) and element.text() == quote
        elif shown:  # cut into fragments: the footnote still lands on its first words
            assert isinstance(element, Node) and element.text() and element.text() in quote
        else:  # only blank lines between paragraphs: nothing to highlight
            assert element is None


# --- Spoilers: folded paragraphs and their excerpts ---------------------------------------


def spoiler_span(content, quote, url, spoiler=True):
    start = content.index(quote)
    return CitedSpan(start, start + len(quote), (Backlink(url, f"Fact at {url}", is_spoiler=spoiler),))


def test_a_paragraph_with_words_only_spoilers_cite_is_folded_with_an_excerpt_of_the_rest():
    content = "Safe start. The ending is sad. Shared words here.\n\nPlain paragraph."
    spans = [
        spoiler_span(content, "The ending is sad.", "/facts/spoiler/"),
        spoiler_span(content, "Shared words here.", "/facts/spoiler/"),
        spoiler_span(content, "Shared words here.", "/facts/safe/", spoiler=False),
    ]
    first, second = mark_up_source(content, spans)

    assert first.is_spoiler and not first.is_open and not second.is_spoiler
    excerpt = parse(first.excerpt)
    assert without_backlinks(excerpt) == "… Shared words here."
    assert [a.attrs["href"] for a in excerpt.find_all("a")] == ["/facts/safe/"]
    # The shared passage's id is in the excerpt; the folded full text holds the rest, verbatim.
    full = parse(first.html)
    assert excerpt.by_id(spans[1].anchor) is not None and full.by_id(spans[1].anchor) is None
    assert full.by_id(spans[0].anchor).text() == "The ending is sad."
    assert without_backlinks(full) == "Safe start. The ending is sad. Shared words here."


def test_a_spoiler_nested_in_a_passage_other_facts_cite_gives_nothing_away_and_is_not_folded():
    content = "The ballet sequence took six weeks."
    spans = [
        spoiler_span(content, "ballet sequence", "/facts/spoiler/"),
        spoiler_span(content, content, "/facts/safe/", spoiler=False),
    ]
    (paragraph,) = mark_up_source(content, spans)
    assert not paragraph.is_spoiler and paragraph.excerpt is None


def test_revealing_opens_only_the_paragraphs_the_ranges_touch():
    content = "One ends badly.\n\nTwo ends worse."
    spans = [
        spoiler_span(content, "One ends badly.", "/facts/a/"),
        spoiler_span(content, "Two ends worse.", "/facts/b/"),
    ]
    first, second = mark_up_source(content, spans, reveal=[(spans[0].start, spans[0].end)])

    assert first.is_open and first.excerpt is None
    assert second.is_spoiler and not second.is_open and second.excerpt is None


@st.composite
def sources_with_spoiler_spans(draw):
    content, spans = draw(sources_with_spans())
    flagged = [
        CitedSpan(
            span.start,
            span.end,
            tuple(Backlink(link.url, link.label, is_spoiler=draw(st.booleans())) for link in span.backlinks),
        )
        for span in spans
    ]
    return content, flagged


@settings(max_examples=300, deadline=None)
@given(sources_with_spoiler_spans())
def test_spoiler_folding_never_shows_spoiler_words_and_keeps_ids_unique(case):
    content, spans = case
    paragraphs = mark_up_source(content, spans)
    html = "".join(f"<div>{p.html}</div><div>{p.excerpt or ''}</div>" for p in paragraphs)
    tree = parse(html)
    for span in {(s.start, s.end): s for s in spans}.values():
        tree.by_id(span.anchor)  # raises if an id is used twice

    safe = [span for span in spans if not all(link.is_spoiler for link in span.backlinks)]
    for paragraph, source_paragraph in zip(paragraphs, text.paragraphs(content), strict=True):
        assert without_backlinks(parse(paragraph.html)) == source_paragraph.text
        if paragraph.excerpt:
            # An excerpt shows exactly the characters facts that are not spoilers cite, "…" for the rest.
            start, end = source_paragraph.start, source_paragraph.end
            shown = [any(s.start <= i < s.end for s in safe) for i in range(start, end)]
            runs, current = [], ""
            for offset, visible in enumerate(shown):
                if visible:
                    current += content[start + offset]
                elif current:
                    runs.append(current)
                    current = ""
            runs += [current] if current else []
            expected = ("… " if not shown[0] else "") + " … ".join(runs) + (" …" if not shown[-1] else "")
            excerpt = parse(paragraph.excerpt)
            assert without_backlinks(excerpt) == expected
            spoiler_urls = {link.url for span in spans for link in span.backlinks if link.is_spoiler}
            safe_urls = {link.url for span in safe for link in span.backlinks if not link.is_spoiler}
            assert {a.attrs["href"] for a in excerpt.find_all("a")} <= safe_urls
            assert not spoiler_urls - safe_urls & {a.attrs["href"] for a in excerpt.find_all("a")}
