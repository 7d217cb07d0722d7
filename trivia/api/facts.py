"""Published facts: the `/facts/` search as JSON, and a fact by key.

The list takes `/facts/`'s own FilterSet (`filters.FactFilter`) on the raw query string,
so the same parameters give the same facts in the same order and the same messages when
a value cannot be used; only the paging differs (a cursor instead of `page`). Drafts are
never shown: the FilterSet starts from published facts, the detail from `reading_facts`
as a reader sees them.
"""

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Query, Router

from .. import filters
from ..models import Fact
from ..selectors import facts as reading
from . import cursors, represent, schemas
from .catalogue import ERRORS, cursor_param, limit_param, paged
from .http import BadParameters

router = Router(tags=["facts"])


def filter_param(description: str, example: str | None = None):
    return Query(None, description=description, example=example)


@router.get(
    "/facts",
    response={200: schemas.FactPage, **ERRORS},
    url_name="fact_list",
    summary="Published facts, searched and filtered as on /facts/",
)
def fact_list(
    request,
    response: HttpResponse,
    q: str | None = filter_param("Words to find in the fact, its people's names and its quotes.", "heckroth"),
    film: str | None = filter_param("A film's slug.", "the-red-shoes-1948"),
    topic: str | None = filter_param("A topic's slug.", "production"),
    person: str | None = filter_param("A person's slug.", "moira-shearer"),
    source: str | None = filter_param("A source's slug."),
    spoilers: str | None = filter_param("`hide` (default) or `include` facts that reveal the ending."),
    ordering: str | None = filter_param("`relevance` (default with `q`) or `film` (film, then topic order)."),
    cursor: str | None = cursor_param(),
    limit: int = limit_param(),
):
    # The FilterSet reads the query string itself, exactly as the /facts/ page does.
    filterset = filters.FactFilter(request.GET)
    if not filterset.is_valid():
        raise BadParameters(filterset.form.errors.get_json_data())
    page = cursors.paginate(filterset.qs, cursor=cursor, limit=limit)
    loaded = reading.with_reading_relations(Fact.objects.all()).in_bulk(page.ids)
    facts = [represent.fact(loaded[pk]) for pk in page.ids if pk in loaded]
    return paged(request, response, facts, page.next_cursor)


@router.get("/facts/{slug:key}", response={200: schemas.Fact, **ERRORS}, url_name="fact_detail", summary="A fact")
def fact_detail(request, key: str):
    return represent.fact(get_object_or_404(reading.reading_facts(None), key=key))
