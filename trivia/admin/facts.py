"""Facts: the claim, then its citations, then the rest; bulk publishing and spoiler flags.

The form is citation-first (text, citations, then film, topic, people, publishing and the
key), opens pre-filled from a passage selected in the workbench, and starts with a banner
listing any broken citation. The list shows each fact's text wide, and a coloured badge on
facts whose citations need attention.
"""

from html import unescape

from django.contrib import admin, messages
from django.db.models import Count, Exists, OuterRef, Prefetch, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpResponseRedirect
from django.utils.html import format_html, strip_tags

from .. import text
from ..models import Citation, Fact
from ..services import editing
from . import imports_exports, selection
from .base import LockedAdmin
from .citations import CitationInline
from .forms import FactForm
from .workbench import workbench_url


class BrokenCitationFilter(admin.SimpleListFilter):
    title = "broken citation"
    parameter_name = "broken"

    def lookups(self, request, model_admin):
        return [("yes", "Has a broken citation"), ("no", "No broken citation")]

    def queryset(self, request, queryset):
        broken = Exists(Citation.objects.filter(fact=OuterRef("pk"), is_broken=True))
        if self.value() == "yes":
            return queryset.filter(broken)
        if self.value() == "no":
            return queryset.filter(~broken)
        return queryset


@admin.register(Fact)
class FactAdmin(LockedAdmin):
    # Newest first, by primary key: sorting by an unindexed column is slow at scale (docs/performance.md).
    ordering = ["-pk"]
    form = FactForm
    inlines = [CitationInline]
    # The claim first and wide; then what editors act on (status, spoiler, citations); then where it belongs.
    list_display = ["summary", "status_label", "spoiler_label", "citations_label", "topic", "film"]
    list_filter = ["status", "is_spoiler", BrokenCitationFilter, "film", "topic", "citations__source"]
    list_select_related = ["film", "topic"]
    search_fields = ["text", "key"]
    # Topics are few: a plain list, which also works without JavaScript (a fact made from a workbench
    # paragraph link has its film and citation filled in; the topic is the one choice left).
    autocomplete_fields = ["film", "people"]
    date_hierarchy = "updated_at"
    actions = [
        "publish",
        "unpublish",
        "mark_spoiler",
        "unmark_spoiler",
        imports_exports.export_selected_facts,
        imports_exports.export_selected_facts_csv,
    ]
    # Adds the "Export all" links (trivia/admin/imports_exports.py).
    change_list_template = "admin/trivia/fact/io_change_list.html"
    # Rendered citation-first by templates/admin/trivia/fact/change_form.html: the first fieldset, the
    # citations, then the others.
    fieldsets = [
        (None, {"fields": ["text", "seen_lock_version"]}),
        ("About", {"fields": ["film", "topic", "people"]}),
        ("Publishing", {"fields": ["status", "published_at", "is_spoiler", "position"]}),
        ("Permanent link", {"fields": ["key"]}),
    ]

    def get_urls(self):
        return imports_exports.export_urls(self) + super().get_urls()

    def with_history_relations(self, queryset):
        # A fact's snapshot holds its people and its citations (whose str() names the source).
        cited = Citation.objects.select_related("source").defer("source__content")
        return queryset.prefetch_related("people", Prefetch("citations", queryset=cited))

    def get_readonly_fields(self, request, obj=None):
        # The key is the permalink: chosen once, never changed. The first publication is
        # dated by trivia/publishing.py, never typed.
        return ["key", "published_at"] if obj is not None else ["published_at"]

    def get_queryset(self, request):
        # Counted in the same query: a column per row must not cost a query per row. As
        # correlated subqueries, not a JOIN + GROUP BY: at 100,000 facts the grouped form
        # made every changelist query (rows, counts, date list) aggregate the whole table.
        citations = Citation.objects.filter(fact=OuterRef("pk")).order_by()
        citation_total = citations.values("fact").annotate(total=Count("pk")).values("total")
        return (
            super()
            .get_queryset(request)
            .select_related("film", "topic")
            .annotate(
                citation_total=Coalesce(Subquery(citation_total), 0),
                has_broken=Exists(citations.filter(is_broken=True)),
            )
        )

    @admin.display(description="fact", ordering="text")
    def summary(self, obj):
        one_line = " ".join(obj.text.split())
        return format_html('<span title="{}">{}</span>', one_line, text.shorten(one_line, 120))

    @admin.display(description="status", ordering="status")
    def status_label(self, obj):
        if obj.is_published:
            return "Published"
        return format_html('<span class="ed-badge ed-badge-draft">{}</span>', "Draft")

    @admin.display(description="spoiler", ordering="is_spoiler")
    def spoiler_label(self, obj):
        # Words, not the admin's red cross: "not a spoiler" is not an error.
        if obj.is_spoiler:
            return format_html('<span class="ed-badge ed-badge-spoiler">{}</span>', "Spoiler")
        return format_html('<span class="quiet" aria-label="{}">{}</span>', "not a spoiler", "–")

    @admin.display(description="citations", ordering="has_broken")
    def citations_label(self, obj):
        # A coloured badge with words for "needs attention"; a quiet count when all is well.
        if obj.has_broken:
            badge = '<span class="ed-badge ed-badge-attention">needs attention</span>'
            return format_html(badge + ' <span class="quiet">({} cited)</span>', obj.citation_total)
        if not obj.citation_total:
            return format_html('<span class="ed-badge ed-badge-uncited">{}</span>', "none")
        return format_html('<span class="quiet">{} ok</span>', obj.citation_total)

    # --- The form: pre-filled from a selection, broken citations on top, errors summarised -------------

    def get_formset_kwargs(self, request, obj, inline, prefix):
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        if request.method == "GET" and obj.pk is None and isinstance(inline, CitationInline):
            passage, _ = selection.selection_from(request.GET)
            if passage is not None:
                kwargs["initial"] = [
                    {
                        "source": passage.source.pk,
                        "quote": passage.quote,
                        "selection_start": passage.start,
                        "selection_end": passage.end,
                    }
                ]
        return kwargs

    def add_view(self, request, form_url="", extra_context=None):
        passage, problem = selection.selection_from(request.GET)
        if problem and request.method == "GET":
            messages.warning(request, f"The selected passage is not filled in: {problem}")
        context = {"selection": passage, **(extra_context or {})}
        if passage is not None:
            context["selection_workbench_url"] = workbench_url(passage.source.pk, paragraph=passage.paragraph)
        return super().add_view(request, form_url, context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        context = {"broken_citations": broken_citations_banner(object_id), **(extra_context or {})}
        return super().change_view(request, object_id, form_url, context)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if context.get("errors"):
            context["error_summary"] = error_summary(context["adminform"].form, context["inline_admin_formsets"])
        return super().render_change_form(request, context, add, change, form_url, obj)

    def response_add(self, request, obj, post_url_continue=None):
        response = super().response_add(request, obj, post_url_continue)
        stays = {"_continue", "_addanother", "_popup", "_saveasnew"} & set(request.POST)
        if selection.is_requested(request.GET) and not stays:
            # Made from the workbench: back to it, at the paragraph just cited, for the next selection.
            cited = obj.citations.order_by("pk").first()
            if cited is not None:
                return HttpResponseRedirect(
                    workbench_url(cited.source_id, paragraph=cited.paragraph, film_id=obj.film_id)
                )
        return response

    def apply(self, request, queryset, verb, **values):
        report = editing.update_facts(queryset, user=request.user, comment=f"{verb} from the fact list", **values)
        self.message_user(request, f"{verb}: {report.changed} fact(s).", messages.SUCCESS)
        for fact, reason in report.skipped:
            self.message_user(request, f"Not {verb.lower()}: “{fact}” — {reason}.", messages.WARNING)

    @admin.action(description="Publish selected facts", permissions=["change"])
    def publish(self, request, queryset):
        self.apply(request, queryset, "Published", status=Fact.Status.PUBLISHED)

    @admin.action(description="Unpublish selected facts (back to draft)", permissions=["change"])
    def unpublish(self, request, queryset):
        self.apply(request, queryset, "Unpublished", status=Fact.Status.DRAFT)

    @admin.action(description="Mark selected facts as spoilers", permissions=["change"])
    def mark_spoiler(self, request, queryset):
        self.apply(request, queryset, "Marked as spoiler", is_spoiler=True)

    @admin.action(description="Unmark selected facts as spoilers", permissions=["change"])
    def unmark_spoiler(self, request, queryset):
        self.apply(request, queryset, "Unmarked as spoiler", is_spoiler=False)


def broken_citations_banner(object_id) -> list[dict]:
    """The fact's broken citations for the banner above its form, each with its paragraph in the workbench."""
    fact_id = selection.parse_number(object_id)
    if fact_id is None:
        return []
    citations = (
        Citation.objects.filter(fact_id=fact_id, is_broken=True)
        .select_related("source")
        .only("quote", "paragraph", "broken_reason", "source__title")
        .order_by("pk")
    )
    return [{"citation": c, "workbench_url": workbench_url(c.source_id, paragraph=c.paragraph)} for c in citations]


def plain(message) -> str:
    """An error message (some carry links and buttons) as one line of text, shortened for the summary."""
    return text.shorten(" ".join(unescape(strip_tags(str(message).replace("<", " <"))).split()), 110)


def error_summary(form, inline_admin_formsets) -> list[tuple[str, str]]:
    """(message, link to the field) for each error, listed under "Please correct the errors below"."""
    items = []
    for name, errors in form.errors.items():
        if name in form.fields:
            label = form.fields[name].label or name.replace("_", " ").capitalize()
            items.append((f"{label}: {plain(errors[0])}", f"#{form[name].auto_id}"))
    for inline in inline_admin_formsets:
        formset = inline.formset
        for error in formset.non_form_errors():
            items.append((plain(error), f"#{formset.prefix}-group"))
        for index, citation_form in enumerate(formset.forms):
            for errors in citation_form.errors.values():
                items.append((f"Citation {index + 1}: {plain(errors[0])}", f"#{formset.prefix}-{index}"))
    return items
