"""PostgreSQL search: a stored `search_vector` column with a GIN index replaces the expression index.

Ranking with `ts_rank` over the expression index re-parsed every matched document;
the generated column is computed once per write by PostgreSQL itself. Nothing
changes on SQLite (its FTS5 table already stores the index).
"""

from django.db import migrations

from trivia import search


def add_stored_vector(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(search.POSTGRES_ADD_VECTOR)
        schema_editor.execute(search.POSTGRES_CREATE_VECTOR_INDEX)
        schema_editor.execute("DROP INDEX IF EXISTS trivia_fact_search_gin")


def remove_stored_vector(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS trivia_fact_search_gin ON trivia_fact "
            "USING gin (to_tsvector('simple'::regconfig, search_document))"
        )
        for statement in search.POSTGRES_DROP_VECTOR:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("trivia", "0003_reading_content_version"),
    ]

    operations = [
        migrations.RunPython(add_stored_vector, remove_stored_vector),
    ]
