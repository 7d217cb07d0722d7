"""How fresh the public pages are: one cheap "content version" for ETags and caches.

A public page shows rows from several trivia tables (a fact, its film, topic, people,
citations and their sources). Any of them may change, be added or be deleted — by an
editor, an import, a `bulk_create` or `QuerySet.update()` that sends no signal. So the
version is read from the tables themselves, in one query: for each table its row count,
its highest primary key and its latest `updated_at`.

- an edit moves `updated_at` (every edited model is `TimeStamped`);
- an insert raises the count and the highest key (keys are never reused: PostgreSQL
  sequences and Django's SQLite `AUTOINCREMENT` both guarantee it);
- a delete lowers the count.

Tables without timestamps (credits, the fact–person links) are covered for inserts and
deletes, which is how they change in practice (`fact.people.set()` deletes and inserts);
an in-place edit of a credit through the admin is covered by the highest django-reversion
revision id, since every admin save records a revision.

The one thing it cannot see is a `QuerySet.update()`/`bulk_update()` on a timestamped
table that leaves `updated_at` alone: such writers must set `updated_at=timezone.now()`
(as `services.update_facts` does).

`content_version()` is the one function callers need; `conditional_page` turns it into
ETags and `304 Not Modified` answers for the public views.
"""

import hashlib
from functools import wraps

from django.db import connection
from django.utils.cache import get_conditional_response, patch_vary_headers
from reversion.models import Revision

from .models import Citation, Credit, Fact, Film, Person, Source, Topic

TIMESTAMPED_MODELS = (Film, Person, Topic, Source, Fact, Citation)
UNTIMESTAMPED_TABLES = (Credit._meta.db_table, Fact.people.through._meta.db_table)


def _version_sql() -> str:
    quote = connection.ops.quote_name
    parts = [
        f"SELECT '{table}', COUNT(*), MAX({quote('id')}), MAX({quote('updated_at')}) FROM {quote(table)}"
        for table in (model._meta.db_table for model in TIMESTAMPED_MODELS)
    ]
    parts += [
        f"SELECT '{table}', COUNT(*), MAX({quote('id')}), NULL FROM {quote(table)}" for table in UNTIMESTAMPED_TABLES
    ]
    revisions = Revision._meta.db_table
    parts.append(f"SELECT '{revisions}', 0, MAX({quote('id')}), NULL FROM {quote(revisions)}")
    return " UNION ALL ".join(parts)


def content_version() -> str:
    """A short digest that changes whenever any data a public page shows changes.

    One query, whatever the number of facts; equal digests mean equal trivia data.
    """
    with connection.cursor() as cursor:
        cursor.execute(_version_sql())
        # UNION ALL promises no order; sort by table name so the digest is stable.
        rows = sorted(cursor.fetchall())
    return hashlib.sha256(repr(rows).encode()).hexdigest()[:20]


def _audience(request) -> str:
    """Staff see drafts, readers do not: the two must never share an ETag."""
    user = request.user
    if user.is_authenticated and user.is_active and user.is_staff:
        return f"staff-{user.pk}"
    return "public"


def page_etag(request) -> str:
    """The ETag of the page at this URL for this audience at the current content version."""
    material = "\n".join([content_version(), _audience(request), request.get_full_path()])
    return '"' + hashlib.sha256(material.encode()).hexdigest()[:24] + '"'


def conditional_page(view):
    """Answer a repeat GET with `304 Not Modified` without running the view.

    Unlike Django's `condition` decorator, the ETag is only sent with a successful page,
    so a 404 (e.g. a draft asked for by a reader) is never revalidated into a 304.
    """

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method not in ("GET", "HEAD"):
            return view(request, *args, **kwargs)
        etag = page_etag(request)
        response = get_conditional_response(request, etag=etag)
        if response is None:
            response = view(request, *args, **kwargs)
            if response.status_code != 200:
                return response
        response.headers.setdefault("ETag", etag)
        # Caches may keep the page but must ask again each time; the answer differs
        # for staff (drafts shown), hence Vary: Cookie.
        response.headers.setdefault("Cache-Control", "no-cache")
        patch_vary_headers(response, ["Cookie"])
        return response

    return wrapper
