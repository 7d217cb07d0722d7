"""/facts/?topic=… without words reads a topic's newest facts from this index, not every published fact."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('trivia', '0009_fact_display_tokens'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='fact',
            index=models.Index(fields=['topic', 'status', 'published_at'], name='fact_topic_newest_idx'),
        ),
    ]
