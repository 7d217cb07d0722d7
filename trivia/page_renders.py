"""A public page's render, kept under a digest of everything it shows, so an edit elsewhere costs it nothing.

The page cache (trivia/page_cache.py) is keyed by the content version, which any edit
moves: after each save every page's first visit rendered the page again, 30–50 ms for
100 facts, although one edit changes what one film's, a few people's and a topic's pages
show. Here each view names its page's **inputs** from a few lean queries — the rows it
prints that are not facts (a film, its credits, its table of contents…) and, for each
fact on the page, its id and display token, which the database replaces whenever
anything shown of that fact changes (trivia/fact_tokens.py) — and the page rendered
from those inputs is kept under their digest, compressed as the page cache keeps it.
The next first visit with the same inputs is a lookup; a page showing an edited fact
has new inputs, so it is rendered again (and kept).

A kept render can never be stale: the digest holds every value the page prints apart
from the facts, and each fact's token; tokens are random, so a rolled-back transaction,
a restored backup or a new database cannot bring a token back with other content. An
input of None (a fact without a token: a write path the triggers did not see yet)
means "do not keep": the page is rendered as before. Whatever the view does not
declare it must not print: each view's inputs are next to its selector, and the tests
in tests/test_page_renders.py edit every kind of row a page shows and read the page.

Kept renders live in the `renders` cache alias (Redis with `REDIS_URL`, else each
worker's memory, `REDSHOES_RENDER_CACHE_ENTRIES` pages; 0 turns them off).
"""

import hashlib
from collections.abc import Callable, Iterable

from django.conf import settings
from django.core.cache import caches
from django.urls import get_script_prefix
from django.utils import timezone

from . import compression, page_cache

RENDER_CACHE_ALIAS = "renders"
# The `X-Render` header: the page's render was reused (its inputs unchanged) or made now.
REUSED, RENDERED = "REUSED", "RENDERED"


class Unkeyable(Exception):
    """An input the digest cannot stand for (a fact without a display token): render, do not keep."""


def row(instance) -> tuple:
    """Every stored value of a model instance, in field order: what a page may print of it."""
    if instance is None:
        return ()
    return tuple((field.attname, getattr(instance, field.attname)) for field in instance._meta.concrete_fields)


def tokens(pairs: Iterable[tuple[int, int | None]]) -> list[tuple[int, int]]:
    """(fact id, display token) pairs as an input; raises `Unkeyable` when a fact has no token yet."""
    pairs = list(pairs)
    if any(token is None for _, token in pairs):
        raise Unkeyable("a fact has no display token")
    return pairs


def render_key(request, inputs) -> str:
    """The digest of a page's inputs and of everything around them that it prints.

    The release (code, templates, static files), the URL prefix and site address (links),
    the audience (staff see drafts), the path and the query the page reads, and today
    (a fact's "Cite this" gives today as the access date).
    """
    query = request.GET.urlencode()
    material = repr(
        (
            settings.RELEASE,
            get_script_prefix(),
            settings.SITE_URL,
            _audience(request),
            request.path,
            query,
            timezone.localdate().isoformat(),
            inputs,
        )
    )
    return "render:" + hashlib.sha256(material.encode()).hexdigest()[:40]


def _audience(request) -> str:
    from .freshness import audience  # the one rule for who sees what, beside the ETags it also keys

    return audience(request)


def enabled() -> bool:
    """False when kept renders are switched off (`REDSHOES_RENDER_CACHE_ENTRIES=0`)."""
    return page_cache.alias_enabled(RENDER_CACHE_ALIAS)


def kept_or_rendered(request, inputs: Callable[[], object], render: Callable[[], object]):
    """The page from its kept render when its inputs are unchanged, else `render()` marked to be kept.

    `inputs` is called first (its queries are the whole cost of a reused page); when it
    raises `Unkeyable` the page is simply rendered. The view's decorator
    (`freshness.conditional_page`) serves a reused render and keeps a new one.
    """
    if not enabled():
        return render()
    try:
        key = render_key(request, inputs())
    except Unkeyable:
        return render()
    kept = caches[RENDER_CACHE_ALIAS].get(key)
    if isinstance(kept, page_cache.KeptPage):
        response = kept.response(compression.IDENTITY)  # the decorator serves the client's coding
        response.reused_render = (key, kept)
        return response
    response = render()
    response.render_key = key
    return response


def keep(key: str, kept: page_cache.KeptPage) -> None:
    """Keep a page's render (as the page cache keeps it: headers and codings) under its inputs' digest."""
    caches[RENDER_CACHE_ALIAS].set(key, kept)
