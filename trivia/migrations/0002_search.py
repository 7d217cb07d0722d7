"""Full-text search: fill `Fact.search_document` and index it, per database.

SQLite gets an FTS5 table kept in step by triggers (its SQL lives in `trivia.search`,
which also repairs the triggers if a later migration rebuilds the fact table).
PostgreSQL got a GIN expression index here, which 0004_search_stored_vector replaces
with a stored, indexed vector column.
"""

from django.db import migrations

from trivia import search


POSTGRES_EXPRESSION_INDEX = (
    "CREATE INDEX IF NOT EXISTS trivia_fact_search_gin ON trivia_fact "
    "USING gin (to_tsvector('simple'::regconfig, search_document))"
)


def fill_search_documents(apps, schema_editor):
    """Facts that exist before this migration (an already seeded database) get their document."""
    Fact = apps.get_model("trivia", "Fact")
    Citation = apps.get_model("trivia", "Citation")
    db = schema_editor.connection.alias
    names = {}
    people = Fact.people.through.objects.using(db).order_by("fact_id", "person__name")
    for fact_id, name in people.values_list("fact_id", "person__name"):
        names.setdefault(fact_id, []).append(name)
    quotes = {}
    for fact_id, quote in Citation.objects.using(db).order_by("pk").values_list("fact_id", "quote"):
        quotes.setdefault(fact_id, []).append(quote)
    for fact in Fact.objects.using(db).only("pk", "text"):
        document = search.build_search_document(fact.text, names.get(fact.pk, ()), quotes.get(fact.pk, ()))
        Fact.objects.using(db).filter(pk=fact.pk).update(search_document=document)


def create_index(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        # Documents first, triggers after, then index them all: with an external-content
        # FTS5 table a trigger's 'delete' of a row the index never held corrupts it.
        fill_search_documents(apps, schema_editor)
        schema_editor.execute(search.SQLITE_CREATE_TABLE)
        for statement in search.SQLITE_TRIGGERS.values():
            schema_editor.execute(statement)
        schema_editor.execute(search.SQLITE_REBUILD)
    elif vendor == "postgresql":
        fill_search_documents(apps, schema_editor)
        schema_editor.execute(POSTGRES_EXPRESSION_INDEX)


def drop_index(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        for statement in search.SQLITE_DROP:
            schema_editor.execute(statement)
    elif vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS trivia_fact_search_gin")


class Migration(migrations.Migration):
    dependencies = [
        ("trivia", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(create_index, drop_index),
    ]
