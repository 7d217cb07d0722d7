"""No lost updates: a save from a form opened before someone else's save is refused, input kept."""

import threading

import pytest
import reversion
from django.db import connection, connections, transaction
from django.urls import reverse

from tests.admin_forms import fact_form_data, source_form_data
from tests.factories import CitationFactory, SourceFactory
from trivia.admin import forms as trivia_forms
from trivia.models import Fact, Source
from trivia.services.editing import StaleEdit, claim_lock_version
from trivia.services.roles import create_editor


@pytest.fixture
def alice(db):
    return create_editor("alice", "a-long-enough-passphrase")


@pytest.fixture
def bob(db):
    return create_editor("bob", "another-long-passphrase")


def client_for(user):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


def fact_url(fact):
    return reverse("admin:trivia_fact_change", args=[fact.pk])


@pytest.mark.django_db
def test_second_save_of_the_same_fact_is_refused_with_who_and_what(alice, bob):
    with reversion.create_revision():  # created with a recorded first version, as the admin does
        fact = CitationFactory(fact__text="The original claim.").fact
    opened_by_bob = fact_form_data(fact)  # both open the form at the same version
    opened_by_alice = fact_form_data(fact, text="Alice's correction.")

    assert client_for(alice).post(fact_url(fact), opened_by_alice).status_code == 302
    opened_by_bob.update(text="Bob's rewrite.", is_spoiler="on")
    response = client_for(bob).post(fact_url(fact), opened_by_bob)

    assert response.status_code == 200
    html = response.content.decode()
    assert "Someone else saved this fact after you opened it, so your changes have not been saved." in html
    assert "Saved by alice on" in html
    assert "They changed: text." in html
    assert "The saved version differs from yours in: text, spoiler." in html
    assert "Bob&#x27;s rewrite." in html  # Bob's input is still in the form
    fact.refresh_from_db()
    assert fact.text == "Alice's correction."  # nothing overwritten
    assert not fact.is_spoiler
    assert fact.lock_version == 2


@pytest.mark.django_db
def test_saving_again_after_reading_the_conflict_replaces_the_version(alice, bob):
    fact = CitationFactory().fact
    stale = fact_form_data(fact, text="Bob's rewrite.")
    client_for(alice).post(fact_url(fact), fact_form_data(fact, text="Alice's correction."))
    refused = client_for(bob).post(fact_url(fact), stale)
    assert refused.context["adminform"].form["seen_lock_version"].value() == "2"

    stale["seen_lock_version"] = 2  # what the re-shown form now carries
    assert client_for(bob).post(fact_url(fact), stale).status_code == 302
    fact.refresh_from_db()
    assert (fact.text, fact.lock_version) == ("Bob's rewrite.", 3)


@pytest.mark.django_db
def test_a_save_racing_past_the_form_check_is_still_refused(alice, monkeypatch):
    """The conditional UPDATE catches a save that lands between the form's check and its own save."""
    fact = CitationFactory(fact__text="The original claim.").fact
    original_clean = trivia_forms.LockedModelForm.clean
    calls = []

    def someone_else_saves():
        Fact.objects.filter(pk=fact.pk, lock_version=1).update(text="Saved by someone else.", lock_version=2)

    def clean_then_someone_else_saves(form):
        calls.append(form)
        if len(calls) == 1:
            cleaned = original_clean(form)  # passes: nobody else has saved yet
            someone_else_saves()  # ...and then another editor's save lands
            return cleaned
        someone_else_saves()  # it was committed, so it is still there when the form is shown again
        return original_clean(form)

    monkeypatch.setattr(trivia_forms.LockedModelForm, "clean", clean_then_someone_else_saves)
    response = client_for(alice).post(fact_url(fact), fact_form_data(fact, text="Alice's correction."))

    assert response.status_code == 200
    assert "Someone else saved this fact after you opened it" in response.content.decode()
    fact.refresh_from_db()
    assert fact.text == "Saved by someone else."
    assert fact.lock_version == 2
    assert len(calls) == 2  # the form was checked again and explained the conflict


@pytest.mark.django_db
def test_a_publish_made_while_a_form_is_open_is_not_undone_by_its_save(alice, bob):
    with reversion.create_revision():
        fact = CitationFactory(fact__status=Fact.Status.DRAFT).fact
    stale = fact_form_data(fact, text="Bob's wording.")
    client_for(alice).post(
        reverse("admin:trivia_fact_changelist"), {"action": "publish", "_selected_action": [fact.pk]}
    )
    response = client_for(bob).post(fact_url(fact), stale)
    assert "They changed: status, first published." in response.content.decode()
    fact.refresh_from_db()
    assert fact.status == Fact.Status.PUBLISHED


@pytest.mark.django_db
def test_a_citation_edited_on_its_own_page_refuses_a_stale_fact_form(alice, bob):
    with reversion.create_revision():
        citation = CitationFactory()
    fact = citation.fact
    stale = fact_form_data(fact, citation_changes={citation.pk: {"quote": citation.quote[:20]}})
    response = client_for(alice).post(
        reverse("admin:trivia_citation_change", args=[citation.pk]),
        {
            "fact": fact.pk,
            "source": citation.source_id,
            "quote": citation.quote[:30],
            "seen_lock_version": fact.lock_version,
        },
    )
    assert response.status_code == 302
    refused = client_for(bob).post(fact_url(fact), stale)
    assert "They changed: citation changed (quote, end)." in refused.content.decode()
    citation.refresh_from_db()
    assert citation.quote == citation.source.content[: len(citation.quote)]
    assert len(citation.quote) == 30


@pytest.mark.django_db
def test_second_save_of_the_same_source_is_refused_and_input_kept(alice, bob):
    with reversion.create_revision():
        source = SourceFactory(title="Studio notes")
    url = reverse("admin:trivia_source_change", args=[source.pk])
    stale = source_form_data(source, author="Bob Author")
    assert client_for(alice).post(url, source_form_data(source, title="Studio notes, revised")).status_code == 302
    response = client_for(bob).post(url, stale)
    html = response.content.decode()
    assert "Someone else saved this source after you opened it" in html
    assert "They changed: title." in html
    assert 'value="Bob Author"' in html
    source.refresh_from_db()
    assert (source.title, source.author, source.lock_version) == ("Studio notes, revised", "", 2)


@pytest.mark.django_db
def test_claiming_a_version_twice_fails_the_second_time():
    source = SourceFactory()
    assert claim_lock_version(Source, source.pk, 1) == 2
    with pytest.raises(StaleEdit):
        claim_lock_version(Source, source.pk, 1)


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs real concurrent connections")
def test_two_concurrent_claims_from_one_version_let_exactly_one_win():
    fact = CitationFactory().fact
    barrier = threading.Barrier(2)
    outcomes = []

    def claim():
        try:
            with transaction.atomic():
                barrier.wait(timeout=10)
                claim_lock_version(Fact, fact.pk, 1)
                outcomes.append("won")
        except StaleEdit:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=claim) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["refused", "won"]
    fact.refresh_from_db()
    assert fact.lock_version == 2
