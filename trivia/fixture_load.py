"""Loading a whole trivia fixture into empty tables a batch at a time, by the same rules as the stock path.

Stock `loaddata` reads the whole file into memory, then saves object by object, several
queries per fact. Into a freshly migrated database (the documented use) `loaddata`
(trivia/management/commands/loaddata.py) first tries `load_file`: the file is read one
object at a time (`fixture_json.read_array`) and written in batches by trivia/bulk.py
with the fixture's own primary keys and timestamps; every source and citation is checked
by trivia/integrity.py in file order, as the raw-save signals check the stock path. Natural
keys of the small tables (films, people, topics, sources) are resolved from maps kept in
memory, a citation's fact from the rows already written; search documents and the
full-text index are built once at the end. Memory holds one batch, not the file, so a
fixture of a million facts loads like one of a thousand. Whatever this loader cannot
load exactly as Django would raises `NotFastLoadable`; the command rolls back and takes
the stock path, whose messages stay the reference.
"""

from django.core.exceptions import ValidationError
from django.core.management.color import no_style
from django.db import DatabaseError, connections

from . import bulk, fixture_json, publishing, search
from .models import Citation, Credit, Fact, Film, Person, Source, Topic

# Dependency order, as `dumpdata` writes them.
MODELS = [Film, Person, Credit, Topic, Source, Fact, Citation]
BY_LABEL = {model._meta.label_lower: model for model in MODELS}
# Models whose natural key (their slug) is kept in memory: a few tens of thousands at a million facts.
MAPPED = (Film, Person, Topic, Source)
FactPeople = Fact.people.through
PEOPLE_FIELDS = [FactPeople._meta.get_field("fact"), FactPeople._meta.get_field("person")]
# Rows written per statement batch, and so the most held in memory at once.
BATCH_SIZE = 2000


class NotFastLoadable(Exception):
    """The fixture is not one this loader takes; the stock `loaddata` must load (or reject) it."""


def _serialized_fields(model):
    fields = [field for field in model._meta.local_fields if field.serialize]
    many = [field for field in model._meta.local_many_to_many if field.serialize]
    return fields, many


SERIALIZED = {model: _serialized_fields(model) for model in MODELS}


def tables_are_empty(using: str) -> bool:
    return not any(model._base_manager.using(using).exists() for model in (*MODELS, FactPeople))


def _model_and_fields(entry) -> tuple:
    """The model and fields of one fixture entry, or `NotFastLoadable` if it is not a trivia object as dumped."""
    if not isinstance(entry, dict) or set(entry) != {"model", "fields"}:
        raise NotFastLoadable("an entry is not a trivia object without a primary key")
    model = BY_LABEL.get(entry["model"]) if isinstance(entry["model"], str) else None
    fields = entry["fields"]
    if model is None or not isinstance(fields, dict):
        raise NotFastLoadable(f"{entry['model']!r} is not a trivia model")
    local, many = SERIALIZED[model]
    if model is Fact and "published_at" not in fields:
        fields = {**fields, "published_at": None}  # a fixture older than the field: dated in `build`
    if set(fields) != {field.name for field in (*local, *many)}:
        raise NotFastLoadable(f"{model._meta.label} has missing or unknown fields")
    return model, fields


