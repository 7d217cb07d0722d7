"""`Fact.published_at`: when a fact was first published (feeds order by it; trivia/publishing.py sets it).

Facts published before the field existed get their `created_at`: it never moves (an
edit moves `updated_at`, which would send old facts to the top of the feeds), it is
never later than the real first publication, and for seeded and demo facts — created
published — it is exact. `publishing.restored_publication_time` gives older fixtures
and history versions the same date.
"""

from django.db import migrations, models
from django.db.models import F


def date_existing_publications(apps, schema_editor):
    Fact = apps.get_model("trivia", "Fact")
    Fact.objects.filter(status="published", published_at__isnull=True).update(published_at=F("created_at"))


class Migration(migrations.Migration):
    dependencies = [
        ("trivia", "0005_lock_version_never_decreases"),
    ]

    operations = [
        migrations.AddField(
            model_name="fact",
            name="published_at",
            field=models.DateTimeField(
                blank=True,
                editable=False,
                help_text="Kept if the fact goes back to draft.",
                null=True,
                verbose_name="first published",
            ),
        ),
        migrations.RunPython(date_existing_publications, migrations.RunPython.noop, elidable=False),
        migrations.AddIndex(
            model_name="fact",
            index=models.Index(fields=["status", "published_at"], name="fact_status_published_idx"),
        ),
        migrations.AddConstraint(
            model_name="fact",
            constraint=models.CheckConstraint(
                condition=models.Q(("status", "draft"), ("published_at__isnull", False), _connector="OR"),
                name="fact_published_has_published_at",
            ),
        ),
    ]
