"""Films, people, topics and sources: a cursor-paged list and a detail endpoint each.

Lists are in the order a reader would look things up (films by title and year, people by
name, topics in their display order, sources by title), 25 a page by default, at most
100. Queries per page, whatever the size of the table: one for the page's ids, one for
its rows (plus the content version for the ETag).
"""

from django.db.models.functions import Length
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Query, Router

from ..models import Film, Person, Source, Topic
from ..selectors.films import film_credits
from ..selectors.listings import person_credits
from . import cursors, links, represent, schemas

router = Router(tags=["catalogue"])

DEFAULT_LIMIT = 25
MAX_LIMIT = 100
ERRORS = {400: schemas.Problem, 404: schemas.Problem}


def limit_param():
    return Query(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description=f"Items a page, 1 to {MAX_LIMIT}.")


def cursor_param():
    return Query(None, description="Where the page starts: leave out for the first page, then follow `next`.")


def paged(request, response: HttpResponse, items: list, next_cursor: str | None) -> dict:
    """A list page: its items and the next page's address, also as a `Link: <…>; rel="next"` header."""
    next_url = links.next_page(request, next_cursor)
    if next_url:
        response["Link"] = f'<{next_url}>; rel="next"'
    return {"items": items, "next": next_url}


def cursor_list(request, response, queryset, build, *, cursor, limit) -> dict:
    """A page of `queryset` (ordered, ending with the primary key), each row through `build`."""
    page = cursors.paginate(queryset, cursor=cursor, limit=limit)
    rows = queryset.in_bulk(page.ids)
    return paged(request, response, [build(rows[pk]) for pk in page.ids if pk in rows], page.next_cursor)


@router.get("/films", response={200: schemas.FilmPage, **ERRORS}, url_name="film_list", summary="Films")
def film_list(request, response: HttpResponse, cursor: str | None = cursor_param(), limit: int = limit_param()):
    films = Film.objects.order_by("title", "year", "pk")
    return cursor_list(request, response, films, represent.film, cursor=cursor, limit=limit)


@router.get(
    "/films/{slug:slug}", response={200: schemas.FilmDetail, **ERRORS}, url_name="film_detail", summary="A film"
)
def film_detail(request, slug: str):
    film = get_object_or_404(Film, slug=slug)
    return represent.film_detail(film, film_credits(film))


@router.get("/people", response={200: schemas.PersonPage, **ERRORS}, url_name="person_list", summary="People")
def person_list(request, response: HttpResponse, cursor: str | None = cursor_param(), limit: int = limit_param()):
    people = Person.objects.order_by("name", "pk")
    return cursor_list(request, response, people, represent.person, cursor=cursor, limit=limit)


@router.get(
    "/people/{slug:slug}", response={200: schemas.PersonDetail, **ERRORS}, url_name="person_detail", summary="A person"
)
def person_detail(request, slug: str):
    person = get_object_or_404(Person, slug=slug)
    return represent.person_detail(person, person_credits(person))


@router.get("/topics", response={200: schemas.TopicPage, **ERRORS}, url_name="topic_list", summary="Topics")
def topic_list(request, response: HttpResponse, cursor: str | None = cursor_param(), limit: int = limit_param()):
    topics = Topic.objects.order_by("order", "name", "pk")
    return cursor_list(request, response, topics, represent.topic, cursor=cursor, limit=limit)


@router.get("/topics/{slug:slug}", response={200: schemas.Topic, **ERRORS}, url_name="topic_detail", summary="A topic")
def topic_detail(request, slug: str):
    return represent.topic(get_object_or_404(Topic, slug=slug))


@router.get("/sources", response={200: schemas.SourcePage, **ERRORS}, url_name="source_list", summary="Sources")
def source_list(request, response: HttpResponse, cursor: str | None = cursor_param(), limit: int = limit_param()):
    # The texts stay in the database: a page of sources names them, `source_detail` holds the text.
    sources = Source.objects.defer("content").annotate(length=Length("content")).order_by("title", "pk")
    return cursor_list(request, response, sources, lambda s: represent.source(s, s.length), cursor=cursor, limit=limit)


@router.get(
    "/sources/{slug:slug}",
    response={200: schemas.SourceDetail, **ERRORS},
    url_name="source_detail",
    summary="A source, with its text",
)
def source_detail(request, slug: str):
    return represent.source_detail(get_object_or_404(Source, slug=slug))
