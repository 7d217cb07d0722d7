"""Sources: the verbatim text citations point into; a text edit re-anchors or flags them.

An edit that would break citations of published facts is held: the form comes back with
what re-anchoring would do (a dry run of `services.anchoring`), and only a save with the
confirmation changes the text. The workbench (trivia/admin/workbench.py) is linked from
the list and the change page.
"""

from django.contrib import admin, messages
from django.db.models import Count, Q
from django.urls import reverse
from django.utils.html import format_html

from .. import coverage, text
from ..models import Source
from ..services import anchoring
from . import imports_exports, workbench
from .base import LockedAdmin
from .forms import SourceForm


class UncitedParagraphsFilter(admin.SimpleListFilter):
    title = "uncited paragraphs"
    parameter_name = "uncited"

    def lookups(self, request, model_admin):
        return [("yes", "Has uncited paragraphs"), ("no", "Every paragraph cited")]

    def queryset(self, request, queryset):
        if self.value() not in ("yes", "no"):
            return queryset
        with_uncited = [pk for pk, counted in coverage.coverage_by_source().items() if counted.uncited]
        if self.value() == "yes":
            return queryset.filter(pk__in=with_uncited)
        return queryset.exclude(pk__in=with_uncited)


@admin.register(Source)
class SourceAdmin(LockedAdmin):
    ordering = ["title"]
    form = SourceForm
    list_display = ["title", "kind", "author", "citation_count", "broken_count", "uncited_count", "workbench_link"]
    list_filter = ["kind", UncitedParagraphsFilter]
    search_fields = ["title", "slug", "author", "publisher"]
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = ["sha256", "updated_at", "citations_summary"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "kind", "url", "author", "publisher", "accessed", "seen_lock_version"]}),
        (
            "Text",
            {
                "fields": ["citations_summary", "content", "sha256", "updated_at"],
                "description": "Editing the text re-anchors every citation of this source; a citation "
                "whose quote is gone or now ambiguous is marked broken, never moved to a look-alike. "
                "An edit that would break citations of published facts asks you to confirm it first.",
            },
        ),
    ]

    def get_urls(self):
        return workbench.workbench_urls(self) + super().get_urls()

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                citation_total=Count("citations", distinct=True),
                broken_total=Count("citations", filter=Q(citations__is_broken=True), distinct=True),
            )
        )

    def get_changelist_instance(self, request):
        # Uncited paragraphs come from the text, not SQL: counted once for the page (trivia/coverage.py).
        changelist = super().get_changelist_instance(request)
        counted = coverage.coverage_by_source()
        for source in changelist.result_list:
            source.coverage = counted.get(source.pk)
        return changelist

    @admin.display(description="citations", ordering="citation_total")
    def citation_count(self, obj):
        return obj.citation_total

    @admin.display(description="broken", ordering="broken_total")
    def broken_count(self, obj):
        if not obj.broken_total:
            return "0"
        return format_html('<span class="ed-badge ed-badge-attention">{} broken</span>', obj.broken_total)

    @admin.display(description="uncited paragraphs")
    def uncited_count(self, obj):
        counted = getattr(obj, "coverage", None)
        if counted is None:
            return "–"
        return f"{counted.uncited} of {counted.paragraphs}"

    @admin.display(description="workbench")
    def workbench_link(self, obj):
        url = reverse("admin:trivia_source_workbench", args=[obj.pk])
        return format_html('<a href="{}">Open<span class="visually-hidden"> the workbench of {}</span></a>', url, obj)

    @admin.display(description="Citations")
    def citations_summary(self, obj):
        if obj is None or obj.pk is None:
            return "None yet."
        spans = list(obj.citations.filter(is_broken=False).values_list("start", "end"))
        broken = obj.citations.filter(is_broken=True).count()
        counted = coverage.coverage_of(obj.content, spans)
        return format_html(
            '{} sound citation{}, {} broken; {} of {} paragraph{} uncited. <a href="{}">Open the workbench</a> '
            "to see every cited passage and its facts.",
            len(spans),
            "" if len(spans) == 1 else "s",
            broken,
            counted.uncited,
            counted.paragraphs,
            "" if counted.paragraphs == 1 else "s",
            reverse("admin:trivia_source_workbench", args=[obj.pk]),
        )

    # Upload-or-paste on the add page, and draft facts from paragraphs (trivia/admin/imports_exports.py).
    actions = [imports_exports.create_draft_facts]

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = imports_exports.SourceAddForm
        return super().get_form(request, obj, **kwargs)

    def get_fieldsets(self, request, obj=None):
        return imports_exports.SOURCE_ADD_FIELDSETS if obj is None else super().get_fieldsets(request, obj)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        preview = getattr(context["adminform"].form, "text_change_preview", None)
        if preview is not None:
            context["text_change"] = text_change_rows(preview, context["adminform"].form.text_change_content)
        return super().render_change_form(request, context, add, change, form_url, obj)

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


def text_change_rows(preview: anchoring.ReanchorReport, new_content: str) -> dict:
    """What the held edit would do, ready to list: citations that break (published first) and that move."""
    spans = text.paragraphs(new_content)
    broken = sorted(preview.broken, key=lambda pair: (not pair[0].fact.is_published, pair[0].pk))
    return {
        "broken": [{"citation": citation, "reason": reason} for citation, reason in broken],
        "published_broken": sum(1 for citation, _ in broken if citation.fact.is_published),
        "moved": [
            {"citation": c, "new_paragraph": text.paragraph_number(new_content, c.start, spans)} for c in preview.moved
        ],
        "repaired": preview.repaired,
        "unchanged": preview.unchanged,
    }
