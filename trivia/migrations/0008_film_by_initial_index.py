"""The home page lists films by initial (its A–Z index), then title: read from this index, not sorted."""

import trivia.expressions
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('trivia', '0007_published_fact_counts'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='film',
            index=models.Index(trivia.expressions.TitleInitial('title'), models.F('title'), models.F('year'), models.F('id'), name='film_by_initial_idx'),
        ),
    ]
