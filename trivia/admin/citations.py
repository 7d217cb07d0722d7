"""Citations: the inline on a fact's page and the citation's own page, with the passage in context."""

from django.contrib import admin
from django.contrib.admin.utils import quote
from django.urls import reverse
from django.utils.html import format_html

from .. import text
from ..models import Citation
from .base import LockedAdmin
from .forms import CitationForm, CitationInlineFormSet, StandaloneCitationForm

# Characters of source text shown either side of a cited passage.
PASSAGE_CONTEXT = 160


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
    fields = ["source", "quote", "occurrence_paragraph", "selection_start", "selection_end", "cited_passage"]
    readonly_fields = ["cited_passage"]

    class Media:
        # "Use the source's wording" fills the quote in place instead of submitting the form.
        js = ["js/admin-citation-wording.js"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("source")

    @admin.display(description="Cited passage")
    def cited_passage(self, obj):
        return passage_in_context(obj)


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

    class Media:
        js = ["js/admin-citation-wording.js"]

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
