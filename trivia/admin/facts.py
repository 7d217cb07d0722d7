"""Facts: the claim, its topic and people, its citations inline; bulk publishing and spoiler flags."""

from django.contrib import admin, messages
from django.db.models import Count, Exists, OuterRef, Prefetch, Subquery
from django.db.models.functions import Coalesce

from .. import text
from ..models import Citation, Fact
from ..services import editing
from . import imports_exports
from .base import LockedAdmin
from .citations import CitationInline
from .forms import FactForm


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
    # What editors act on first (status, spoiler, citations), then where the fact belongs.
    list_display = ["summary", "status", "is_spoiler", "needs_attention", "citation_count", "topic", "film"]
    list_filter = ["status", "is_spoiler", BrokenCitationFilter, "film", "topic", "citations__source"]
    list_select_related = ["film", "topic"]
    search_fields = ["text", "key"]
    autocomplete_fields = ["film", "topic", "people"]
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
    fieldsets = [
        (None, {"fields": ["key", "film", "topic", "text", "people", "seen_lock_version"]}),
        ("Publishing", {"fields": ["status", "published_at", "is_spoiler", "position"]}),
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
        return text.shorten(obj.text, 90)

    @admin.display(description="citations", ordering="citation_total")
    def citation_count(self, obj):
        return obj.citation_total

    @admin.display(description="citations OK?", ordering="has_broken")
    def needs_attention(self, obj):
        # Words, not the admin's green tick: a tick for "has a broken citation" reads as "fine".
        return "needs attention" if obj.has_broken else "ok"

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
