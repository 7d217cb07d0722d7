"""What every editorial ModelAdmin shares: history, recorded deletions, optimistic locks."""

import reversion
from django.contrib import admin, messages
from django.contrib.admin.utils import quote, unquote
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError
from django.shortcuts import redirect
from reversion.admin import VersionAdmin
from reversion.models import Version

from .. import integrity
from ..services import editing
from . import history


class EditorialAdmin(VersionAdmin):
    """History with a readable diff, newest first; deletions recorded with who deleted."""

    history_latest_first = True

    class Media:
        # Gives the autocomplete (select2) widgets accessible names; see the script.
        js = ["js/admin-autocomplete-labels.js"]
        # Badges, banners, held saves and diffs of the editorial screens.
        css = {"all": ["css/admin-editorial.css"]}

    def history_view(self, request, object_id, extra_context=None):
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        versions = (
            Version.objects.get_for_object_reference(self.model, unquote(object_id))
            .select_related("revision__user")
            .order_by("pk")
        )
        entries = history.history_entries(self, unquote(object_id), versions)
        for entry in entries:
            entry.changes_html = history.render_changes(entry)
        context = {"action_list": list(reversed(entries)), "readable_history": True}
        context.update(extra_context or {})
        return super().history_view(request, object_id, context)

    def delete_model(self, request, obj):
        # Snapshot the row (a fact with its citations) as the deleting user's revision, so
        # "Recover deleted" brings back its last state and the history says who deleted it.
        with self.create_revision(request):
            reversion.set_comment("Deleted")
            reversion.add_to_revision(obj)
        super().delete_model(request, obj)

    def changelist_view(self, request, extra_context=None):
        if request.method == "POST" and request.POST.get("action") == "delete_selected":
            # reversion wraps the whole list view in one revision, saved at its end, and a
            # revision keeps only rows that still exist then: the deletion snapshot taken in
            # delete_queryset would be dropped. Without the wrapper it is saved first.
            context = {"has_change_permission": self.has_change_permission(request), **(extra_context or {})}
            return admin.ModelAdmin.changelist_view(self, request, context)
        return super().changelist_view(request, extra_context)

    def delete_queryset(self, request, queryset):
        with self.create_revision(request):
            reversion.set_comment("Deleted")
            for obj in self.with_history_relations(queryset):
                reversion.add_to_revision(obj)
        super().delete_queryset(request, queryset)

    def with_history_relations(self, queryset):
        """`queryset` with what a history snapshot of each row reads (overridden where that is a lot)."""
        return queryset

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except (editing.StaleEdit, IntegrityError):
            pass
        # Lost a race after the form's checks (another save took the version, or a unique
        # slug or name): the transaction was rolled back. Run the form again; its checks now
        # see the other save and say so, with the editor's input kept.
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except (editing.StaleEdit, IntegrityError):
            # Saves keep landing between check and save: give up cleanly, write nothing.
            messages.error(request, "Others are saving this right now; your changes were not saved. Try again.")
            opts = self.model._meta
            if object_id is None:
                return redirect(f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_add")
            return redirect(f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_change", quote(object_id))


class LockedAdmin(EditorialAdmin):
    """Optimistic locking for models with `lock_version` (facts, sources).

    The form refuses a stale save with a message; `save_model` then claims the version
    with a conditional UPDATE. If another save slipped in between the two, the claim
    fails and the form is shown again, now explaining the conflict: nothing is written.
    """

    def save_model(self, request, obj, form, change):
        locked = form.lock_target() if change and hasattr(form, "lock_target") else None
        if locked is not None:
            new_version = editing.claim_lock_version(type(locked), locked.pk, form.cleaned_data["seen_lock_version"])
            locked.lock_version = new_version
        super().save_model(request, obj, form, change)
        if locked is not None and locked is not obj:
            # A citation edited on its own page is a change to its fact: record the fact
            # (with its citations) in the same revision, so the fact's history shows it.
            reversion.add_to_revision(locked)

    # Reverting writes the old version raw; trivia/signals.py keeps the lock moving forward
    # and re-anchors a source's citations to the restored text, as for any raw save.
    def revision_view(self, request, object_id, version_id, extra_context=None):
        return self.refuse_unsound_revert(request, super().revision_view, object_id, version_id, extra_context)

    def recover_view(self, request, version_id, extra_context=None):
        return self.refuse_unsound_revert(request, super().recover_view, version_id, extra_context)

    def refuse_unsound_revert(self, request, view, *args):
        try:
            return view(request, *args)
        except integrity.ProvenanceError as exc:
            # An old citation no longer matches its source (the source was edited since).
            messages.error(request, f"This version cannot be restored as it was: {exc} Edit the current one instead.")
            opts = self.model._meta
            return redirect(f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_changelist")
