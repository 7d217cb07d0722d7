"""Sources: the verbatim text citations point into; a text edit re-anchors or flags them."""

from django.contrib import admin, messages
from django.db.models import Count, Q

from .. import text
from ..models import Source
from ..services import anchoring
from . import imports_exports
from .base import LockedAdmin
from .forms import SourceForm


@admin.register(Source)
class SourceAdmin(LockedAdmin):
    ordering = ["title"]
    form = SourceForm
    list_display = ["title", "kind", "author", "accessed", "citation_count", "broken_count", "updated_at"]
    list_filter = ["kind"]
    search_fields = ["title", "slug", "author", "publisher"]
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = ["sha256", "updated_at"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "kind", "url", "author", "publisher", "accessed", "seen_lock_version"]}),
        (
            "Text",
            {
                "fields": ["content", "sha256", "updated_at"],
                "description": "Editing the text re-anchors every citation of this source; a citation "
                "whose quote is gone or now ambiguous is marked broken, never moved to a look-alike.",
            },
        ),
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                citation_total=Count("citations", distinct=True),
                broken_total=Count("citations", filter=Q(citations__is_broken=True), distinct=True),
            )
        )

    @admin.display(description="citations", ordering="citation_total")
    def citation_count(self, obj):
        return obj.citation_total

    @admin.display(description="broken", ordering="broken_total")
    def broken_count(self, obj):
        return obj.broken_total

    # Upload-or-paste on the add page, and draft facts from paragraphs (trivia/admin/imports_exports.py).
    actions = [imports_exports.create_draft_facts]

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = imports_exports.SourceAddForm
        return super().get_form(request, obj, **kwargs)

    def get_fieldsets(self, request, obj=None):
        return imports_exports.SOURCE_ADD_FIELDSETS if obj is None else super().get_fieldsets(request, obj)

    def save_model(self, request, obj, form, change):
        report = anchoring.reanchor_for_edit(obj, form.initial.get("content") if change else None)
        super().save_model(request, obj, form, change)
        if report is not None:
            level = messages.WARNING if report.broken else messages.SUCCESS
            self.message_user(request, f"The text changed: {report.summary()}", level)
            for citation, reason in report.broken:
                self.message_user(
                    request,
                    f"Broken: fact {citation.fact.key!r} — “{text.shorten(citation.quote, 60)}”: {reason}",
                    level,
                )
