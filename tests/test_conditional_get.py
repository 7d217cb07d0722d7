"""Conditional GET: a repeat request is answered 304 without rendering; any change to
displayed data — an edit, a delete, a rename, a new link — gives a new ETag."""

import pytest
from django.db import connection
from django.urls import reverse

from tests.factories import CitationFactory, CreditFactory, FactFactory, PersonFactory
from trivia.freshness import content_version, ensure_version_triggers, remove_version_triggers
from trivia.models import Citation, Fact, Person, Topic

pytestmark = pytest.mark.django_db

PAGES = [
    ("trivia:home", []),
    ("trivia:film_detail", ["the-red-shoes-1948"]),
    ("trivia:fact_detail", ["rank-walked-out"]),
]


@pytest.mark.parametrize(("name", "args"), PAGES)
def test_repeat_request_gets_304_without_rendering(client, seeded, django_assert_num_queries, name, args):
    url = reverse(name, args=args)
    first = client.get(url)
    assert first.status_code == 200 and first["ETag"]

    # One query: the content version. No page queries, no template rendered.
    with django_assert_num_queries(1):
        repeat = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])

    assert repeat.status_code == 304
    assert repeat.content == b""
    assert repeat.templates == []
    assert repeat["ETag"] == first["ETag"]


def etag(client, url):
    return client.get(url)["ETag"]


FILM_URL = "/films/the-red-shoes-1948/"


def test_editing_a_fact_changes_the_etag(client, seeded):
    before = etag(client, FILM_URL)
    fact = Fact.objects.get(key="over-budget")
    fact.text = "The film went far over budget."
    fact.save()

    after = client.get(FILM_URL, HTTP_IF_NONE_MATCH=before)
    assert after.status_code == 200 and after["ETag"] != before
    assert "The film went far over budget." in after.content.decode()


def test_deleting_a_fact_changes_the_etag(client, seeded):
    before = etag(client, FILM_URL)
    Fact.objects.get(key="over-budget").delete()

    assert client.get(FILM_URL, HTTP_IF_NONE_MATCH=before).status_code == 200
    assert etag(client, FILM_URL) != before


def test_renaming_a_person_changes_the_etag(client, seeded):
    before = etag(client, FILM_URL)
    person = Person.objects.get(slug="j-arthur-rank")
    person.name = "Joseph Arthur Rank"
    person.save()

    response = client.get(FILM_URL, HTTP_IF_NONE_MATCH=before)
    assert response.status_code == 200 and "Joseph Arthur Rank" in response.content.decode()


def test_renaming_a_topic_changes_the_etag(client, seeded):
    before = etag(client, FILM_URL)
    topic = Topic.objects.get(slug="off-screen")
    topic.name = "Away from the camera"
    topic.save()

    response = client.get(FILM_URL, HTTP_IF_NONE_MATCH=before)
    assert response.status_code == 200 and "Away from the camera" in response.content.decode()


def test_changing_who_a_fact_mentions_changes_the_etag(client, seeded):
    before = etag(client, FILM_URL)
    fact = Fact.objects.get(key="over-budget")
    fact.people.set([PersonFactory(name="Someone New")])  # no save() of the fact itself

    assert etag(client, FILM_URL) != before


def test_replacing_one_person_with_another_changes_the_version():
    fact = FactFactory(people=[PersonFactory()])
    before = content_version()
    fact.people.set([PersonFactory()])

    assert content_version() != before


def test_adding_or_deleting_a_citation_changes_the_version():
    fact = FactFactory()
    first = content_version()
    citation = CitationFactory(fact=fact)
    second = content_version()
    Citation.objects.filter(pk=citation.pk).delete()

    assert len({first, second, content_version()}) == 3


def test_editing_a_credit_changes_the_version():
    """Credits have no timestamp; the database trigger sees the edit all the same."""
    credit = CreditFactory(character="Vicky")
    before = content_version()
    credit.character = "Victoria Page"
    credit.save()

    assert content_version() != before


def test_writes_that_send_no_signal_change_the_version():
    fact = FactFactory()
    versions = [content_version()]
    Fact.objects.filter(pk=fact.pk).update(text="Changed by QuerySet.update, updated_at untouched.")
    versions.append(content_version())
    bulk = Fact(film=fact.film, topic=fact.topic, text="Bulk.", status="published", published_at=fact.published_at)
    Fact.objects.bulk_create([bulk])
    versions.append(content_version())
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {Fact._meta.db_table} WHERE id = %s", [fact.pk])
    versions.append(content_version())

    assert len(set(versions)) == len(versions)


def test_reading_pages_and_other_tables_do_not_change_the_version(client, seeded, django_user_model):
    before = content_version()
    client.get("/films/the-red-shoes-1948/")
    django_user_model.objects.create_user("someone")

    assert content_version() == before


def test_missing_triggers_are_put_back_after_migrate():
    """On SQLite, Django rebuilds a table to alter it and the rebuild drops its triggers."""
    remove_version_triggers(connection)
    ensure_version_triggers(sender=None, using="default")
    before = content_version()
    FactFactory()

    assert content_version() != before


def test_publishing_a_draft_changes_the_etag(client):
    draft = FactFactory(status=Fact.Status.DRAFT)
    url = draft.film.get_absolute_url()
    before = etag(client, url)
    draft.status = Fact.Status.PUBLISHED
    draft.save()

    assert etag(client, url) != before


def test_staff_and_readers_never_share_an_etag(client, django_user_model, seeded):
    reader_etag = etag(client, FILM_URL)
    client.force_login(django_user_model.objects.create_user("editor", is_staff=True))

    response = client.get(FILM_URL, HTTP_IF_NONE_MATCH=reader_etag)

    assert response.status_code == 200 and response["ETag"] != reader_etag
    assert "Cookie" in response["Vary"]


def test_a_404_carries_no_etag(client):
    draft = FactFactory(status=Fact.Status.DRAFT)

    response = client.get(draft.get_absolute_url())

    assert response.status_code == 404 and not response.has_header("ETag")


def test_content_version_is_stable_while_nothing_changes(seeded):
    assert content_version() == content_version()