class _Loader:
    """Reads entries in file order and writes them a batch of one model at a time."""

    def __init__(self, using: str):
        self.using = using
        self.total = 0
        # Rows read per model: each row's primary key is its place in the file, as stock loaddata gives them.
        self.rows_read = dict.fromkeys(MODELS, 0)
        self.slugs = {model: {} for model in MAPPED}  # slug -> primary key
        self.model = None
        self.pending = []  # rows of `self.model` not written yet
        self.fact_keys = []  # for pending citations: the key of each one's fact
        self.links = []  # (fact, person) primary keys of the pending facts

    def read(self, entry) -> None:
        model, fields = _model_and_fields(entry)
        if model is not self.model or len(self.pending) >= BATCH_SIZE:
            self.flush()
            self.model = model
        self.rows_read[model] += 1
        self.total += 1
        self.pending.append(self.build(model, fields, self.rows_read[model]))

    def build(self, model, fields: dict, pk: int):
        # Every value given, so no field computes a default (a fact's random key, for one).
        values = {"pk": pk}
        try:
            for field in SERIALIZED[model][0]:
                value = fields[field.name]
                if field.related_model is Fact:
                    self.fact_keys.append(self.natural_key(value))
                elif field.many_to_one:
                    values[field.attname] = self.reference(field, value)
                else:
                    values[field.attname] = field.to_python(value)
        except ValidationError as exc:
            raise NotFastLoadable(str(exc)) from exc
        obj = model(**values)
        if model in MAPPED:
            key = self.natural_key([obj.slug])
            if key in self.slugs[model]:
                raise NotFastLoadable(f"{model._meta.label} {key!r} is in the fixture twice")
            self.slugs[model][key] = pk
        if model is Fact:
            # As a raw save dates it (trivia/signals.py): a published fact with no date gets its creation time.
            publishing.stamp_first_publication([obj], publishing.restored_publication_time(obj))
            self.links.extend((pk, person) for person in dict.fromkeys(self.people(fields["people"])))
        return obj

    @staticmethod
    def natural_key(value) -> str:
        if not isinstance(value, list) or len(value) != 1 or not isinstance(value[0], str):
            raise NotFastLoadable(f"{value!r} is not the natural key of a trivia row")
        return value[0]

    def reference(self, field, value) -> int:
        """The primary key of the earlier row a natural foreign key names."""
        known = self.slugs.get(field.related_model)
        if known is None:
            raise NotFastLoadable(f"{field} is not a natural key of a trivia model")
        pk = known.get(self.natural_key(value))
        if pk is None:
            raise NotFastLoadable(f"{field.related_model._meta.label} {value!r} is not before it in the fixture")
        return pk

    def people(self, names) -> list[int]:
        if not isinstance(names, list):
            raise NotFastLoadable("a fact's people are not natural keys")
        return [self.reference(Fact.people.field, name) for name in names]

    def flush(self) -> None:
        """Write the pending rows (checked by trivia/bulk.py); the database's refusals go to the stock path."""
        if not self.pending:
            return
        try:
            if self.model is Citation:
                self.attach_facts_and_sources(self.pending)
            bulk.insert_exact(self.model, self.pending, using=self.using)
            bulk.insert_rows(FactPeople, PEOPLE_FIELDS, self.links, using=self.using)
        except DatabaseError as exc:
            # E.g. two topics with one name: the stock path says which object, in its words.
            raise NotFastLoadable(str(exc)) from exc
        self.pending, self.fact_keys, self.links = [], [], []

    def attach_facts_and_sources(self, citations) -> None:
        """Each citation's fact (by key, among the rows written) and source with its text, for the rules."""
        facts = Fact.objects.using(self.using).filter(key__in=set(self.fact_keys)).values_list("key", "pk")
        fact_ids = dict(facts)
        sources = Source.objects.using(self.using).only("slug", "content")
        by_pk = sources.in_bulk({citation.source_id for citation in citations})
        for citation, key in zip(citations, self.fact_keys, strict=True):
            if key not in fact_ids:
                raise NotFastLoadable(f"fact {key!r} is not before its citation in the fixture")
            citation.fact_id = fact_ids[key]
            citation.source = by_pk[citation.source_id]


def load_file(path, using: str) -> int:
    """Insert the fixture's objects; return how many. Run inside a transaction.

    Raises `NotFastLoadable` when the stock path must load the fixture instead (the
    caller rolls back), `integrity.ProvenanceError` when it breaks a rule about sources
    or citations (checked in file order, as the stock path would meet them).
    """
    if not tables_are_empty(using):
        raise NotFastLoadable("the trivia tables already hold rows")
    connection = connections[using]
    search.suspend_sqlite_index(connection)
    loader = _Loader(using)
    try:
        with open(path, encoding="utf-8") as handle:
            for entry in fixture_json.read_array(handle):
                loader.read(entry)
        loader.flush()
    except (OSError, UnicodeDecodeError, TypeError, ValueError, KeyError, AttributeError) as exc:
        # Not JSON, or a value of the wrong shape (a list for a slug, a null name): the stock path names it.
        raise NotFastLoadable(repr(exc)) from exc
    if not loader.total:
        raise NotFastLoadable("the fixture holds no objects")
    # Stock loaddata resets the sequences of the models it loaded (PostgreSQL): the next
    # row added by hand must not collide with a loaded primary key.
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), MODELS):
            cursor.execute(sql)
    bulk.refresh_statistics(using=using)  # the tables were empty when the planner last looked
    # Facts went in before their citations, so their documents (which hold the quotes) are written now.
    search.refresh_every_document()
    search.index_after_bulk_load(connection)
    return loader.total
