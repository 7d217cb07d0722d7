"""Films (with their credits), people, credits and topics."""

from django.contrib import admin
from django.db.models import Count

from ..models import Credit, Film, Person, Topic
from . import imports_exports
from .base import EditorialAdmin


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
    actions = [imports_exports.export_selected_films, imports_exports.export_selected_films_csv]

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
