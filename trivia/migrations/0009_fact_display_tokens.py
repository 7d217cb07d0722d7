"""A random display token per fact, replaced by triggers whenever what a page shows of the fact changes.

Pages kept under a digest of their inputs read them (trivia/fact_tokens.py). Facts
already there get a token each.
"""

from django.db import migrations

from trivia import fact_tokens


def install(apps, schema_editor):
    # The columns watched are this migration's; `fact_tokens.ensure` remakes the triggers once fully migrated.
    fact_tokens.install(schema_editor.connection, apps)
    fact_tokens.fill_missing(schema_editor.connection)


def remove(apps, schema_editor):
    fact_tokens.remove(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("trivia", "0008_film_by_initial_index")]

    operations = [migrations.RunPython(install, remove)]
