"""Citations as W3C Web Annotations (https://www.w3.org/TR/annotation-model/), in JSON-LD.

A citation says "this fact rests on these characters of that source". As an annotation
the target is the source's page on this site, located by a `TextQuoteSelector` (the
quote with the text around it) and a `TextPositionSelector` (its offsets, in Unicode
code points of the source's text as the API gives it); the body is the fact's
permalink. Any annotation tool (Hypothesis, Recogito, an IIIF viewer) can then
re-anchor our citations on the page, or on another copy of the text.

The prefix and suffix are 32 characters, widened (doubling) where the quote with that
context would occur more than once, so `prefix + exact + suffix` always occurs exactly
once in the source: a tool anchoring by quote alone finds the one passage meant.
Broken citations (their source changed; the quote is no longer at the offsets) are not
annotations: their selectors would point at the wrong words.
"""

from .models import Citation

CONTEXT = "http://www.w3.org/ns/anno.jsonld"
MEDIA_TYPE = f'application/ld+json; profile="{CONTEXT}"'
CONTEXT_CHARACTERS = 32
# Annotations per page of a source's collection.
PAGE_SIZE = 100


def occurs_once(text: str, needle: str) -> bool:
    """`needle` is in `text` exactly once, counting overlapping occurrences."""
    first = text.find(needle)
    return first != -1 and text.find(needle, first + 1) == -1


def quote_context(content: str, start: int, end: int, width: int = CONTEXT_CHARACTERS) -> tuple[str, str]:
    """The prefix and suffix of `content[start:end]`: `width` characters, more where needed to be unique."""
    exact = content[start:end]
    while True:
        prefix, suffix = content[max(start - width, 0) : start], content[end : end + width]
        whole_text = len(prefix) == start and len(suffix) == len(content) - end
        if whole_text or occurs_once(content, prefix + exact + suffix):
            return prefix, suffix
        width *= 2


def selectors(content: str, start: int, end: int) -> list[dict]:
    """Two ways to find the same passage: by its quote in context, and by its position."""
    prefix, suffix = quote_context(content, start, end)
    return [
        {"type": "TextQuoteSelector", "exact": content[start:end], "prefix": prefix, "suffix": suffix},
        {"type": "TextPositionSelector", "start": start, "end": end},
    ]


def citation_annotation(
    citation: Citation, *, content: str, annotation_id: str, source_page: str, permalink: str, site: str
) -> dict:
    """One sound citation as an Annotation (without `@context`: the document around it carries it)."""
    return {
        "id": annotation_id,
        "type": "Annotation",
        # The body is a resource related to the passage: the fact the passage supports.
        "motivation": "linking",
        "created": citation.created_at.isoformat(),
        "modified": citation.updated_at.isoformat(),
        "generator": {"id": site, "type": "Software", "name": "redshoes"},
        "body": {"id": permalink, "type": "Text", "format": "text/html", "language": "en"},
        "target": {"source": source_page, "selector": selectors(content, citation.start, citation.end)},
    }


def collection(*, collection_id: str, label: str, total: int, first, last: str | None) -> dict:
    """An AnnotationCollection; `first` is the first page (embedded) or its address."""
    document = {"@context": CONTEXT, "id": collection_id, "type": "AnnotationCollection", "label": label}
    document["total"] = total
    if total:
        document["first"] = first
        document["last"] = last
    return document


def page(*, page_id: str, items: list[dict], start_index: int, next_page=None, prev_page=None, part_of=None) -> dict:
    """An AnnotationPage; `part_of` (the collection's id, label and total) when it stands alone."""
    document = {"id": page_id, "type": "AnnotationPage"}
    if part_of is not None:
        document = {"@context": CONTEXT, **document, "partOf": part_of}
    document["startIndex"] = start_index
    if next_page:
        document["next"] = next_page
    if prev_page:
        document["prev"] = prev_page
    document["items"] = items
    return document
