"""Citations as W3C Web Annotations: a fact's, one by its natural key, and a source's collection in pages.

The documents are built by trivia/annotations.py and sent as JSON-LD with the media type
the W3C protocol names; the OpenAPI schema describes their shape.
"""

from django.http import Http404
from django.shortcuts import get_object_or_404
from ninja import Query, Router

from .. import annotations
from ..models import Citation, Fact, Source
from . import links, represent, schemas
from .catalogue import ERRORS
from .http import jsonld

router = Router(tags=["annotations"])


def sound_citations():
    """Citations that are annotations: of published facts, not broken; with their source's text."""
    return Citation.objects.filter(fact__status=Fact.Status.PUBLISHED, is_broken=False).select_related("source")


@router.get(
    "/facts/{slug:key}/annotations",
    response={200: schemas.AnnotationCollection, **ERRORS},
    by_alias=True,  # "@context" in the schema, as in the documents
    url_name="fact_annotations",
    summary="A fact's citations as a W3C AnnotationCollection",
)
def fact_annotations(request, key: str):
    fact = get_object_or_404(Fact.objects.published(), key=key)
    citations = list(sound_citations().filter(fact=fact).order_by("pk"))
    collection_id = links.api("fact_annotations", key=key)
    items = [represent.annotation(citation, key, citation.source.content) for citation in citations]
    first = annotations.page(page_id=f"{collection_id}#page-1", items=items, start_index=0)
    label = f"The passages fact {key} cites"
    return jsonld(
        annotations.collection(
            collection_id=collection_id, label=label, total=len(items), first=first, last=first["id"]
        )
    )


@router.get(
    "/facts/{slug:key}/annotations/{slug:source}/{int:start}-{int:end}",
    response={200: schemas.StandaloneAnnotation, **ERRORS},
    by_alias=True,
    url_name="citation_annotation",
    summary="One citation as a W3C Web Annotation",
)
def citation_annotation(request, key: str, source: str, start: int, end: int):
    citation = get_object_or_404(sound_citations(), fact__key=key, source__slug=source, start=start, end=end)
    return jsonld({"@context": annotations.CONTEXT, **represent.annotation(citation, key, citation.source.content)})


@router.get(
    "/sources/{slug:slug}/annotations",
    response={200: schemas.AnnotationCollection | schemas.AnnotationPage, **ERRORS},
    by_alias=True,
    url_name="source_annotations",
    summary="A source's citations as a paged W3C AnnotationCollection",
)
def source_annotations(request, slug: str, page: int | None = Query(None, ge=1, description="A page of 100.")):
    source = get_object_or_404(Source, slug=slug)
    citations = (
        sound_citations()
        .filter(source=source)
        .select_related(None)
        .select_related("fact")
        .only("start", "end", "created_at", "updated_at", "source_id", "fact__key")
        .order_by("start", "end", "pk")
    )
    total = citations.count()
    last_page = max(1, -(-total // annotations.PAGE_SIZE))
    collection_id = links.api("source_annotations", slug=slug)
    label = f"Passages of “{source.title}” that published facts cite"

    def page_url(number):
        return f"{collection_id}?page={number}"

    if page is None:
        return jsonld(
            annotations.collection(
                collection_id=collection_id, label=label, total=total, first=page_url(1), last=page_url(last_page)
            )
        )
    if page > last_page:
        raise Http404(f"This collection has {last_page} page(s) of annotations; there is no page {page}.")
    offset = (page - 1) * annotations.PAGE_SIZE
    rows = list(citations[offset : offset + annotations.PAGE_SIZE])
    for citation in rows:
        citation.source = source  # one copy of the text for the page
    return jsonld(
        annotations.page(
            page_id=page_url(page),
            part_of={"id": collection_id, "label": label, "total": total},
            items=[represent.annotation(citation, citation.fact.key, source.content) for citation in rows],
            start_index=offset,
            next_page=page_url(page + 1) if page < last_page else None,
            prev_page=page_url(page - 1) if page > 1 else None,
        )
    )
