"""Roles: the Editors group, editor accounts, and what an editor may and may not do in the admin."""

import io
from unittest import mock

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.management import CommandError, call_command
from django.db.models import ProtectedError
from django.urls import reverse

from tests.factories import CitationFactory, FactFactory, SourceFactory
from trivia.models import Fact, Source
from trivia.services.roles import EDITOR_PERMISSIONS, EDITORS_GROUP, create_editor

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor():
    return create_editor("edna", "a-long-enough-passphrase")


def editors_permissions():
    return sorted(Group.objects.get(name=EDITORS_GROUP).permissions.values_list("codename", flat=True))


def test_setup_roles_creates_editors_with_exactly_the_listed_permissions():
    out = io.StringIO()
    call_command("setup_roles", stdout=out)
    assert "Created the Editors group" in out.getvalue()
    assert editors_permissions() == EDITOR_PERMISSIONS
    assert "delete_source" not in EDITOR_PERMISSIONS
    assert {"delete_fact", "delete_citation", "view_source", "change_fact"} <= set(EDITOR_PERMISSIONS)


def test_second_setup_roles_run_changes_nothing():
    call_command("setup_roles", stdout=io.StringIO())
    out = io.StringIO()
    call_command("setup_roles", stdout=out)
    assert "already has exactly its" in out.getvalue()
    assert editors_permissions() == EDITOR_PERMISSIONS


def test_setup_roles_revokes_a_permission_added_by_hand():
    call_command("setup_roles", stdout=io.StringIO())
    group = Group.objects.get(name=EDITORS_GROUP)
    group.permissions.add(Permission.objects.get(codename="delete_source"), Permission.objects.get(codename="add_user"))
    out = io.StringIO()
    call_command("setup_roles", stdout=out)
    assert "Revoked: auth.add_user, trivia.delete_source." in out.getvalue()
    assert editors_permissions() == EDITOR_PERMISSIONS


def test_create_editor_reads_the_password_from_stdin():
    out = io.StringIO()
    with mock.patch("sys.stdin", io.StringIO("a-long-enough-passphrase\n")):
        call_command("create_editor", "edna", "--password-stdin", stdout=out)
    assert "Created editor 'edna'" in out.getvalue()
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.get(username="edna")
    assert user.is_staff and not user.is_superuser
    assert user.check_password("a-long-enough-passphrase")
    assert list(user.groups.values_list("name", flat=True)) == [EDITORS_GROUP]


def test_create_editor_prompts_twice_for_the_password_on_a_terminal(django_user_model):
    with (
        mock.patch("sys.stdin.isatty", return_value=True),
        mock.patch("getpass.getpass", side_effect=["a-long-enough-passphrase", "a-long-enough-passphrase"]),
    ):
        call_command("create_editor", "edna", stdout=io.StringIO())
    assert django_user_model.objects.get(username="edna").check_password("a-long-enough-passphrase")


def test_create_editor_refuses_mismatched_prompted_passwords(django_user_model):
    with (
        mock.patch("sys.stdin.isatty", return_value=True),
        mock.patch("getpass.getpass", side_effect=["a-long-enough-passphrase", "another-passphrase"]),
        pytest.raises(CommandError, match="differ"),
    ):
        call_command("create_editor", "edna", stdout=io.StringIO())
    assert not django_user_model.objects.exists()


@pytest.mark.parametrize(
    ("password", "message"),
    [("", "The password is empty"), ("password", "too common"), ("12345678901", "entirely numeric")],
)
def test_create_editor_refuses_a_bad_password_and_writes_nothing(django_user_model, password, message):
    with mock.patch("sys.stdin", io.StringIO(password + "\n")), pytest.raises(CommandError, match=message):
        call_command("create_editor", "edna", "--password-stdin", stdout=io.StringIO())
    assert not django_user_model.objects.filter(username="edna").exists()


def test_create_editor_refuses_an_existing_username(editor):
    with (
        mock.patch("sys.stdin", io.StringIO("another-long-passphrase\n")),
        pytest.raises(CommandError, match="'edna' already exists"),
    ):
        call_command("create_editor", "edna", "--password-stdin", stdout=io.StringIO())


