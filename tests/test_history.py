"""History: who changed what, a readable diff, revert, and recovery of deleted facts."""

import io

import pytest
import reversion
from django.core.management import call_command
from django.urls import reverse
from reversion.models import Version

from tests.admin_forms import fact_form_data, form_data_from_page, source_form_data
from tests.factories import CitationFactory, SourceFactory
from trivia.models import Citation, Fact, Source
from trivia.services.roles import create_editor

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor():
    return create_editor("edna", "a-long-enough-passphrase")


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


@pytest.fixture
def fact():
    """A fact with one citation, created with a recorded first version as the admin or seed would."""
    with reversion.create_revision():
        return CitationFactory(fact__text="The studio doubted the picture.").fact


def versions_of(obj):
    return Version.objects.get_for_object(obj).select_related("revision__user").order_by("pk")


# Each change says what it is in words too, not by colour or underline alone.
DELETED = '<del><span class="visually-hidden">deleted: </span>'
INSERTED = '<ins><span class="visually-hidden">inserted: </span>'


def change_fact(client, fact, **changes):
    return client.post(reverse("admin:trivia_fact_change", args=[fact.pk]), fact_form_data(fact, **changes))


def test_an_admin_edit_is_recorded_with_the_editor(editor_client, editor, fact):
    assert change_fact(editor_client, fact, text="The studio feared the picture.").status_code == 302
    latest = versions_of(fact).last()
    assert latest.revision.user == editor
    assert latest.field_dict["text"] == "The studio feared the picture."
    assert latest.revision.get_comment() == "Changed Text."


def test_the_history_page_shows_who_changed_what(editor_client, fact):
    change_fact(editor_client, fact, text="The studio feared the picture.", is_spoiler="on")
    html = editor_client.get(reverse("admin:trivia_fact_history", args=[fact.pk])).content.decode()
    assert "edna" in html
    assert (
        "<strong>Text</strong>: "
        + DELETED
        + "The studio doubted the picture.</del> → "
        + INSERTED
        + "The studio feared the picture.</ins>"
    ) in html
    assert f"<strong>Spoiler</strong>: {DELETED}no</del> → {INSERTED}yes</ins>" in html
    assert "First recorded version" in html


def test_history_lists_citations_added_and_removed_with_the_fact(editor_client, fact):
    old = fact.citations.get()
    source = SourceFactory(title="Memoir", content="She danced until dawn.\n\nThe end.")
    data = fact_form_data(
        fact, citation_changes={old.pk: {"DELETE": "on"}}, new_citations=[(source, "danced until dawn")]
    )
    assert editor_client.post(reverse("admin:trivia_fact_change", args=[fact.pk]), data).status_code == 302
    html = editor_client.get(reverse("admin:trivia_fact_history", args=[fact.pk])).content.decode()
    assert "Citation added — Memoir: “danced until dawn”" in html
    assert f"Citation removed — {old.source.title}: “{old.quote}”" in html


def test_a_long_text_change_is_shown_as_a_word_diff_escaped(editor_client):
    with reversion.create_revision():
        source = SourceFactory(
            title="Notes", content="Intro words. " * 20 + "The <old> phrase. " + "Outro words. " * 20
        )
    new_content = source.content.replace("The <old> phrase.", "The <new> phrase.")
    url = reverse("admin:trivia_source_change", args=[source.pk])
    assert editor_client.post(url, source_form_data(source, content=new_content)).status_code == 302
    html = editor_client.get(reverse("admin:trivia_source_history", args=[source.pk])).content.decode()
    assert f"{DELETED}&lt;old&gt;</del>{INSERTED}&lt;new&gt;</ins>" in html
    assert "<old>" not in html


def test_admin_actions_are_recorded_with_the_editor(editor_client, editor):
    with reversion.create_revision():
        fact = CitationFactory(fact__status=Fact.Status.DRAFT).fact
    changelist = reverse("admin:trivia_fact_changelist")
    editor_client.post(changelist, {"action": "publish", "_selected_action": [fact.pk]})
    editor_client.post(changelist, {"action": "mark_spoiler", "_selected_action": [fact.pk]})
    fact.refresh_from_db()
    assert fact.status == Fact.Status.PUBLISHED and fact.is_spoiler
    published, spoiled = list(versions_of(fact))[-2:]
    assert (published.revision.user, published.revision.comment) == (editor, "Published from the fact list")
    assert spoiled.revision.comment == "Marked as spoiler from the fact list"
    assert spoiled.field_dict["is_spoiler"] is True
    html = editor_client.get(reverse("admin:trivia_fact_history", args=[fact.pk])).content.decode()
    assert f"<strong>Status</strong>: {DELETED}Draft</del> → {INSERTED}Published</ins>" in html


def test_revert_restores_an_earlier_version_and_keeps_the_lock_moving_forward(editor_client, fact):
    first = versions_of(fact).first()
    change_fact(editor_client, fact, text="A wrong correction.")
    fact.refresh_from_db()
    stale_form = fact_form_data(fact, text="Edited in a tab opened before the revert.")
    lock_before = fact.lock_version

    url = reverse("admin:trivia_fact_revision", args=[fact.pk, first.pk])
    page = editor_client.get(url)
    assert page.status_code == 200
    assert "The studio doubted the picture." in page.content.decode()
    fact.refresh_from_db()
    assert fact.text == "A wrong correction."  # looking at a version changes nothing

    response = editor_client.post(url, form_data_from_page(page))
    assert response.status_code == 302
    fact.refresh_from_db()
    assert fact.text == "The studio doubted the picture."
    assert fact.lock_version == lock_before + 1
    assert versions_of(fact).last().revision.get_comment().startswith("Reverted to previous version")

    refused = editor_client.post(reverse("admin:trivia_fact_change", args=[fact.pk]), stale_form)
    assert "Someone else saved this fact after you opened it" in refused.content.decode()
    fact.refresh_from_db()
    assert fact.text == "The studio doubted the picture."


