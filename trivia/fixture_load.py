"""Loading a whole trivia fixture into empty tables in a few queries, by the same rules as the stock path.

Stock `loaddata` saves object by object, several queries per fact. Into a freshly
migrated database (the documented use) every natural key can be resolved from the
fixture itself, so `loaddata` (trivia/management/commands/loaddata.py) first tries
`load_into_empty_tables`: natural keys resolved in memory, every row checked by
trivia/integrity.py (as the raw-save signals check the stock path), rows written by
trivia/bulk.py with their own primary keys and timestamps, the search index rebuilt
once. Whatever it cannot load exactly as Django would raises `NotFastLoadable` and the
command rolls back and takes the stock path, whose messages stay the reference.
"""

import json
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.core.management.color import no_style
from django.db import DatabaseError, connections

from . import bulk, publishing, search
from .models import Citation, Credit, Fact, Film, Person, Source, Topic

# Dependency order, as `dumpdata` writes them.
MODELS = [Film, Person, Credit, Topic, Source, Fact, Citation]
BY_LABEL = {model._meta.label_lower: model for model in MODELS}
# The fields each model's natural key is made of; a foreign key contributes its own natural key.
NATURAL_KEY_FIELDS = {
    Film: ("slug",),
    Person: ("slug",),
    Topic: ("slug",),
    Source: ("slug",),
    Fact: ("key",),
    Credit: ("film", "person", "role"),
    Citation: ("fact", "source", "start", "end"),
}
FactPeople = Fact.people.through


class NotFastLoadable(Exception):
    """The fixture is not one this loader takes; the stock `loaddata` must load (or reject) it."""


def _serialized_fields(model):
    fields = [field for field in model._meta.local_fields if field.serialize]
    many = [field for field in model._meta.local_many_to_many if field.serialize]
    return fields, many


SERIALIZED = {model: _serialized_fields(model) for model in MODELS}


def tables_are_empty(using: str) -> bool:
    return not any(model._base_manager.using(using).exists() for model in (*MODELS, FactPeople))


def _natural_key(model, fields: dict) -> tuple:
    key = []
    for name in NATURAL_KEY_FIELDS[model]:
        value = fields[name]
        key.extend(value if isinstance(value, list) else [value])
    return tuple(key)


class _Loader:
    def __init__(self):
        self.objects = {model: [] for model in MODELS}
        # model -> natural key -> the object, for foreign keys and duplicates.
        self.by_key = {model: {} for model in MODELS}
        self.people = []  # (fact, [person natural keys]), resolved once every person is known

    def reference(self, field, value):
        """The already-read object a natural foreign key names."""
        target = self.by_key.get(field.related_model)
        if target is None or not isinstance(value, list):
            raise NotFastLoadable(f"{field} is not a natural key of a trivia model")
        found = target.get(tuple(value))
        if found is None:
            raise NotFastLoadable(f"{field.related_model._meta.label} {value!r} is not before it in the fixture")
        return found

    def read(self, entry):
        if not isinstance(entry, dict) or set(entry) != {"model", "fields"}:
            raise NotFastLoadable("an entry is not a trivia object without a primary key")
        model = BY_LABEL.get(entry["model"]) if isinstance(entry["model"], str) else None
        fields = entry["fields"]
        if model is None or not isinstance(fields, dict):
            raise NotFastLoadable(f"{entry['model']!r} is not a trivia model")
        local, many = SERIALIZED[model]
        if model is Fact and "published_at" not in fields:
            fields = {**fields, "published_at": None}  # a fixture older than the field: dated below
        if set(fields) != {field.name for field in (*local, *many)}:
            raise NotFastLoadable(f"{model._meta.label} has missing or unknown fields")

        # Every value given, so no field computes a default (a fact's random key, for one).
        values = {"pk": len(self.objects[model]) + 1}
        try:
            for field in local:
                if field.many_to_one:
                    values[field.name] = self.reference(field, fields[field.name])
                else:
                    values[field.attname] = field.to_python(fields[field.name])
        except ValidationError as exc:
            raise NotFastLoadable(str(exc)) from exc
        obj = model(**values)

        key = _natural_key(model, fields)
        if key in self.by_key[model]:
            raise NotFastLoadable(f"{model._meta.label} {key!r} is in the fixture twice")
        if model is Fact:
            # As a raw save dates it (trivia/signals.py): a published fact with no date gets one.
            publishing.stamp_first_publication([obj], publishing.restored_publication_time(obj))
            names = fields["people"]
            if not isinstance(names, list) or not all(isinstance(name, list) for name in names):
                raise NotFastLoadable("a fact's people are not natural keys")
            self.people.append((obj, names))
        self.objects[model].append(obj)
        self.by_key[model][key] = obj

    def fact_people(self) -> list:
        links = []
        people = self.by_key[Person]
        for fact, names in self.people:
            person_ids = []
            for name in names:
                person = people.get(tuple(name))
                if person is None:
                    raise NotFastLoadable(f"person {name!r} is not in the fixture")
                person_ids.append(person.pk)
            links.extend((fact.pk, person_id) for person_id in dict.fromkeys(person_ids))
        return links


def fill_search_documents(objects: dict, links: list) -> None:
    """Each fact's search document, written with the fact rather than updated after it.

    An UPDATE per fact afterwards would also bump the content version once per statement
    on PostgreSQL (trivia/freshness.py); the rebuild that follows finds them current.
    """
    people = {person.pk: person.name for person in objects[Person]}
    names, quotes = {}, {}
    for fact_id, person_id in links:
        names.setdefault(fact_id, []).append(people[person_id])
    for citation in objects[Citation]:
        quotes.setdefault(citation.fact_id, []).append(citation.quote)
    for fact in objects[Fact]:
        fact.search_document = search.build_search_document(
            fact.text, sorted(names.get(fact.pk, ())), quotes.get(fact.pk, ())
        )


def load_into_empty_tables(entries: Iterable, using: str) -> int:
    """Insert the fixture's objects; return how many. Run inside a transaction.

    Raises `NotFastLoadable` when the stock path must load the fixture instead (the
    caller rolls back), `integrity.ProvenanceError` when it breaks a rule about sources
    or citations (checked in file order, as the stock path would meet them).
    """
    if not isinstance(entries, list) or not entries:
        raise NotFastLoadable("the fixture is not a non-empty list of objects")
    if not tables_are_empty(using):
        raise NotFastLoadable("the trivia tables already hold rows")
    loader = _Loader()
    try:
        for entry in entries:
            loader.read(entry)
        links = loader.fact_people()
        fill_search_documents(loader.objects, links)
    except (TypeError, ValueError, KeyError, AttributeError) as exc:
        # A value of the wrong shape (a list for a slug, a null name): the stock path names it.
        raise NotFastLoadable(repr(exc)) from exc

    connection = connections[using]
    try:
        for model in MODELS:
            bulk.insert_exact(model, loader.objects[model], using=using)
        people_fields = [FactPeople._meta.get_field("fact"), FactPeople._meta.get_field("person")]
        bulk.insert_rows(FactPeople, people_fields, links, using=using)
        # Stock loaddata resets the sequences of the models it loaded (PostgreSQL): the
        # next row added by hand must not collide with a loaded primary key.
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), MODELS):
                cursor.execute(sql)
    except DatabaseError as exc:
        # E.g. two topics with one name: the stock path says which object, in its words.
        raise NotFastLoadable(str(exc)) from exc
    search.rebuild_search_index()
    return len(entries)


def read_fixture(path) -> list:
    try:
        with open(path, encoding="utf-8") as handle:
            return json.load(handle)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise NotFastLoadable(str(exc)) from exc
