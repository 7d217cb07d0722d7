"""Published facts counted per film and per (topic, film), kept by triggers on the fact table.

The home page's best-documented films and the topic pages read them (trivia/fact_counts.py).
The counts start from the facts already there.
"""

from django.db import migrations

from trivia import fact_counts


def install(apps, schema_editor):
    fact_counts.install(schema_editor.connection)
    fact_counts.recount(schema_editor.connection)


def remove(apps, schema_editor):
    fact_counts.remove(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("trivia", "0006_fact_published_at")]

    operations = [migrations.RunPython(install, remove)]
