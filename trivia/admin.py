"""The editorial admin: correct and add entries safely.

Every ModelAdmin stands on reversion's `VersionAdmin` (history, revert, recover deleted),
with a readable field-by-field diff on the history page (`trivia/history.py`). Facts and
sources refuse a save from a stale form (`LockedAdmin`); citations are anchored from a
pasted quote (`trivia/forms.py`); a source text edit re-anchors or flags its citations
(`services.reanchor_citations`). Changelist queries are fixed in number whatever the row
count: related rows are joined or annotated in `get_queryset`.
"""

import reversion
from django.contrib import admin, messages
from django.contrib.admin.utils import quote, unquote
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.html import format_html
from reversion.admin import VersionAdmin
from reversion.models import Version

from . import admin_io, history, services, text
from .forms import CitationForm, CitationInlineFormSet, FactForm, SourceForm, StandaloneCitationForm
from .models import Citation, Credit, Fact, Film, Person, Source, Topic
from .signals import FixtureIntegrityError

# Editors should see whose tool this is, not the framework's name (also on the login and lockout pages).
admin.site.site_header = "redshoes editorial admin"
admin.site.site_title = "redshoes admin"
admin.site.index_title = "Films, facts and their sources"

# Characters of source text shown either side of a cited passage.
PASSAGE_CONTEXT = 160


class EditorialAdmin(VersionAdmin):
    """History with a readable diff, newest first; deletions recorded with who deleted."""

    history_latest_first = True

    class Media:
        # Gives the autocomplete (select2) widgets accessible names; see the script.
        js = ["js/admin-autocomplete-labels.js"]

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


