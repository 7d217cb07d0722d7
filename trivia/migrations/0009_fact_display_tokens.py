"""Each fact's display token, kept by triggers (trivia/fact_tokens.py); the facts already there get theirs."""

from django.db import migrations

from trivia import fact_tokens


def install(apps, schema_editor):
    fact_tokens.install(schema_editor.connection)
    fact_tokens.fill_missing(schema_editor.connection)


def remove(apps, schema_editor):
    fact_tokens.remove(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("trivia", "0008_film_by_initial_index")]

    operations = [migrations.RunPython(install, remove)]
