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
from dataclasses import dataclass

from django.apps import apps
from django.core import serializers
from django.db.models import Q, QuerySet

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
        return {qs.model._meta.verbose_name_plural: qs.count() for qs in self.querysets()}

    def summary(self) -> str:
        return ", ".join(f"{count} {name}" for name, count in self.counts().items())


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


PEOPLE_BATCH = 2000


def _with_people(facts):
    """Facts in batches, each carrying its people's natural keys, fetched in one query per batch.

    Django's serializer asks the database for each fact's people separately: at 100,000
    facts that was two thirds of the export's time. The order is the serializer's own
    (`Person.Meta.ordering`, then primary key), so the output does not change.
    """
    batch = []
    for fact in facts.iterator(chunk_size=PEOPLE_BATCH):
        batch.append(fact)
        if len(batch) == PEOPLE_BATCH:
            yield from _attach_people(batch)
            batch = []
    yield from _attach_people(batch)


def _through_person(ordering):
    return [f"-person__{name[1:]}" if name.startswith("-") else f"person__{name}" for name in ordering]


def _attach_people(facts):
    people = {fact.pk: [] for fact in facts}
    links = (
        Fact.people.through.objects.filter(fact_id__in=list(people))
        .order_by("fact_id", *_through_person(Person._meta.ordering), "person_id")
        .values_list("fact_id", "person__slug")
    )
    for fact_id, slug in links:
        people[fact_id].append([slug])
    for fact in facts:
        fact.exported_people = people[fact.pk]
        yield fact


class FixtureSerializer(fixture_json.Serializer):
    """The fixture JSON serializer (as `dumpdata` uses), taking a fact's people from `_with_people`."""

    def handle_m2m_field(self, obj, field):
        if field.name == "people" and hasattr(obj, "exported_people"):
            self._current[field.name] = obj.exported_people
        else:
            super().handle_m2m_field(obj, field)


def _rows(selection: FixtureSelection):
    for queryset in selection.querysets():
        # Related rows the serializer turns into natural keys, fetched in the same query;
        # a source's (possibly long) text is not needed for its slug.
        if queryset.model is Credit:
            yield from queryset.select_related("film", "person").iterator()
        elif queryset.model is Fact:
            yield from _with_people(queryset.select_related("film", "topic"))
        elif queryset.model is Citation:
            yield from (
                queryset.select_related("fact", "source")
                .defer("source__content", "fact__text", "fact__search_document")
                .iterator()
            )
        else:
            yield from queryset.iterator()


def write_fixture(selection: FixtureSelection, stream, *, indent: int | None = 2) -> None:
    """Write `selection` to a text stream as a JSON fixture, exactly as `dumpdata` would."""
    FixtureSerializer().serialize(
        _rows(selection),
        indent=indent,
        use_natural_foreign_keys=True,
        use_natural_primary_keys=True,
        stream=stream,
    )


def fixture_text(selection: FixtureSelection) -> str:
    buffer = io.StringIO()
    write_fixture(selection, buffer)
    return buffer.getvalue()


def temporary_file(write, *, newline: str = "\n"):
    """What `write(text_stream)` writes, in a temporary binary file, rewound: a download streams it from disk."""
    handle = tempfile.TemporaryFile()
    text_stream = io.TextIOWrapper(handle, encoding="utf-8", newline=newline)
    write(text_stream)
    text_stream.flush()
    text_stream.detach()
    handle.seek(0)
    return handle


def fixture_file(selection: FixtureSelection):
    """The fixture in a temporary file, without holding it in memory."""
    return temporary_file(lambda stream: write_fixture(selection, stream))
