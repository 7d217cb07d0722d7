"""Fixture exports: the whole knowledge base, or the part of it one film or a few facts need.

`export_trivia` and the admin's download buttons both call `write_fixture`, so every
export is in exactly the format `dumpdata trivia --natural-foreign --natural-primary
--indent 2` writes (for the whole database, byte for byte the same file): it loads
with plain `loaddata` into any database, and a partial export carries everything its
facts refer to, so it loads into an empty database too.

Order is deterministic: models in dependency order (films, people, credits, topics,
sources, facts, citations), rows by primary key, as `dumpdata` does.
"""

import io
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass

from django.apps import apps
from django.core import serializers
from django.db import connection, transaction
from django.db.models import Prefetch, Q, QuerySet

from . import fixture_json
from .models import Citation, Credit, Fact, Film, Person, Source, Topic


class ExportError(Exception):
    """The export cannot be made as asked; the message says why."""


@dataclass
class FixtureSelection:
    """The rows an export holds, one queryset per model."""

    films: QuerySet
    people: QuerySet
    credits: QuerySet
    topics: QuerySet
    sources: QuerySet
    facts: QuerySet
    citations: QuerySet

    def querysets(self) -> list[QuerySet]:
        """The querysets in `dumpdata`'s model order, each in primary-key order."""
        by_model = {qs.model: qs for qs in vars(self).values()}
        trivia = apps.get_app_config("trivia")
        ordered_models = serializers.sort_dependencies([(trivia, None)], allow_cycles=True)
        return [by_model[model].order_by("pk") for model in ordered_models if model in by_model]

    def counts(self) -> dict[str, int]:
        return {qs.model: qs.count() for qs in self.querysets()}

    def summary(self) -> str:
        """'1 film, 3 people, …': each model's count with its name in the right number."""
        return ", ".join(
            f"{count:,} {model._meta.verbose_name if count == 1 else model._meta.verbose_name_plural}"
            for model, count in self.counts().items()
        )


def _published(facts: QuerySet, published_only: bool) -> QuerySet:
    return facts.filter(status=Fact.Status.PUBLISHED) if published_only else facts


def _closure(films: QuerySet, facts: QuerySet, credits: QuerySet) -> FixtureSelection:
    """`facts` and `credits` plus every row they point at, so the fixture stands on its own."""
    citations = Citation.objects.filter(fact__in=facts.values("pk"))
    fact_people = Fact.people.through.objects.filter(fact__in=facts.values("pk")).values("person")
    return FixtureSelection(
        films=Film.objects.filter(Q(pk__in=films.values("pk")) | Q(pk__in=facts.values("film"))),
        people=Person.objects.filter(Q(pk__in=credits.values("person")) | Q(pk__in=fact_people)),
        credits=credits,
        topics=Topic.objects.filter(pk__in=facts.values("topic")),
        sources=Source.objects.filter(pk__in=citations.values("source")),
        facts=facts,
        citations=citations,
    )


def select_everything(*, published_only: bool = False) -> FixtureSelection:
    """Every row of the trivia app; with `published_only`, draft facts and their citations are left out."""
    facts = _published(Fact.objects.all(), published_only)
    return FixtureSelection(
        films=Film.objects.all(),
        people=Person.objects.all(),
        credits=Credit.objects.all(),
        topics=Topic.objects.all(),
        sources=Source.objects.all(),
        facts=facts,
        citations=Citation.objects.filter(fact__in=facts.values("pk")),
    )


def select_films(films: QuerySet, *, published_only: bool = False) -> FixtureSelection:
    """The films, their credits and facts, and the people, topics, sources and citations those need."""
    facts = _published(Fact.objects.filter(film__in=films.values("pk")), published_only)
    credits = Credit.objects.filter(film__in=films.values("pk"))
    return _closure(films, facts, credits)


def select_film_by_slug(slug: str, *, published_only: bool = False) -> FixtureSelection:
    films = Film.objects.filter(slug=slug)
    if not films.exists():
        known = ", ".join(Film.objects.order_by("slug").values_list("slug", flat=True)[:20]) or "none yet"
        raise ExportError(f"There is no film with the slug {slug!r}. Films: {known}.")
    return select_films(films, published_only=published_only)