def test_a_deleted_fact_is_recovered_with_its_citations(editor_client, fact):
    citation = fact.citations.get()
    assert editor_client.post(reverse("admin:trivia_fact_delete", args=[fact.pk]), {"post": "yes"}).status_code == 302
    assert not Fact.objects.filter(pk=fact.pk).exists()
    assert not Citation.objects.filter(pk=citation.pk).exists()

    recover_list = editor_client.get(reverse("admin:trivia_fact_recoverlist")).content.decode()
    assert "The studio doubted the picture." in recover_list
    deleted = Version.objects.get_deleted(Fact).get()
    assert deleted.revision.comment == "Deleted"
    url = reverse("admin:trivia_fact_recover", args=[deleted.pk])
    page = editor_client.get(url)
    assert editor_client.post(url, form_data_from_page(page)).status_code == 302

    restored = Fact.objects.get(pk=fact.pk)
    assert restored.key == fact.key and restored.text == "The studio doubted the picture."
    back = restored.citations.get()
    assert (back.pk, back.quote, back.start, back.end) == (citation.pk, citation.quote, citation.start, citation.end)


def test_reverting_to_a_version_whose_citation_no_longer_matches_is_refused_clearly(editor_client, fact):
    citation = fact.citations.get()
    first = versions_of(fact).first()
    source = citation.source
    source.content = "New opening words.\n\n" + source.content
    source.save()
    # The citation was re-anchored since (as a source edit does), so the old version's offsets are stale.
    Citation.objects.filter(pk=citation.pk).update(
        start=citation.start + 20, end=citation.end + 20, paragraph=citation.paragraph + 1
    )
    url = reverse("admin:trivia_fact_revision", args=[fact.pk, first.pk])
    page = editor_client.get(url)
    response = editor_client.post(url, form_data_from_page(page), follow=True)
    assert response.status_code == 200
    messages = [str(m) for m in response.context["messages"]]
    assert any(m.startswith("This version cannot be restored as it was:") for m in messages)
    citation.refresh_from_db()
    assert citation.start == citation.source.content.index(citation.quote)


def test_reverting_a_source_text_re_anchors_its_citations(editor_client):
    with reversion.create_revision():
        source = SourceFactory(content="First paragraph.\n\nThe cited words.")
    citation = CitationFactory(source=source, quote="The cited words.", start=18, end=34)
    url = reverse("admin:trivia_source_change", args=[source.pk])
    edited = "An added paragraph.\n\n" + source.content
    assert editor_client.post(url, source_form_data(source, content=edited)).status_code == 302
    citation.refresh_from_db()
    assert citation.start == edited.index("The cited words.")

    first = versions_of(source).first()
    revert_url = reverse("admin:trivia_source_revision", args=[source.pk, first.pk])
    page = editor_client.get(revert_url)
    assert editor_client.post(revert_url, form_data_from_page(page)).status_code == 302
    source.refresh_from_db()
    citation.refresh_from_db()
    assert source.content == "First paragraph.\n\nThe cited words."
    assert (citation.start, citation.is_broken) == (18, False)


def test_history_lives_outside_the_trivia_fixture_dump(fact):
    out = io.StringIO()
    call_command("dumpdata", "trivia", stdout=out)
    assert '"model": "trivia.fact"' in out.getvalue()
    assert "reversion" not in out.getvalue()
    assert Source.objects.exists() and Version.objects.exists()


def test_reverting_a_source_edit_that_moved_citations_puts_them_back_with_the_text(editor_client):
    """The edit's revision holds the re-anchored citations too; reverting past it must leave them sound."""
    with reversion.create_revision():
        source = SourceFactory(content="First paragraph.\n\nThe cited words.")
        citation = CitationFactory(source=source, quote="The cited words.", start=18, end=34)
    url = reverse("admin:trivia_source_change", args=[source.pk])
    once = "An added paragraph.\n\n" + source.content
    editor_client.post(url, source_form_data(source, content=once))
    source.refresh_from_db()
    twice = "Another one.\n\n" + once
    editor_client.post(url, source_form_data(source, content=twice))
    citation.refresh_from_db()
    assert citation.start == twice.index("The cited words.")

    middle = list(versions_of(source))[1]  # the first edit, whose revision moved the citation
    revert_url = reverse("admin:trivia_source_revision", args=[source.pk, middle.pk])
    page = editor_client.get(revert_url)
    assert editor_client.post(revert_url, form_data_from_page(page)).status_code == 302
    source.refresh_from_db()
    citation.refresh_from_db()
    assert source.content == once
    assert (citation.start, citation.is_broken) == (once.index("The cited words."), False)


def test_deleting_facts_from_the_list_records_each_with_its_citations_for_recovery(editor_client):
    facts = [CitationFactory().fact for _ in range(3)]
    response = editor_client.post(
        reverse("admin:trivia_fact_changelist"),
        {"action": "delete_selected", "_selected_action": [f.pk for f in facts], "post": "yes"},
    )
    assert response.status_code == 302
    assert not Fact.objects.exists()
    deleted = Version.objects.get_deleted(Fact)
    assert deleted.count() == 3
    for version in deleted:
        assert version.revision.comment == "Deleted"
        assert version.revision.version_set.filter(content_type__model="citation").count() == 3
