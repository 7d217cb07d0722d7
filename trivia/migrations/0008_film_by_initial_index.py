"""The home page lists films by initial (its A–Z index), then title: read from this index, not sorted."""

import django.db.models.functions.text
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('trivia', '0007_published_fact_counts'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='film',
            index=models.Index(django.db.models.functions.text.Upper(django.db.models.functions.text.Substr('title', 1, 1)), models.F('title'), models.F('year'), models.F('id'), name='film_by_initial_idx'),
        ),
    ]