def test_anonymous_visitor_is_sent_to_the_login_page(client):
    fact = FactFactory()
    for url in [reverse("admin:index"), reverse("admin:trivia_fact_change", args=[fact.pk])]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))
        assert "next=" in response["Location"]


def test_editor_can_open_and_change_every_trivia_page(client, editor):
    citation = CitationFactory()
    client.force_login(editor)
    for name in ["film", "person", "credit", "topic", "fact", "citation", "source"]:
        assert client.get(reverse(f"admin:trivia_{name}_changelist")).status_code == 200, name
        assert client.get(reverse(f"admin:trivia_{name}_add")).status_code == 200, name
    fact = citation.fact
    assert client.get(reverse("admin:trivia_fact_change", args=[fact.pk])).status_code == 200
    assert client.get(reverse("admin:trivia_fact_history", args=[fact.pk])).status_code == 200
    assert client.get(reverse("admin:trivia_source_history", args=[citation.source.pk])).status_code == 200


def test_editor_may_delete_a_fact(client, editor):
    fact = CitationFactory().fact
    client.force_login(editor)
    response = client.post(reverse("admin:trivia_fact_delete", args=[fact.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not Fact.objects.filter(pk=fact.pk).exists()


def test_editor_may_not_delete_a_source_by_url_or_by_action(client, editor):
    source = SourceFactory()
    client.force_login(editor)
    assert client.post(reverse("admin:trivia_source_delete", args=[source.pk]), {"post": "yes"}).status_code == 403
    changelist = client.get(reverse("admin:trivia_source_changelist"))
    assert "delete_selected" not in changelist.content.decode()
    client.post(
        reverse("admin:trivia_source_changelist"),
        {"action": "delete_selected", "_selected_action": [source.pk], "post": "yes"},
    )
    assert Source.objects.filter(pk=source.pk).exists()


def test_editor_may_not_touch_users_groups_or_permissions(client, editor, django_user_model):
    client.force_login(editor)
    for url in [
        reverse("admin:auth_user_changelist"),
        reverse("admin:auth_user_add"),
        reverse("admin:auth_user_change", args=[editor.pk]),
        reverse("admin:auth_group_changelist"),
        reverse("admin:auth_group_change", args=[Group.objects.get(name=EDITORS_GROUP).pk]),
    ]:
        assert client.get(url).status_code == 403, url
    response = client.post(reverse("admin:auth_user_change", args=[editor.pk]), {"is_superuser": "on"})
    assert response.status_code == 403
    editor.refresh_from_db()
    assert not editor.is_superuser
    assert "Users" not in client.get(reverse("admin:index")).content.decode()


def test_a_cited_source_cannot_be_deleted_even_by_a_superuser(client, django_user_model):
    citation = CitationFactory()
    boss = django_user_model.objects.create_superuser("boss", "boss@example.com", "pw")
    client.force_login(boss)
    response = client.post(reverse("admin:trivia_source_delete", args=[citation.source.pk]), {"post": "yes"})
    assert response.status_code == 200
    assert "would require deleting the following protected related objects" in response.content.decode()
    assert Source.objects.filter(pk=citation.source.pk).exists()
    with pytest.raises(ProtectedError):
        citation.source.delete()


def test_a_view_only_user_is_offered_no_actions_and_cannot_publish(client, django_user_model):
    viewer = django_user_model.objects.create_user("vera", password="pw", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_fact"))
    fact = CitationFactory(fact__status=Fact.Status.DRAFT).fact
    client.force_login(viewer)
    changelist = reverse("admin:trivia_fact_changelist")
    page = client.get(changelist)
    assert page.status_code == 200
    assert 'value="publish"' not in page.content.decode()
    client.post(changelist, {"action": "publish", "_selected_action": [fact.pk]})
    fact.refresh_from_db()
    assert fact.status == Fact.Status.DRAFT
    assert client.post(reverse("admin:trivia_fact_change", args=[fact.pk]), {"text": "x"}).status_code == 403


def test_create_editor_refuses_a_username_django_would_not_accept(django_user_model):
    with (
        mock.patch("sys.stdin", io.StringIO("a-long-enough-passphrase\n")),
        pytest.raises(CommandError, match="Enter a valid username"),
    ):
        call_command("create_editor", "no spaces allowed", "--password-stdin", stdout=io.StringIO())
    assert not django_user_model.objects.exists()
