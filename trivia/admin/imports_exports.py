"""Getting data into and out of the admin: fixture downloads, document uploads, draft facts.

Kept apart from `admin.py` (the editing screens) and wired into it with a few lines:
the export actions and "Export all" link on facts and films, the upload-or-paste form
on a source's add page, and the "Create draft facts from paragraphs" action on sources.
The work itself is done by `exports` and `services`, the same code the `export_trivia`
and `import_source` commands run, so the admin and the command line agree. Exports, and
draft facts from big sources, run as background jobs (`trivia/tasks.py`): the editor is
taken to the job's page, which offers the file or the result when it is done.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.http import urlencode

from .. import exports, tasks
from ..models import Fact, Film, Source
from ..services import importing
from .forms import SourceForm

# --- Exports: background jobs (trivia/tasks.py), each with a page that offers the file when done ----


def export_job_started(modeladmin, request, scope: str, pks=(), file_format: str = "json"):
    job = tasks.start_export(request.user, scope, pks, file_format)
    modeladmin.message_user(request, f"“{job.title}” is under way; this page offers the file when it is done.")
    return redirect(job.get_absolute_url())


@admin.action(description="Export selected facts as a fixture (JSON)", permissions=["view"])
def export_selected_facts(modeladmin, request, queryset):
    return export_job_started(modeladmin, request, "facts", queryset.values_list("pk", flat=True))


@admin.action(description="Export selected films as a fixture (JSON)", permissions=["view"])
def export_selected_films(modeladmin, request, queryset):
    return export_job_started(modeladmin, request, "films", queryset.values_list("pk", flat=True))


@admin.action(description="Export selected facts as CSV (spreadsheet, one row per citation)", permissions=["view"])
def export_selected_facts_csv(modeladmin, request, queryset):
    return export_job_started(modeladmin, request, "facts", queryset.values_list("pk", flat=True), "csv")


@admin.action(
    description="Export selected films’ facts as CSV (spreadsheet, one row per citation)", permissions=["view"]
)
def export_selected_films_csv(modeladmin, request, queryset):
    return export_job_started(modeladmin, request, "films", queryset.values_list("pk", flat=True), "csv")


def export_all_view(request, model_admin):
    """Everything as `export_trivia` writes it (`?published=1`: no drafts; `?format=csv`: for spreadsheets).

    A page says what the export holds; its button starts the background job.
    """
    if not model_admin.has_view_permission(request):
        raise PermissionDenied
    published_only = request.GET.get("published") == "1"
    file_format = "csv" if request.GET.get("format") == "csv" else "json"
    scope = "published" if published_only else "all"
    if request.method == "POST":
        return export_job_started(model_admin, request, scope, file_format=file_format)
    selection = exports.select_everything(published_only=published_only)
    context = {
        **model_admin.admin_site.each_context(request),
        "title": tasks.export_title(scope, file_format),
        "opts": model_admin.model._meta,
        "summary": selection.summary(),
        "published_only": published_only,
        "csv": file_format == "csv",
    }
    return TemplateResponse(request, "admin/trivia/fact/io_export_confirm.html", context)


def export_urls(model_admin) -> list:
    """URL patterns for `FactAdmin.get_urls`; `admin_view` lets only logged-in, active staff through."""
    view = model_admin.admin_site.admin_view(lambda request: export_all_view(request, model_admin))
    return [path("export/", view, name="trivia_fact_export_all")]


# --- A source's add page: upload a .txt file or paste the text -----------------------------------


class SourceAddForm(SourceForm):
    """Adding a source: its text comes from an uploaded file or the text box, checked like `import_source`."""

    upload = forms.FileField(
        label="Text file",
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".txt,text/plain"}),
        help_text=(
            f"A .txt file in UTF-8 (a BOM, Windows or old Mac line endings are fine), at most "
            f"{importing.MAX_DOCUMENT_BYTES:,} bytes. Or paste the text below instead."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "content" in self.fields:
            self.fields["content"].required = False
            self.fields["content"].help_text = "Paste the verbatim text here, or upload a file above."
        if "slug" in self.fields:
            # Without JavaScript the slug is not filled in from the title: make one up.
            self.fields["slug"].required = False
            self.fields["slug"].help_text = "Leave blank to make one from the title."

    def clean_upload(self):
        upload = self.cleaned_data.get("upload")
        if not upload:
            return None
        if upload.size > importing.MAX_DOCUMENT_BYTES:
            raise ValidationError(importing.too_big_message(upload.name, upload.size))  # before reading it
        try:
            return importing.decode_document(upload.read(), upload.name)
        except importing.SourceImportError as exc:
            raise ValidationError(str(exc)) from None

    def clean(self):
        cleaned_data = super().clean()
        uploaded, pasted = cleaned_data.get("upload"), cleaned_data.get("content")
        if "upload" in self.errors:
            return cleaned_data
        if uploaded and pasted:
            raise ValidationError("Upload a file or paste the text, not both.")
        if not uploaded and not pasted:
            self.add_error("content", "Upload a .txt file above or paste the text of the source here.")
            return cleaned_data
        content = uploaded or importing.document_text(pasted)
        duplicate = importing.already_imported(content)
        if duplicate is not None:
            self.add_error("upload" if uploaded else "content", importing.duplicate_message(duplicate))
            return cleaned_data
        cleaned_data["content"] = content
        if not cleaned_data.get("slug") and cleaned_data.get("title"):
            cleaned_data["slug"] = importing.unique_slug(Source, cleaned_data["title"], "source")
        return cleaned_data

    def _post_clean(self):
        # With the text refused or missing, the model's own check would only add a second,
        # vaguer "A source needs some text." under the error that says what is wrong.
        if self.has_error("upload") or self.has_error("content"):
            return
        super()._post_clean()


SOURCE_ADD_FIELDSETS = [
    (None, {"fields": ["title", "slug", "kind", "url", "author", "publisher", "accessed"]}),
    (
        "Text",
        {
            "fields": ["upload", "content"],
            "description": "Upload the document or paste it. It is stored verbatim, with line endings as \\n. "
            "Then select the source in the list and run “Create draft facts from paragraphs”.",
        },
    ),
]


# --- Sources: one draft fact per paragraph --------------------------------------------------------


class DraftFactsForm(forms.Form):
    film = forms.ModelChoiceField(
        queryset=Film.objects.order_by("title", "year"),
        help_text="The film the new draft facts are about.",
    )


@admin.action(description="Create draft facts from paragraphs")
def create_draft_facts(modeladmin, request, queryset):
    """Ask which film, then give each paragraph not yet cited a draft fact citing it exactly."""
    if not (request.user.has_perm("trivia.add_fact") and request.user.has_perm("trivia.add_citation")):
        modeladmin.message_user(
            request, "Creating draft facts needs permission to add facts and citations.", messages.ERROR
        )
        return None
    sources = list(queryset.order_by("title"))
    form = DraftFactsForm(request.POST if "apply" in request.POST else None)
    if form.is_valid():
        film = form.cleaned_data["film"]
        if tasks.needs_background(sources):
            job = tasks.start_draft_facts(request.user, sources, film)
            modeladmin.message_user(request, f"“{job.title}” is under way in the background.")
            return redirect(job.get_absolute_url())
        for source in sources:
            report = importing.create_draft_facts_from_paragraphs(source, film, user=request.user)
            if report.facts:
                drafts = (
                    reverse("admin:trivia_fact_changelist")
                    + "?"
                    + urlencode(
                        {
                            "status__exact": Fact.Status.DRAFT,
                            "film__id__exact": film.pk,
                            "topic__id__exact": report.topic.pk,
                        }
                    )
                )
                message = format_html('{} <a href="{}">Review the drafts</a>.', report.summary(), drafts)
                modeladmin.message_user(request, message, messages.SUCCESS)
            else:
                modeladmin.message_user(request, report.summary(), messages.WARNING)
        return None
    opts = modeladmin.model._meta
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": "Create draft facts from paragraphs",
        "opts": opts,
        "form": form,
        "sources": sources,
        "paragraph_total": sum(len(source.paragraphs()) for source in sources),
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        "action_name": "create_draft_facts",
        "media": modeladmin.media,
    }
    return TemplateResponse(request, "admin/trivia/source/io_draft_facts.html", context)
