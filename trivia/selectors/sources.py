"""A source's page: its text with every passage that visible facts cite marked, and its broken citations."""

import hashlib
from dataclasses import dataclass

from django.db.models import Exists, OuterRef

from .. import page_renders
from ..fact_tokens import with_tokens
from ..models import Citation, Fact, Source
from ..source_markup import Backlink, CitedSpan, MarkedParagraph, mark_up_source
from ..structured_data import is_web_url
from .clickthrough import CitedFor, cited_for


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
    cited_for: CitedFor | None = None  # the fact the reader came from, in the click-through mode

    @property
    def has_spoilers(self) -> bool:
        return any(paragraph.is_spoiler for paragraph in self.paragraphs)

    @property
    def uncited(self) -> list[MarkedParagraph]:
        return [paragraph for paragraph in self.paragraphs if not paragraph.is_cited]

    @property
    def web_url(self) -> str:
        return self.source.url if is_web_url(self.source.url) else ""


def source_page(source: Source, user, params=None) -> SourcePage:
    """The source's text with the passages that visible facts cite marked, in one query.

    Readers see the citations of published facts only; staff also see drafts' (marked
    as drafts). The number of queries does not grow with the number of citations.
    `params` (the query string) may name the fact a reader came from: one more query,
    and that fact's passages are picked out, its spoilers open (`clickthrough`).
    """
    focus = cited_for(source, user, params) if params else None
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
    spans = [_span(citation, focus) for citation in citations if not citation.is_broken]
    # Arriving from a spoiler fact opens the spoiler paragraphs its passages are in.
    revealing = focus is not None and focus.fact.is_spoiler
    reveal = [(span.start, span.end) for span in spans if revealing and span.backlinks[0].is_focus]
    paragraphs = mark_up_source(source.content, spans, reveal)
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
        cited_for=focus,
    )


def source_inputs(source: Source, request) -> tuple:
    """What the plain source page prints, as `page_renders` keys it: the source (its text by digest) and each
    visible fact citing it, by id and display token (one query; citations move their fact's token).

    A page in the click-through mode (`?for=…`) also names the fact and page the reader came
    from: it is rendered each time (`Unkeyable`), as it was before renders were kept.
    """
    if request.GET:
        raise page_renders.Unkeyable("a click-through page")
    stored = dict(page_renders.row(source))
    stored["content"] = hashlib.sha256(source.content.encode()).hexdigest()
    citing = with_tokens(Fact.objects.visible_to(request.user).filter(citations__source=source)).distinct()
    return tuple(stored.items()), page_renders.tokens(citing.order_by("pk").values_list("pk", "display_token"))


def _span(citation: Citation, focus: CitedFor | None) -> CitedSpan:
    """A citation's passage with its back-link; the fact the reader came from links back to their place."""
    fact = citation.fact
    link = Backlink(fact.get_absolute_url(), fact.text, not fact.is_published, fact.is_spoiler)
    if focus and focus.fact.pk == fact.pk:
        destination = f"{focus.back_to} [{focus.note}]"
        link = Backlink(focus.back_url, fact.text, link.is_draft, link.is_spoiler, True, destination)
    return CitedSpan(citation.start, citation.end, (link,))