class LockedAdmin(EditorialAdmin):
    """Optimistic locking for models with `lock_version` (facts, sources).

    The form refuses a stale save with a message; `save_model` then claims the version
    with a conditional UPDATE. If another save slipped in between the two, the claim
    fails and the form is shown again, now explaining the conflict: nothing is written.
    """

    def save_model(self, request, obj, form, change):
        locked = form.lock_target() if change and hasattr(form, "lock_target") else None
        if locked is not None:
            new_version = services.claim_lock_version(type(locked), locked.pk, form.cleaned_data["seen_lock_version"])
            locked.lock_version = new_version
        super().save_model(request, obj, form, change)
        if locked is not None and locked is not obj:
            # A citation edited on its own page is a change to its fact: record the fact
            # (with its citations) in the same revision, so the fact's history shows it.
            reversion.add_to_revision(locked)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except services.StaleEdit:
            pass
        # Lost the race after the form's check: the transaction was rolled back; run the
        # form again so it shows the conflict with the editor's input kept.
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except services.StaleEdit:
            # Saves keep landing between check and claim: give up cleanly, write nothing.
            messages.error(request, "Others are saving this right now; your changes were not saved. Try again.")
            opts = self.model._meta
            return redirect(f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_change", quote(object_id))

    def revision_view(self, request, object_id, version_id, extra_context=None):
        # Reverting saves the old version raw, which would reset lock_version to its
        # default. Remember the row as it is now so the lock (and, for a source, the text
        # the citations are anchored to) carries on from the current state.
        request.trivia_before_revert = self.model._default_manager.filter(pk=unquote(object_id)).first()
        return self.guard_revert(request, super().revision_view, object_id, version_id, extra_context)

    def recover_view(self, request, version_id, extra_context=None):
        return self.guard_revert(request, super().recover_view, version_id, extra_context)

    def guard_revert(self, request, view, *args):
        try:
            return view(request, *args)
        except FixtureIntegrityError as exc:
            # An old citation no longer matches its source (the source was edited since).
            messages.error(request, f"This version cannot be restored as it was: {exc} Edit the current one instead.")
            opts = self.model._meta
            return redirect(f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_changelist")

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        before = getattr(request, "trivia_before_revert", None)
        if (
            obj is not None
            and before is not None
            and before.pk == obj.pk
            and hasattr(obj, "lock_version")
            and obj.lock_version != before.lock_version
        ):
            type(obj)._default_manager.filter(pk=obj.pk).update(lock_version=before.lock_version)
            obj.lock_version = before.lock_version
        return obj


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


def passage_in_context(citation) -> str:
    """The cited words highlighted within the text around them, escaped."""
    if citation is None or citation.pk is None:
        return "Shown once the citation is saved."
    if citation.is_broken:
        return format_html(
            '<p class="citation-broken"><strong>Needs attention:</strong> {}</p>'
            "<p>Correct the quote or enter the paragraph you mean, then save, to anchor it again.</p>",
            citation.broken_reason or "the source changed under this citation.",
        )
    content = citation.source.content
    before = content[max(0, citation.start - PASSAGE_CONTEXT) : citation.start]
    after = content[citation.end : citation.end + PASSAGE_CONTEXT]
    return format_html(
        '<p class="cited-passage">Paragraph {}, characters {}–{}:</p><blockquote>{}{}<mark>{}</mark>{}{}</blockquote>',
        citation.paragraph,
        citation.start,
        citation.end,
        "…" if citation.start > PASSAGE_CONTEXT else "",
        before,
        citation.quote,
        after,
        "…" if citation.end + PASSAGE_CONTEXT < len(content) else "",
    )


class CitationInline(admin.StackedInline):
    model = Citation
    form = CitationForm
    formset = CitationInlineFormSet
    extra = 1
    autocomplete_fields = ["source"]
    fields = ["source", "quote", "occurrence_paragraph", "cited_passage"]
    readonly_fields = ["cited_passage"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("source")

    @admin.display(description="Cited passage")
    def cited_passage(self, obj):
        return passage_in_context(obj)


class CreditInline(admin.TabularInline):
    model = Credit
    extra = 1
    autocomplete_fields = ["person"]
    fields = ["person", "role", "character", "order"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("person", "film")


@admin.register(Film)
class FilmAdmin(EditorialAdmin):
    # Explicit: Meta.ordering is dropped from the GROUP BY queries the count columns need.
    ordering = ["title", "year"]
    list_display = ["title", "year", "slug", "fact_count"]
    search_fields = ["title", "slug"]
    list_filter = ["year"]
    prepopulated_fields = {"slug": ["title", "year"]}
    inlines = [CreditInline]
    fields = ["title", "year", "slug", "description"]
    actions = [admin_io.export_selected_films]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(fact_total=Count("facts", distinct=True))

    @admin.display(description="facts", ordering="fact_total")
    def fact_count(self, obj):
        return obj.fact_total


@admin.register(Person)
class PersonAdmin(EditorialAdmin):
    list_display = ["name", "kind", "description", "slug"]
    list_filter = ["kind"]
    search_fields = ["name", "slug", "description"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Credit)
class CreditAdmin(EditorialAdmin):
    list_display = ["person", "role", "character", "film", "order"]
    list_filter = ["role", "film"]
    search_fields = ["person__name", "character", "film__title"]
    autocomplete_fields = ["film", "person"]
    list_select_related = ["film", "person"]


@admin.register(Topic)
class TopicAdmin(EditorialAdmin):
    ordering = ["order", "name"]
    list_display = ["name", "order", "slug", "fact_count"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(fact_total=Count("facts", distinct=True))

    @admin.display(description="facts", ordering="fact_total")
    def fact_count(self, obj):
        return obj.fact_total


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

    # Upload-or-paste on the add page, and draft facts from paragraphs (trivia/admin_io.py).
    actions = [admin_io.create_draft_facts]

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = admin_io.SourceAddForm
        return super().get_form(request, obj, **kwargs)

    def get_fieldsets(self, request, obj=None):
        return admin_io.SOURCE_ADD_FIELDSETS if obj is None else super().get_fieldsets(request, obj)

    def save_model(self, request, obj, form, change):
        before = getattr(request, "trivia_before_revert", None)
        previous_content = before.content if before is not None else form.initial.get("content")
        report = None
        if change and previous_content is not None and previous_content != obj.content:
            # A revert may have restored some citations (those saved in the same revision)
            # to offsets that fit the restored text, so their offsets cannot be mapped
            # through a diff from the previous text: check each against the text instead.
            diff_base = None if before is not None else previous_content
            # Re-anchored before the source row is written (same transaction): the
            # source's version is then stored after its citations', and reversion reverts
            # a revision newest version first, so a later revert restores the text before
            # the citations are checked against it.
            report = services.reanchor_citations(obj, previous_content=diff_base)
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


@admin.register(Fact)
class FactAdmin(LockedAdmin):
    # Newest first, by primary key: sorting 100,000 facts by an unindexed column cost ~150 ms a page.
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
    actions = ["publish", "unpublish", "mark_spoiler", "unmark_spoiler", admin_io.export_selected_facts]
    # Adds the "Export all" links (trivia/admin_io.py).
    change_list_template = "admin/trivia/fact/io_change_list.html"
    fieldsets = [
        (None, {"fields": ["key", "film", "topic", "text", "people", "seen_lock_version"]}),
        ("Publishing", {"fields": ["status", "is_spoiler", "position"]}),
    ]

    def get_urls(self):
        return admin_io.export_urls(self) + super().get_urls()

    def with_history_relations(self, queryset):
        # A fact's snapshot holds its people and its citations (whose str() names the source).
        cited = Citation.objects.select_related("source").defer("source__content")
        return queryset.prefetch_related("people", Prefetch("citations", queryset=cited))

    def get_readonly_fields(self, request, obj=None):
        # The key is the permalink: chosen once, never changed.
        return ["key"] if obj is not None else []

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
        report = services.update_facts(queryset, user=request.user, comment=f"{verb} from the fact list", **values)
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


@admin.register(Citation)
class CitationAdmin(LockedAdmin):
    form = StandaloneCitationForm
    list_display = ["short_quote", "fact_link", "source", "paragraph", "is_broken"]
    list_filter = ["is_broken", "source"]
    list_select_related = ["fact", "source"]
    search_fields = ["quote", "fact__text", "fact__key"]
    autocomplete_fields = ["fact", "source"]
    fields = ["fact", "source", "quote", "occurrence_paragraph", "cited_passage", "broken_reason", "seen_lock_version"]
    readonly_fields = ["cited_passage", "broken_reason"]

    def get_queryset(self, request):
        # The list shows only the quote: leave each source's full text in the database
        # (the change page loads it when it shows the passage in context).
        return super().get_queryset(request).select_related("fact", "source").defer("source__content")

    @admin.display(description="quote", ordering="quote")
    def short_quote(self, obj):
        return text.shorten(obj.quote, 80)

    @admin.display(description="fact", ordering="fact__text")
    def fact_link(self, obj):
        url = reverse("admin:trivia_fact_change", args=[quote(obj.fact_id)])
        return format_html('<a href="{}">{}</a>', url, text.shorten(obj.fact.text, 60))

    @admin.display(description="Cited passage")
    def cited_passage(self, obj):
        return passage_in_context(obj)
