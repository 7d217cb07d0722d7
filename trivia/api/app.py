"""The NinjaAPI: its endpoints (from `catalogue.py` and `facts.py`), its index and its errors.

Every error is a problem-details JSON (`http.problem`), never ninja's default shape or
Django's HTML: a parameter the API cannot use is a 400 naming the parameter (the
FilterSet's own messages for the `/facts/` filters), an unknown slug or key a 404.
"""

from django.http import Http404
from django.urls import reverse
from ninja import NinjaAPI
from ninja.errors import ValidationError

from .. import annotations
from . import catalogue, citations, facts, links, schemas
from .cursors import BadCursor
from .http import BadParameters, problem


class OpenDataAPI(NinjaAPI):
    def get_openapi_schema(self, **kwargs):
        """ninja's schema, with the annotation endpoints' answers under the media type they are sent as."""
        schema = super().get_openapi_schema(**kwargs)
        for operations in schema["paths"].values():
            for operation in operations.values():
                if "annotations" in operation.get("tags", ()):
                    content = operation["responses"][200]["content"]
                    content[annotations.MEDIA_TYPE] = content.pop("application/json")
        return schema


api = OpenDataAPI(
    title="redshoes open data",
    version="1",
    description=(
        "Read-only film trivia where every fact cites the exact passage of its source. "
        "Human guide with examples: /api/. Facts take the same filters as /facts/."
    ),
    urls_namespace=links.NAMESPACE,
    # The guide is our own page (/api/); ninja's Swagger page would load scripts from a CDN.
    docs_url=None,
)
api.add_router("", catalogue.router)
api.add_router("", facts.router)
api.add_router("", citations.router)


@api.get("/", response=schemas.Index, url_name="index", summary="What the API holds")
def index(request):
    return {
        "films": links.api("film_list"),
        "people": links.api("person_list"),
        "topics": links.api("topic_list"),
        "sources": links.api("source_list"),
        "facts": links.api("fact_list"),
        "openapi": links.api("openapi-json"),
        "documentation": links.absolute(reverse("trivia:api_guide")),
        "feed": links.feed("facts_feed"),
    }


@api.exception_handler(BadParameters)
def bad_parameters(request, exc):
    return problem(400, exc.detail, exc.errors)


@api.exception_handler(BadCursor)
def bad_cursor(request, exc):
    return problem(400, str(exc), {"cursor": [{"message": str(exc), "code": "invalid"}]})


@api.exception_handler(ValidationError)
def invalid_parameters(request, exc):
    """ninja's own checks (`limit` not a number, a path value out of range), in our shape."""
    errors = {}
    for error in exc.errors:
        name = str(error.get("loc", ["?"])[-1])
        errors.setdefault(name, []).append({"message": error.get("msg", "Invalid value."), "code": error["type"]})
    return problem(400, "One or more parameters cannot be used; see `errors`.", errors)


@api.exception_handler(Http404)
def not_found(request, exc):
    return problem(404, str(exc) or "Not found.")
