"""A topic page: its total from an index of the topic's count rows, then the films walked in title order to the
ones its page shows (fact_counts.topic_totals, fact_counts.films_of_topic)."""

from django.db import migrations, models

from trivia import fact_counts


def add_total_index(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(fact_counts.TOPIC_TOTAL_INDEX)


def drop_total_index(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(f"DROP INDEX IF EXISTS {fact_counts.TOPIC_TABLE}_total")


class Migration(migrations.Migration):

    dependencies = [
        ('trivia', '0010_fact_topic_newest_index'),
    ]

    operations = [
        migrations.RunPython(add_total_index, drop_total_index),
        migrations.AddIndex(
            model_name='film',
            index=models.Index(fields=['title', 'year', 'id'], name='film_by_title_idx'),
        ),
    ]
