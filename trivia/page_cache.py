"""Rendered public pages, kept and reused until the data they show changes.

A film page of 100 facts costs tens of milliseconds of template rendering, many times
the framework's own cost per request; the same page asked for again should cost a
cache lookup. The key is the page's ETag (`freshness.page_etag`), which already names
everything the page depends on: the content version (any write to a table the pages
show moves it), the audience (staff see drafts) and the full path with its query
string. So a kept response is right for as long as anyone asks for that ETag, and
nothing needs invalidating: after an edit, the new version gives new keys and the old
entries are never asked for again; the cache culls them.

Only plain, cookie-free 200 responses are kept: a response that sets a cookie or used
a CSRF token belongs to one visitor and must never be replayed to another. The rule
this relies on: a public page shows nothing about who asks beyond the ETag's audience
(no user name, no messages; absolute links come from `SITE_URL`, not the Host header).
A page that ever does must widen `freshness._audience` or mark its response private.
"""

from django.core.cache import caches
from django.http import HttpResponse

PAGE_CACHE_ALIAS = "pages"


def _key(etag: str) -> str:
    return "page:" + etag.strip('"')


def cached_page(etag: str) -> HttpResponse | None:
    """The response kept for this ETag, or None."""
    return caches[PAGE_CACHE_ALIAS].get(_key(etag))


def is_shareable(request, response) -> bool:
    """A response any visitor with the same ETag may be given as it is."""
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        # The template asked for a CSRF token: the page embeds this visitor's token.
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        and "no-store" not in response.get("Cache-Control", "")
        and "private" not in response.get("Cache-Control", "")
    )


def keep_page(request, etag: str, response) -> None:
    if is_shareable(request, response):
        caches[PAGE_CACHE_ALIAS].set(_key(etag), response)
