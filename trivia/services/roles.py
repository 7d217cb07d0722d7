"""Roles: the Editors group and editor accounts."""

from dataclasses import dataclass

from django.db import transaction

EDITORS_GROUP = "Editors"
# What an editor may do, and nothing else: no deleting sources, people, films or topics,
# no users, groups or permissions. History pages need only view permission.
EDITOR_PERMISSIONS = sorted(
    [
        f"{action}_{model}"
        for model in ("film", "person", "credit", "topic", "fact", "citation", "source")
        for action in ("add", "change", "view")
    ]
    + ["delete_fact", "delete_citation"]
)


class RolesError(Exception):
    """Roles cannot be set up; the message says why."""


@dataclass
class RolesReport:
    created_group: bool
    added: list[str]
    removed: list[str]

    def summary(self) -> str:
        if not (self.created_group or self.added or self.removed):
            return f"The {EDITORS_GROUP} group already has exactly its {len(EDITOR_PERMISSIONS)} permissions."
        parts = [f"Created the {EDITORS_GROUP} group." if self.created_group else f"Updated the {EDITORS_GROUP} group."]
        if self.added:
            parts.append(f"Granted: {', '.join(self.added)}.")
        if self.removed:
            parts.append(f"Revoked: {', '.join(self.removed)}.")
        return " ".join(parts)


@transaction.atomic
def ensure_editors_group() -> RolesReport:
    """Create or correct the Editors group so it holds exactly `EDITOR_PERMISSIONS`. Idempotent."""
    from django.contrib.auth.models import Group, Permission

    permissions = list(Permission.objects.filter(content_type__app_label="trivia", codename__in=EDITOR_PERMISSIONS))
    missing = set(EDITOR_PERMISSIONS) - {p.codename for p in permissions}
    if missing:
        raise RolesError(
            f"Permissions missing from the database: {', '.join(sorted(missing))}. Run `manage.py migrate` first."
        )
    group, created = Group.objects.get_or_create(name=EDITORS_GROUP)
    before = {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")}
    after = {f"trivia.{p.codename}" for p in permissions}
    group.permissions.set(permissions)
    return RolesReport(created_group=created, added=sorted(after - before), removed=sorted(before - after))


@transaction.atomic
def create_editor(username: str, password: str):
    """A staff account in the Editors group; raises `RolesError` saying what is wrong."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    user_model = get_user_model()
    username = (username or "").strip()
    if not username:
        raise RolesError("The username is empty.")
    if user_model._default_manager.filter(**{user_model.USERNAME_FIELD: username}).exists():
        raise RolesError(f"A user called {username!r} already exists; choose another username.")
    if not password:
        raise RolesError("The password is empty.")
    user = user_model(**{user_model.USERNAME_FIELD: username}, is_staff=True)
    try:
        user.full_clean(exclude=["password"])
        validate_password(password, user)
    except ValidationError as exc:
        raise RolesError(" ".join(exc.messages)) from None
    ensure_editors_group()
    user.set_password(password)
    user.save()
    user.groups.add(Group.objects.get(name=EDITORS_GROUP))
    return user