def select_facts(facts: QuerySet) -> FixtureSelection:
    """Just these facts, with their citations and the film, topic, people and sources they refer to.

    The films' credits are not included: they are not something the chosen facts need.
    """
    return _closure(Film.objects.none(), Fact.objects.filter(pk__in=facts.values("pk")), Credit.objects.none())


# Facts are read this many at a time, each chunk with one query for its people.
CHUNK = 2000


def _people_in_serializer_order():
    """A fact's people as the serializer would list them (`Person.Meta.ordering`, ties by primary key).

    Prefetched, Django's serializer reads them from the prefetch instead of asking the
    database once per fact, and writes the same natural keys in the same order.
    """
    return Prefetch("people", queryset=Person.objects.only("slug").order_by(*Person._meta.ordering, "pk"))


def _rows(selection: FixtureSelection):
    for queryset in selection.querysets():
        # Related rows the serializer turns into natural keys, fetched in the same query;
        # a source's (possibly long) text is not needed for its slug.
        if queryset.model is Credit:
            yield from queryset.select_related("film", "person").iterator()
        elif queryset.model is Fact:
            facts = queryset.select_related("film", "topic").prefetch_related(_people_in_serializer_order())
            yield from facts.iterator(chunk_size=CHUNK)
        elif queryset.model is Citation:
            yield from (
                queryset.select_related("fact", "source")
                .defer("source__content", "fact__text", "fact__search_document")
                .iterator()
            )
        else:
            yield from queryset.iterator()


PROGRESS_EVERY = 1000


def _counted(rows, progress):
    """`rows`, calling `progress(rows so far)` every PROGRESS_EVERY rows (for a background export's job page)."""
    done = 0
    for row in rows:
        yield row
        done += 1
        if done % PROGRESS_EVERY == 0:
            progress(done)
    progress(done)


@contextmanager
def consistent_snapshot():
    """Read the whole export in one transaction, so it is the database at one moment while editors save.

    PostgreSQL: REPEATABLE READ, READ ONLY. SQLite: a DEFERRED transaction, which reads a
    snapshot (WAL) without taking the write lock the project's IMMEDIATE mode would take.
    Inside an open transaction (the tests) that transaction is the snapshot already.
    """
    if connection.in_atomic_block:
        yield
        return
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        mode, connection.transaction_mode = connection.transaction_mode, "DEFERRED"
        try:
            with transaction.atomic():
                yield
        finally:
            connection.transaction_mode = mode
        return
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        yield


def write_fixture(selection: FixtureSelection, stream, *, indent: int | None = 2, progress=None) -> None:
    """Write `selection` to a text stream as a JSON fixture, exactly as `dumpdata` would, from one snapshot."""
    rows = _rows(selection) if progress is None else _counted(_rows(selection), progress)
    with consistent_snapshot():
        fixture_json.Serializer().serialize(
            rows,
            indent=indent,
            use_natural_foreign_keys=True,
            use_natural_primary_keys=True,
            stream=stream,
        )


def write_text(handle, write, *, newline: str = "\n") -> None:
    """What `write(text_stream)` writes, as UTF-8 into the binary file `handle`, left open (and not rewound)."""
    text_stream = io.TextIOWrapper(handle, encoding="utf-8", newline=newline)
    write(text_stream)
    text_stream.flush()
    text_stream.detach()


def write_fixture_bytes(selection: FixtureSelection, handle, *, progress=None) -> None:
    """Write the fixture as UTF-8 into a binary file, leaving the file open (and not rewound)."""
    write_text(handle, lambda stream: write_fixture(selection, stream, progress=progress))


def temporary_file(write, *, newline: str = "\n"):
    """What `write(text_stream)` writes, in a temporary binary file, rewound: a download streams it from disk."""
    handle = tempfile.TemporaryFile()
    write_text(handle, write, newline=newline)
    handle.seek(0)
    return handle


def fixture_file(selection: FixtureSelection):
    """The fixture in a temporary file, without holding it in memory."""
    return temporary_file(lambda stream: write_fixture(selection, stream))
