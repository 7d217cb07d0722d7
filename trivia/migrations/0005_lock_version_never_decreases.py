"""Optimistic locks: a row's lock_version never moves backwards, whoever writes it. See `trivia/services/editing.py`."""

from django.db import migrations

from trivia.services import editing


def install(apps, schema_editor):
    editing.install_lock_triggers(schema_editor.connection)


def remove(apps, schema_editor):
    editing.remove_lock_triggers(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("trivia", "0004_search_stored_vector")]

    operations = [migrations.RunPython(install, remove)]
