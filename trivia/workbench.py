"""The source workbench: a source's text by numbered paragraph, what is cited there and by which facts.

Editors turn passages into facts here (trivia/admin/workbench.py is the screen). This
module reads what a page of it shows: the paragraphs of one page, each with its cited
passages marked (trivia/source_markup.py, as on the public source page), the facts citing
them, whether it is cited at all, the broken citations last anchored in it and, for an
imported paragraph draft, how many of its sentences other facts already cite.

A 2 MB source has thousands of paragraphs, so the text is paged by paragraphs, as many a
page as make about `PAGE_CHARACTERS`; a page costs three queries whatever the source's size.
"""

from dataclasses import dataclass, field

from django.db.models import Q
from django.urls import reverse

from . import coverage, text
from .models import Citation, Fact, Source
from .pagination import PageWindow, requested_number, window
from .services import drafting
from .source_markup import Backlink, CitedSpan, mark_up_paragraph, merge_identical

PAGE_CHARACTERS = 40_000
MIN_PER_PAGE, MAX_PER_PAGE = 10, 200


@dataclass(frozen=True)
class CitingFact:
    pk: int
    key: str
    text: str
    is_draft: bool
    quote: str


@dataclass(frozen=True)
class ParagraphDraft:
    """An imported paragraph draft, and how far editors have split it into facts."""

    fact: CitingFact
    sentences: int
    covered: int

    @property
    def is_split(self) -> bool:
        return self.covered >= self.sentences


@dataclass
class WorkbenchParagraph:
    number: int
    anchor: str
    start: int
    end: int
    html: str
    is_cited: bool
    citing: list[CitingFact] = field(default_factory=list)
    broken: list[Citation] = field(default_factory=list)
    draft: ParagraphDraft | None = None


@dataclass
class WorkbenchPage:
    source: Source
    version: str  # the text's version a selection's offsets count in (services.drafting.text_version)
    paragraphs: list[WorkbenchParagraph]
    window: PageWindow
    paragraph_total: int
    uncited_total: int
    broken: list[Citation]
    only_uncited: bool


def per_page(content: str, paragraph_total: int) -> int:
    """Paragraphs a page: about `PAGE_CHARACTERS` of text, within sensible bounds."""
    if not paragraph_total:
        return MAX_PER_PAGE
    average = max(len(content) // paragraph_total, 1)
    return max(MIN_PER_PAGE, min(MAX_PER_PAGE, PAGE_CHARACTERS // average))


def workbench_page(source: Source, *, page=None, paragraph=None, only_uncited: bool = False) -> WorkbenchPage:
    """One page of the workbench: `page` (clamped), or the page holding paragraph number `paragraph`."""
    content = source.content
    paragraphs = text.paragraphs(content)
    spans = list(
        Citation.objects.filter(source=source, is_broken=False).order_by("start", "end").values_list("start", "end")
    )
    cited = coverage.cited_flags(paragraphs, spans)
    listed = [p for p, is_cited in zip(paragraphs, cited, strict=True) if not (only_uncited and is_cited)]
    size = per_page(content, len(paragraphs))
    wanted = requested_number(paragraph) if paragraph not in (None, "") else None
    position = next((i for i, p in enumerate(listed) if p.number == wanted), None)
    if position is not None:
        page = position // size + 1
    shown_window = window(page, len(listed), size)
    shown = listed[shown_window.bounds]
    broken = list(
        source.citations.filter(is_broken=True)
        .select_related("fact")
        .only(
            "quote",
            "start",
            "end",
            "paragraph",
            "broken_reason",
            "source_id",
            "fact__key",
            "fact__text",
            "fact__status",
        )
        .order_by("paragraph", "start", "fact_id")
    )
    return WorkbenchPage(
        source=source,
        version=drafting.text_version(source),
        paragraphs=_mark_up(source, paragraphs, shown, cited, broken),
        window=shown_window,
        paragraph_total=len(paragraphs),
        uncited_total=cited.count(False),
        broken=broken,
        only_uncited=only_uncited,
    )


def _page_citations(source: Source, shown: list[text.Paragraph]) -> list[Citation]:
    if not shown:
        return []
    return list(
        Citation.objects.filter(source=source, is_broken=False)
        .filter(Q(start__lt=shown[-1].end) & Q(end__gt=shown[0].start))
        .select_related("fact", "fact__topic")
        .only("quote", "start", "end", "fact__key", "fact__text", "fact__status", "fact__topic__slug")
        .order_by("start", "-end", "fact_id")
    )


def _backlink(citation: Citation) -> Backlink:
    fact = citation.fact
    return Backlink(reverse("admin:trivia_fact_change", args=[fact.pk]), fact.text, fact.status == Fact.Status.DRAFT)


def _citing(citation: Citation) -> CitingFact:
    fact = citation.fact
    return CitingFact(fact.pk, fact.key, fact.text, fact.status == Fact.Status.DRAFT, citation.quote)


def _mark_up(source, paragraphs, shown, cited, broken) -> list[WorkbenchParagraph]:
    """The shown paragraphs with their passages marked, citing facts, broken citations and drafts."""
    content = source.content
    citations = _page_citations(source, shown)
    merged = merge_identical(CitedSpan(c.start, c.end, (_backlink(c),)) for c in citations)
    broken_here: dict[int, list[Citation]] = {}
    for citation in broken:
        broken_here.setdefault(citation.paragraph, []).append(citation)
    ids_given: set[str] = set()
    result = []
    for paragraph in shown:
        index = paragraph.number - 1
        next_start = paragraphs[index + 1].start if index + 1 < len(paragraphs) else None
        here = [c for c in citations if c.start < paragraph.end and c.end > paragraph.start]
        spans = [s for s in merged if s.start < paragraph.end and s.end > paragraph.start]
        result.append(
            WorkbenchParagraph(
                number=paragraph.number,
                anchor=f"p{paragraph.number}",
                start=paragraph.start,
                end=paragraph.end,
                html=mark_up_paragraph(content, paragraph, spans, next_start, ids_given),
                is_cited=cited[index],
                citing=[_citing(c) for c in here],
                broken=broken_here.get(paragraph.number, []),
                draft=_paragraph_draft(content, paragraph, here),
            )
        )
    return result


def _paragraph_draft(content: str, paragraph: text.Paragraph, here: list[Citation]) -> ParagraphDraft | None:
    for citation in here:
        fact = citation.fact
        if drafting.is_paragraph_draft(fact.status, fact.topic.slug, (citation.start, citation.end), paragraph):
            others = [(c.start, c.end) for c in here if c.fact_id != citation.fact_id]
            total, covered = drafting.sentence_coverage(content, paragraph, others)
            return ParagraphDraft(_citing(citation), total, covered)
    return None
