"""PostgreSQL search: a second GIN index whose lexemes carry their fact's id bucket ("61~lisbon"), so the newest
facts holding a word are read a bucket at a time, newest first (search.newest_first). Nothing changes on SQLite:
FTS5 reads a word's facts newest first already."""

from django.db import migrations

from trivia import search


def add_recent_lexemes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in search.POSTGRES_CREATE_RECENT:
            schema_editor.execute(statement)


def drop_recent_lexemes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in search.POSTGRES_DROP_RECENT:
            schema_editor.execute(statement)


class Migration(migrations.Migration):

    dependencies = [
        ("trivia", "0011_film_by_title_index"),
    ]

    operations = [
        migrations.RunPython(add_recent_lexemes, drop_recent_lexemes),
    ]
