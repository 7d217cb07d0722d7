"""Rendered public pages, kept and reused until the data they show changes.

A film page of 100 facts costs tens of milliseconds of template rendering, many times
the framework's own cost per request; the same page asked for again should cost a
cache lookup. The key names everything the page depends on: the release (the code
that rendered it, `settings.RELEASE`), the content version (any write to a table the
pages show moves it), the audience (staff see drafts), the path and the query
parameters the page reads (each view declares them: `conditional_page(reads=…)`). So
a kept page is right for as long as anyone asks for that key, and nothing needs
invalidating: after an edit, the new version gives new keys; the old entries are never
asked for again and expire. With Redis (`REDIS_URL`) one render serves every worker on
every host.

Only plain, cookie-free 200 responses are kept: a response that sets a cookie or used
a CSRF token belongs to one visitor and must never be replayed to another. The rule
this relies on: a public page shows nothing about who asks beyond the audience (no
user name, no messages; absolute links come from `SITE_URL`, not the Host header), and
reads no query parameter it did not declare (the others are removed before it runs).
A page that ever does must widen `freshness.audience` or mark its response private.
"""

from dataclasses import dataclass, field, replace

from django.conf import settings
from django.core.cache import caches
from django.http import HttpResponse, QueryDict

from . import compression

PAGE_CACHE_ALIAS = "pages"
# The `X-Cache` header: served from the cache, rendered and kept, or rendered and not kept.
HIT, MISS, BYPASS = "HIT", "MISS", "BYPASS"
# Headers the page machinery sets on every response itself; the rest of a view's are kept.
OWN_HEADERS = {"content-length", "content-encoding", "etag", "cache-control", "vary", "x-cache", "x-render"}


@dataclass(frozen=True)
class KeptPage:
    """A rendered page as kept: its headers and its body in each coding (see `compression`)."""

    headers: dict[str, str]
    bodies: dict[str, bytes] = field(default_factory=dict)
    # Codings tried that would not make the body smaller: never tried again.
    declined: frozenset[str] = frozenset()

    def encoding_for(self, wanted: str) -> str:
        return wanted if wanted in self.bodies else compression.IDENTITY

    def lacks(self, wanted: str) -> bool:
        """A coding a client asks for that has not been made yet (only the render's client's coding is)."""
        return wanted in compression.ENCODINGS and wanted not in self.bodies and wanted not in self.declined

    def response(self, encoding: str) -> HttpResponse:
        """A fresh response with the body in `encoding` (which `encoding_for` chose)."""
        response = HttpResponse(self.bodies[encoding])
        for name, value in self.headers.items():
            response[name] = value
        if encoding != compression.IDENTITY:
            response["Content-Encoding"] = encoding
        return response


def read_parameters(query: QueryDict, reads) -> QueryDict:
    """Only the parameters a page reads, in the order it declares them (its form's order), so
    `?utm_source=…` or a reordered query string is the same page and cache entry as the plain one."""
    kept = QueryDict(mutable=True)
    for name in dict.fromkeys(reads):
        values = query.getlist(name)
        if values:
            kept.setlist(name, values)
    kept._mutable = False
    return kept


def page_key(etag: str) -> str:
    """The cache key: the release in clear (so an operator can see which release filled Redis), then the ETag's hash."""
    return f"page:{settings.RELEASE}:{etag.strip(chr(34))}"


def cached_page(etag: str) -> KeptPage | None:
    """The page kept for this ETag, or None (also when the cache does not answer)."""
    kept = caches[PAGE_CACHE_ALIAS].get(page_key(etag))
    return kept if isinstance(kept, KeptPage) else None


def alias_enabled(alias: str) -> bool:
    """False when a cache alias is switched off (0 entries: Django's dummy cache)."""
    return type(caches[alias]).__name__ != "DummyCache"


def enabled() -> bool:
    """False when the page cache is switched off (`REDSHOES_PAGE_CACHE_ENTRIES=0`, the test settings)."""
    return alias_enabled(PAGE_CACHE_ALIAS)


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


def keep_page(request, etag: str, response, wanted: str | None = None) -> KeptPage | None:
    """Compress and keep a shareable page; None when it must not be shared (nor compressed).

    Only in the coding `wanted` (the requesting client's), or in all of them when None.
    """
    if not is_shareable(request, response):
        return None
    headers = {name: value for name, value in response.items() if name.lower() not in OWN_HEADERS}
    names = compression.ENCODINGS if wanted is None else tuple(n for n in (wanted,) if n in compression.ENCODINGS)
    bodies = compression.compressed_bodies(response.content, names)
    kept = KeptPage(headers=headers, bodies=bodies, declined=frozenset(names) - bodies.keys())
    store(etag, kept)
    return kept


def store(etag: str, kept: KeptPage) -> None:
    caches[PAGE_CACHE_ALIAS].set(page_key(etag), kept)


def add_coding(kept: KeptPage, wanted: str) -> KeptPage:
    """`kept` with the coding `wanted` made too, if it was not yet (the first client to ask pays once)."""
    if not kept.lacks(wanted):
        return kept
    packed = compression.compress(kept.bodies[compression.IDENTITY], wanted)
    if packed is None:
        return replace(kept, declined=kept.declined | {wanted})
    return replace(kept, bodies={**kept.bodies, wanted: packed})


def with_coding(etag: str, kept: KeptPage, wanted: str) -> KeptPage:
    """`kept` with the coding `wanted` made, and kept so under `etag` when that made it anew."""
    made = add_coding(kept, wanted)
    if made is not kept:
        # Two workers adding different codings at once may each drop the other's: it is made again when asked for.
        store(etag, made)
    return made
