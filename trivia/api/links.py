"""Absolute addresses the API hands out: its own resources, the site's pages and feeds.

All on `settings.SITE_URL`, never the request's Host header: a response is cached under
its ETag and replayed to anyone (trivia/page_cache.py), so it must not depend on who asked.
"""

from django.conf import settings
from django.urls import reverse
from django.utils.http import urlencode

NAMESPACE = "api-v1"


def absolute(path: str) -> str:
    return settings.SITE_URL + path


def api(name: str, **kwargs) -> str:
    """The address of an API resource by its URL name (`film_detail`, `fact_list`…)."""
    return absolute(reverse(f"{NAMESPACE}:{name}", kwargs=kwargs or None))


def api_query(name: str, **params) -> str:
    """An API list filtered by query parameters: `api_query("fact_list", film="the-red-shoes-1948")`."""
    return api(name) + "?" + urlencode(params)


def page(obj) -> str:
    """The public HTML page of a model instance."""
    return absolute(obj.get_absolute_url())


def feed(name: str, **kwargs) -> str:
    return absolute(reverse(f"trivia:{name}", kwargs=kwargs or None))


def next_page(request, cursor: str | None) -> str | None:
    """This list's address with the same parameters and the cursor of the next page."""
    if cursor is None:
        return None
    params = request.GET.copy()
    params["cursor"] = cursor
    return absolute(request.path) + "?" + params.urlencode()
