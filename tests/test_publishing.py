"""`Fact.published_at`: dated on the first publication by every path that publishes, never moved after.

The feeds order facts by it, so a fact republished after a spell as a draft must keep
its date (it would otherwise come back as "new"), and no published fact may lack one.
"""

import datetime
import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.admin_forms import fact_form_data
from tests.factories import CitationFactory, FactFactory
from tests.test_fixtures_roundtrip import DUMP_OPTIONS, build_knowledge_base, empty_trivia_tables
from trivia.demo.writing import generate_demo_data
from trivia.models import Fact
from trivia.services.editing import update_facts
from trivia.services.roles import create_editor

LONG_AGO = datetime.datetime(2001, 2, 3, 4, 5, 6, 789012, tzinfo=datetime.UTC)


@pytest.fixture
def editor(db):
    client = Client()
    client.force_login(create_editor("edna", "a-long-enough-passphrase"))
    return client


def save_in_admin(client, fact, **fields):
    fact.refresh_from_db()
    response = client.post(reverse("admin:trivia_fact_change", args=[fact.pk]), fact_form_data(fact, **fields))
    assert response.status_code == 302, response.content.decode()[:2000]
    fact.refresh_from_db()
    return fact


@pytest.mark.django_db
def test_the_admin_form_dates_the_first_publication_and_keeps_it_through_unpublishing(editor):
    fact = CitationFactory(fact__status=Fact.Status.DRAFT).fact
    assert fact.published_at is None

    before = timezone.now()
    first = save_in_admin(editor, fact, status=Fact.Status.PUBLISHED).published_at
    assert first is not None and first >= before

    assert save_in_admin(editor, fact, status=Fact.Status.DRAFT).published_at == first
    assert save_in_admin(editor, fact, status=Fact.Status.PUBLISHED).published_at == first
    assert save_in_admin(editor, fact, text="A corrected claim.").published_at == first


@pytest.mark.django_db
def test_the_bulk_publish_action_dates_new_publications_and_leaves_earlier_ones(editor):
    draft = CitationFactory(fact__status=Fact.Status.DRAFT).fact
    republished = CitationFactory(fact__status=Fact.Status.DRAFT).fact
    Fact.objects.filter(pk=republished.pk).update(published_at=LONG_AGO)  # published once, then unpublished

    before = timezone.now()
    response = editor.post(
        reverse("admin:trivia_fact_changelist"), {"action": "publish", "_selected_action": [draft.pk, republished.pk]}
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    republished.refresh_from_db()
    assert draft.status == republished.status == Fact.Status.PUBLISHED
    assert draft.published_at >= before
    assert republished.published_at == LONG_AGO


@pytest.mark.django_db
def test_unpublishing_in_bulk_keeps_the_date():
    fact = CitationFactory().fact
    published_at = fact.published_at
    update_facts([fact], comment="Unpublished", status=Fact.Status.DRAFT)
    fact.refresh_from_db()
    assert fact.status == Fact.Status.DRAFT
    assert fact.published_at == published_at


@pytest.mark.django_db
def test_seeded_facts_are_dated_when_first_seeded(seeded):
    assert not Fact.objects.published().filter(published_at__isnull=True).exists()


@pytest.mark.django_db
def test_demo_facts_are_dated_by_their_run():
    generate_demo_data(films=2, facts=20, seed=3)
    dates = set(Fact.objects.filter(key__startswith="demo-").values_list("published_at", flat=True))
    assert len(dates) == 1 and None not in dates


@pytest.mark.django_db
def test_the_database_refuses_a_published_fact_without_a_date():
    fact = FactFactory(status=Fact.Status.DRAFT)
    with pytest.raises(IntegrityError), transaction.atomic():
        Fact.objects.filter(pk=fact.pk).update(status=Fact.Status.PUBLISHED)
    with pytest.raises(IntegrityError), transaction.atomic():
        Fact.objects.bulk_create([Fact(film=fact.film, topic=fact.topic, text="Bulk.", status="published")])


@pytest.mark.django_db
def test_a_fixture_from_before_the_field_loads_with_creation_dates(tmp_path):
    """Older backups have no `published_at`: their published facts get `created_at`, as migration 0006 gave."""
    build_knowledge_base()
    out = StringIO()
    call_command("dumpdata", "trivia", stdout=out, **DUMP_OPTIONS)
    entries = json.loads(out.getvalue())
    for entry in entries:
        entry["fields"].pop("published_at", None)
    fixture = tmp_path / "old.json"
    fixture.write_text(json.dumps(entries), encoding="utf-8")
    empty_trivia_tables()

    call_command("loaddata", str(fixture), stdout=StringIO())

    published = Fact.objects.published()
    assert published.exists()
    assert all(fact.published_at == fact.created_at for fact in published)
    assert not Fact.objects.filter(status=Fact.Status.DRAFT, published_at__isnull=False).exists()


@pytest.mark.django_db
def test_the_fact_page_says_when_the_fact_was_first_published(client):
    fact = CitationFactory().fact
    Fact.objects.filter(pk=fact.pk).update(published_at=LONG_AGO)
    html = client.get(fact.get_absolute_url()).content.decode()
    assert '<time datetime="2001-02-03T04:05:06Z">3 February 2001</time>' in html


@pytest.mark.django_db(transaction=True)  # schema changes cannot run inside a test's transaction on SQLite
def test_migration_0006_dates_facts_published_before_it_by_their_creation():
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    call_command("migrate", "trivia", "0005_lock_version_never_decreases", verbosity=0)
    try:
        old = MigrationExecutor(connection).loader.project_state(("trivia", "0005_lock_version_never_decreases")).apps
        film = old.get_model("trivia", "Film").objects.create(title="Old", year=1950, slug="old-1950")
        topic = old.get_model("trivia", "Topic").objects.create(name="Old topic", slug="old-topic")
        OldFact = old.get_model("trivia", "Fact")
        OldFact.objects.create(key="was-published", film=film, topic=topic, text="Old.", status="published")
        OldFact.objects.create(key="still-a-draft", film=film, topic=topic, text="Draft.", status="draft")
        OldFact.objects.filter(key="was-published").update(created_at=LONG_AGO)
    finally:
        call_command("migrate", "trivia", verbosity=0)  # post_migrate puts back the triggers a rebuild dropped

    assert Fact.objects.get(key="was-published").published_at == LONG_AGO
    assert Fact.objects.get(key="still-a-draft").published_at is None
