"""How fresh the public pages are: one cheap "content version" for ETags and caches.

A public page shows rows from several trivia tables (a fact, its film, topic, people,
credits, citations and their sources). Any of them may change, be added or be deleted —
by an editor, an import, a `bulk_create`, a `QuerySet.update()` or raw SQL, none of which
a Django signal reliably sees. So the database keeps the version itself: one row,
`trivia_content_version`, whose counter a trigger on every watched table bumps on any
insert, update or delete (and truncate). Reading it is one primary-key lookup, whatever
the number of facts.

The bump is part of the writing transaction, so a reader never sees a new version
before the data it stands for. On PostgreSQL the trigger runs once per statement,
*before* the statement touches a row: a transaction waiting for the counter holds no
row locks yet, so the counter cannot deadlock with them (writers simply queue, as they
already do on SQLite). SQLite has row triggers only; each is one in-page update.

SQLite drops a table's triggers when Django rebuilds the table to alter it, so
`ensure_version_triggers` runs after every `migrate` and puts any missing one back.

`content_version()` is the one function callers need; `conditional_page` turns it into
ETags, `304 Not Modified` answers and page-cache lookups for the public views.
"""

import hashlib
from functools import wraps

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import parse_etags
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe

from . import compression, page_cache, page_renders
from .models import Citation, Credit, Fact, Film, Person, Source, Topic

VERSION_TABLE = "trivia_content_version"
VERSION_MIGRATION = "0003_reading_content_version"
# Every table whose rows a public page displays.
WATCHED_MODELS = (Film, Person, Credit, Topic, Source, Fact, Fact.people.through, Citation)


def watched_tables() -> list[str]:
    return [model._meta.db_table for model in WATCHED_MODELS]


def _trigger_name(table: str, operation: str = "") -> str:
    return f"{table}_bumps_version" + (f"_{operation.lower()}" if operation else "")


def _sqlite_statements() -> list[str]:
    statements = [
        f"CREATE TABLE IF NOT EXISTS {VERSION_TABLE} ("
        "id integer PRIMARY KEY CHECK (id = 1), epoch text NOT NULL, version integer NOT NULL)",
        f"INSERT OR IGNORE INTO {VERSION_TABLE} (id, epoch, version) VALUES (1, lower(hex(randomblob(8))), 1)",
    ]
    for table in watched_tables():
        for operation in ("INSERT", "UPDATE", "DELETE"):
            statements.append(
                f'CREATE TRIGGER IF NOT EXISTS "{_trigger_name(table, operation)}" AFTER {operation} ON "{table}" '
                f"BEGIN UPDATE {VERSION_TABLE} SET version = version + 1 WHERE id = 1; END"
            )
    return statements


def _postgresql_statements() -> list[str]:
    statements = [
        f"CREATE TABLE IF NOT EXISTS {VERSION_TABLE} ("
        "id smallint PRIMARY KEY CHECK (id = 1), epoch text NOT NULL, version bigint NOT NULL)",
        f"INSERT INTO {VERSION_TABLE} (id, epoch, version) "
        "VALUES (1, substr(md5(random()::text || clock_timestamp()::text), 1, 16), 1) ON CONFLICT (id) DO NOTHING",
        "CREATE OR REPLACE FUNCTION trivia_bump_content_version() RETURNS trigger LANGUAGE plpgsql AS $$ "
        f"BEGIN UPDATE {VERSION_TABLE} SET version = version + 1 WHERE id = 1; RETURN NULL; END $$",
    ]
    for table in watched_tables():
        statements.append(
            f'CREATE OR REPLACE TRIGGER "{_trigger_name(table)}" BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE '
            f'ON "{table}" FOR EACH STATEMENT EXECUTE FUNCTION trivia_bump_content_version()'
        )
    return statements


def install_version_triggers(connection) -> None:
    """Create the version row and its triggers where missing; safe to run any number of times."""
    if connection.vendor == "sqlite":
        statements = _sqlite_statements()
    elif connection.vendor == "postgresql":
        statements = _postgresql_statements()
    else:
        raise NotImplementedError(f"No content-version triggers for {connection.vendor}.")
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def remove_version_triggers(connection) -> None:
    with connection.cursor() as cursor:
        for table in watched_tables():
            if connection.vendor == "sqlite":
                for operation in ("INSERT", "UPDATE", "DELETE"):
                    cursor.execute(f'DROP TRIGGER IF EXISTS "{_trigger_name(table, operation)}"')
            else:
                cursor.execute(f'DROP TRIGGER IF EXISTS "{_trigger_name(table)}" ON "{table}"')
        if connection.vendor == "postgresql":
            cursor.execute("DROP FUNCTION IF EXISTS trivia_bump_content_version()")
        cursor.execute(f"DROP TABLE IF EXISTS {VERSION_TABLE}")


def ensure_version_triggers(sender, using, **kwargs):
    """`post_migrate`: put back triggers a SQLite table rebuild dropped (only once migrated that far)."""
    connection = connections[using]
    if ("trivia", VERSION_MIGRATION) in MigrationRecorder(connection).applied_migrations():
        install_version_triggers(connection)


