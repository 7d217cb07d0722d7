"""Loading a whole trivia fixture into empty tables in a few queries.

Stock `loaddata` saves object by object, about ten queries per fact (natural-key
lookups, the citation's source for the invariant check, a search-document refresh
after each save): 698 s for 100,000 facts on SQLite (docs/performance.md). The
documented use of a fixture is loading it into a freshly migrated database, and
there every natural key can be resolved from the fixture itself. So `loaddata`
(trivia/management/commands/loaddata.py) first tries `load_into_empty_tables`:

- it reads the JSON, resolves natural keys with in-memory maps and checks, in Python
  and in file order, what the raw `pre_save` handlers check (trivia/signals.py): a
  source's SHA-256 and line endings, a citation's quote against its source; citation
  paragraphs are recomputed, as there;
- it inserts the rows in dependency order as raw inserts (like a fixture save, so
  `created_at`/`updated_at` keep the fixture's values), primary keys in file order so
  a re-dump is byte-identical, facts with their search documents, then the
  fact-people rows; it resets PostgreSQL's sequences and runs the search-index
  rebuild once, which leaves what stock `loaddata` leaves.

It only takes fixtures it can load exactly as Django would. Anything else raises
`NotFastLoadable` before or instead of writing (other apps' models, rows already in
the tables, explicit primary keys, missing or unknown fields, a reference to an
object not before it in the fixture, a natural key given twice, a value the database
refuses), and the command rolls back and runs the stock path, whose messages for bad
fixtures stay the reference. Broken provenance is reported here, with the signals'
own messages and exception type.
"""

import json
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.core.management.color import no_style
from django.db import DatabaseError, connections

from . import search, text
from .models import Citation, Credit, Fact, Film, Person, Source, Topic
from .signals import FixtureIntegrityError

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
        if model is Source:
            check_source(obj)
        elif model is Citation:
            check_citation(obj)
        if model is Fact:
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


def check_source(source: Source) -> None:
    """What `signals.check_loaded_source` checks on a raw save, with its words."""
    if text.normalise_newlines(source.content or "") != source.content:
        raise FixtureIntegrityError(f"Source {source.slug!r}: its content has CR line endings; sources store \\n only.")
    actual = text.sha256_hex(source.content)
    if source.sha256 != actual:
        raise FixtureIntegrityError(
            f"Source {source.slug!r}: the stored SHA-256 {source.sha256!r} does not match its "
            f"content (which hashes to {actual!r}); the fixture was altered or truncated."
        )


def check_citation(citation: Citation) -> None:
    """What `signals.check_loaded_citation` checks on a raw save, with its words; the paragraph is recomputed."""
    if not citation.is_broken:
        errors = citation.invariant_errors()
        if errors:
            raise FixtureIntegrityError(
                f"Citation of fact {citation.fact.key!r} in source {citation.source.slug!r} does not match its "
                "source: " + " ".join(errors.values())
            )
    citation.refresh_paragraph()


def fill_search_documents(objects: dict, links: list) -> None:
    """Each fact's search document, written with the fact rather than updated after it.

    On PostgreSQL the rebuild's per-row UPDATEs each bumped the content version
    (trivia/freshness.py), most of a 100,000-fact load. The rebuild that follows
    finds these documents current (or rewrites the few whose people the database
    sorts differently), and brings the full-text index in step.
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


def _insert(model, fields, rows: list, using: str) -> None:
    """Multi-row INSERTs, as many rows a statement as the database takes parameters.

    The values are written as they are, as a raw fixture save writes them: `auto_now`
    fields keep the fixture's times. (`bulk_create` would stamp the time of the load,
    and Django's insert compiler spent most of the load building the statements value
    by value.) Not `executemany`: on PostgreSQL that is one statement per row, and each
    statement bumps the content version (trivia/freshness.py), the same row every time.
    """
    connection = connections[using]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in fields)
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    # PostgreSQL's protocol takes at most 65,535 parameters a statement.
    batch_size = max(min(connection.ops.bulk_batch_size(fields, rows), 65_535 // len(fields)), 1)
    statements = {}
    with connection.cursor() as cursor:
        for start in range(0, len(rows), batch_size):
            batch = rows[start : start + batch_size]
            if len(batch) not in statements:
                values = ", ".join([row] * len(batch))
                statements[len(batch)] = f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES {values}"
            cursor.execute(statements[len(batch)], [value for values in batch for value in values])


def _insert_objects(model, objs: list, using: str) -> None:
    connection = connections[using]
    fields = model._meta.local_concrete_fields
    rows = [[field.get_db_prep_save(getattr(obj, field.attname), connection) for field in fields] for obj in objs]
    if rows:
        _insert(model, fields, rows, using)


def load_into_empty_tables(entries: Iterable, using: str) -> int:
    """Insert the fixture's objects; return how many. Run inside a transaction.

    Raises `NotFastLoadable` when the stock path must load the fixture instead (the
    caller rolls back), `FixtureIntegrityError` when it breaks a provenance invariant.
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
            _insert_objects(model, loader.objects[model], using)
        if links:
            _insert(
                FactPeople, [FactPeople._meta.get_field("fact"), FactPeople._meta.get_field("person")], links, using
            )
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
