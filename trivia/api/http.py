"""What every open-data response shares: read-only methods, CORS for any origin, ETags, JSON errors.

`open_data` wraps each view of the API (the NinjaAPI's URL patterns and the JSON 404
for unknown paths), outside django-ninja, so that responses ninja never builds (a 405,
a preflight, a 304) carry the same headers. Errors are RFC 9457 problem details:
`{"type", "title", "status", "detail", "errors"?}` as `application/problem+json`.
"""

import json
from functools import wraps
from http import HTTPStatus

from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse, JsonResponse

from .. import annotations, filters
from ..freshness import conditional_page

READ_METHODS = ("GET", "HEAD")
# Every query parameter an API view reads (the /facts/ filters, paging); any other is dropped
# before the view runs, so `?utm_source=…` neither changes an answer nor splits the page cache.
READ_PARAMETERS = [*filters.FactFilter.base_filters, "cursor", "limit", "page"]
ALLOWED = "GET, HEAD, OPTIONS"
PROBLEM_CONTENT_TYPE = "application/problem+json"
# A day: browsers may skip the preflight for that long (they cap it lower themselves).
PREFLIGHT_MAX_AGE = "86400"


class BadParameters(Exception):
    """Query parameters the API cannot use; `errors` says which and why, as {name: [{message, code}]}."""

    def __init__(self, errors: dict, detail: str = "One or more parameters cannot be used; see `errors`."):
        super().__init__(detail)
        self.errors = errors
        self.detail = detail


def problem(status: int, detail: str, errors: dict | None = None) -> JsonResponse:
    """An RFC 9457 problem: what went wrong in a sentence, and per parameter when it was one."""
    body = {"type": "about:blank", "title": HTTPStatus(status).phrase, "status": status, "detail": detail}
    if errors:
        body["errors"] = errors
    return JsonResponse(body, status=status, content_type=PROBLEM_CONTENT_TYPE)


def jsonld(document: dict) -> HttpResponse:
    """A Web Annotation document, with the media type the W3C protocol names."""
    return HttpResponse(json.dumps(document, cls=DjangoJSONEncoder), content_type=annotations.MEDIA_TYPE)


def not_found(request, rest: str = ""):
    return problem(404, "There is nothing at this address in the API. /api/v1/ lists what there is.")


def preflight() -> HttpResponse:
    """The answer to a browser's CORS preflight (sent before a GET with `If-None-Match`, say)."""
    response = HttpResponse(status=204)
    response["Allow"] = ALLOWED
    response["Access-Control-Allow-Methods"] = ALLOWED
    response["Access-Control-Allow-Headers"] = "If-None-Match, If-Modified-Since, Accept"
    response["Access-Control-Max-Age"] = PREFLIGHT_MAX_AGE
    return response


def open_data(view):
    """GET and HEAD with ETags and the page cache (`freshness.conditional_page`); 405 for writes; CORS."""
    conditional = conditional_page(reads=READ_PARAMETERS)(view)

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method == "OPTIONS":
            response = preflight()
        elif request.method not in READ_METHODS:
            response = problem(405, f"The API is read-only: {request.method} is not allowed here, only {ALLOWED}.")
            response["Allow"] = ALLOWED
        else:
            # django-ninja routes GET only; a HEAD is answered as the GET, whose body the server drops.
            method, request.method = request.method, "GET"
            try:
                response = conditional(request, *args, **kwargs)
            finally:
                request.method = method
        # Public data: any web page may read it (no cookies are needed or sent).
        response["Access-Control-Allow-Origin"] = "*"
        response["Access-Control-Expose-Headers"] = "ETag, Link"
        return response

    return wrapper