def content_version() -> str:
    """A short token that changes whenever any data a public page shows changes.

    One primary-key lookup, whatever the number of facts. The epoch (random, set when
    the row is created) keeps a rebuilt database from reusing an old database's numbers.
    """
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute(f"SELECT epoch, version FROM {VERSION_TABLE} WHERE id = 1")
        epoch, version = cursor.fetchone()
    return f"{epoch}-{version}"


def audience(request) -> str:
    """Staff see drafts, readers do not: the two must never share an ETag."""
    user = request.user
    if user.is_authenticated and user.is_active and user.is_staff:
        return f"staff-{user.pk}"
    return "public"


def page_etag(request) -> str:
    """The ETag of the page at this URL for this audience at the current content version and release, today.

    The query string counts only as far as the page reads it (`conditional_page(reads=…)`
    has already reduced `request.GET` to those parameters, in a fixed order). The day is
    part of it because a fact's "Cite this" gives today's date as the access date.
    """
    query = request.GET.urlencode()
    path = request.path + (f"?{query}" if query else "")
    day = timezone.localdate().isoformat()
    material = "\n".join([settings.RELEASE, content_version(), audience(request), path, day])
    return '"' + hashlib.sha256(material.encode()).hexdigest()[:24] + '"'


def _conditional_etag(request, etag: str, wanted: str) -> str:
    """The ETag to compare with `If-None-Match`: the coding the client holds, if it holds one of this page."""
    held = parse_etags(request.META.get("HTTP_IF_NONE_MATCH", ""))
    variants = [compression.etag_for(etag, name) for name in (compression.IDENTITY, *compression.ENCODINGS)]
    return next((variant for variant in variants if variant in held), compression.etag_for(etag, wanted))


def _render(view, request, args, kwargs, etag: str, wanted: str):
    """The page from the cache, or from its kept render, or rendered (and kept when it may be shared).

    Returns the page and its `X-Cache` label, with an `X-Render` label when the view ran.
    """
    kept = page_cache.cached_page(etag)
    if kept is not None:
        return page_cache.with_coding(etag, kept, wanted), page_cache.HIT, ""
    response = view(request, *args, **kwargs)
    if response.status_code != 200:
        return response, page_cache.BYPASS, page_renders.RENDERED
    missed = page_cache.MISS if page_cache.enabled() else page_cache.BYPASS
    reused = getattr(response, "reused_render", None)
    if reused is not None:
        # The page's inputs are those of a render kept earlier (trivia/page_renders.py).
        key, kept = reused
        made = page_cache.add_coding(kept, wanted)
        if made is not kept:
            page_renders.keep(key, made)
        page_cache.store(etag, made)
        return made, missed, page_renders.REUSED
    kept = page_cache.keep_page(request, etag, response, wanted)
    if kept is None:
        return response, page_cache.BYPASS, page_renders.RENDERED
    if getattr(response, "render_key", None):
        page_renders.keep(response.render_key, kept)
    return kept, missed, page_renders.RENDERED


def conditional_page(*, reads=()):
    """A public page: `304 Not Modified` for a repeat GET, else the kept page, else rendered and kept.

    `reads` names the query parameters the view reads; every other one is removed from
    `request.GET` before the view runs, so it can neither change the page nor split the
    cache. Unlike Django's `condition` decorator, the ETag is only sent with a successful
    page, so a 404 (e.g. a draft asked for by a reader) is never revalidated into a 304.
    Shareable pages are sent compressed when the client accepts it (trivia/compression.py).
    """

    def decorate(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.method not in ("GET", "HEAD"):
                response = view(request, *args, **kwargs)
                response.headers.setdefault("X-Cache", page_cache.BYPASS)
                return response
            request.GET = page_cache.read_parameters(request.GET, reads)
            etag = page_etag(request)
            wanted = compression.negotiate(request.META.get("HTTP_ACCEPT_ENCODING", ""))
            held = _conditional_etag(request, etag, wanted)
            response = get_conditional_response(request, etag=held)
            if response is not None:
                response["ETag"] = held
                return _with_page_headers(response)
            page, label, render = _render(view, request, args, kwargs, etag, wanted)
            if isinstance(page, page_cache.KeptPage):
                encoding = page.encoding_for(wanted)
                response = page.response(encoding)
                response["ETag"] = compression.etag_for(etag, encoding)
            else:
                response = page
                if response.status_code != 200:
                    response.headers.setdefault("X-Cache", label)
                    return response
                response.headers.setdefault("ETag", etag)
            response["X-Cache"] = label
            if render:
                response["X-Render"] = render
            return _with_page_headers(response)

        return wrapper

    return decorate


def _with_page_headers(response):
    # Caches may keep the page but must ask again each time; the answer differs for staff
    # (drafts shown), hence Cookie, and by the coding the client accepts.
    response.headers.setdefault("Cache-Control", "no-cache")
    patch_vary_headers(response, ["Cookie", "Accept-Encoding"])
    return response


def read_only(view):
    """GET and HEAD only: any other method gets 405 with an `Allow` header.

    Checked before the CSRF middleware could answer 403: a public page takes no form
    posts, so it needs no token.
    """
    return csrf_exempt(require_safe(view))


def public_page(*, reads=()):
    """What every public page is: read-only, reading only the parameters it names, 304 or kept when unchanged."""

    def decorate(view):
        return read_only(conditional_page(reads=reads)(view))

    return decorate
