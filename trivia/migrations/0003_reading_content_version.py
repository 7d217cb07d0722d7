"""The content version behind the public pages' ETags: one counter row and the triggers
that bump it on any write to a table the pages display. See `trivia/freshness.py`."""

from django.db import migrations

from trivia import freshness


def install(apps, schema_editor):
    freshness.install_version_triggers(schema_editor.connection)


def remove(apps, schema_editor):
    freshness.remove_version_triggers(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("trivia", "0002_search")]

    operations = [migrations.RunPython(install, remove)]
