"""Background jobs in the admin: each job's page (progress, then the file or the reason), and the list.

A job is seen only by the staff member who asked for it (and superusers): an export
holds drafts, and the list is "my jobs". The file is streamed from the database piece
by piece (`trivia.jobs.files`), so any app host serves it whichever worker wrote it.
"""

from django.conf import settings
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.http import Http404, StreamingHttpResponse
from django.template.defaultfilters import filesizeformat
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.http import content_disposition_header, urlencode

from .. import tasks
from ..jobs import files, lifecycle
from ..jobs.models import Job
from ..models import Fact

# The job page reloads itself this often until the job ends (a <meta> refresh: no script needed).
REFRESH_SECONDS = 2


def may_see(user, job: Job) -> bool:
    return user.is_active and user.is_staff and (user.is_superuser or job.requested_by_id == user.pk)


def review_links(job: Job) -> list[tuple[str, str]]:
    """For a draft-facts job: (label, admin URL) of the new drafts, per topic they went under."""
    film = job.result.get("film")
    links = []
    for topic in job.result.get("topics", []):
        query = urlencode({"status__exact": Fact.Status.DRAFT, "film__id__exact": film, "topic__id__exact": topic})
        links.append(("Review the drafts", f"{reverse('admin:trivia_fact_changelist')}?{query}"))
    return links


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = ["title", "progress", "requested_by", "created_at", "download"]
    list_filter = ["state", "kind"]
    list_select_related = ["requested_by"]
    search_fields = ["title"]
    actions = None

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_staff

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request) and (obj is None or may_see(request.user, obj))

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        # Only a finished job: deleting a running one would pull its rows from under its worker.
        return request.user.is_superuser and (obj is None or obj.is_finished)

    def get_queryset(self, request):
        jobs = super().get_queryset(request).defer("params", "result")
        return jobs if request.user.is_superuser else jobs.filter(requested_by=request.user)

    @admin.display(description="state", ordering="state")
    def progress(self, job):
        if job.state == Job.State.RUNNING and job.percent is not None:
            return f"{job.get_state_display()}: {job.percent}%"
        return job.get_state_display()

    @admin.display(description="file")
    def download(self, job):
        if not job.has_file:
            return "–"
        return format_html(
            '<a href="{}" title="{}">Download ({})</a>',
            reverse("admin:jobs_job_download", args=[job.pk]),
            job.file_name,
            filesizeformat(job.file_bytes),
        )

    def get_urls(self):
        download = self.admin_site.admin_view(self.download_view)
        return [path("<uuid:job_id>/download/", download, name="jobs_job_download")] + super().get_urls()

    def changelist_view(self, request, extra_context=None):
        lifecycle.recover_stale()
        return super().changelist_view(request, extra_context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """The job page: what it is, how far it got, then the file, the drafts or the reason it failed."""
        job = self.get_object(request, unquote(object_id))
        if job is None or not may_see(request.user, job):
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if lifecycle.recover_stale(job.pk):
            job.refresh_from_db()
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": job.title,
            "subtitle": None,
            "job": job,
            "refresh_seconds": None if job.is_finished else REFRESH_SECONDS,
            "max_attempts": settings.JOB_MAX_ATTEMPTS,
            "review_links": review_links(job) if job.state == Job.State.SUCCEEDED else [],
            "download_url": reverse("admin:jobs_job_download", args=[job.pk]) if job.has_file else "",
        }
        return TemplateResponse(request, "admin/jobs/job/detail.html", context)

    def download_view(self, request, job_id):
        """The finished file, streamed; byte for byte what the job wrote (checked as it goes)."""
        job = Job.objects.filter(pk=job_id).first()
        if job is None or not may_see(request.user, job):
            raise Http404("There is no such job.")
        if not job.has_file:
            raise Http404("This job has no file to download: it is not done, it failed, or its file expired.")
        response = StreamingHttpResponse(files.file_pieces(job), content_type=tasks.content_type_for(job.file_name))
        response["Content-Length"] = str(job.file_bytes)
        response["Content-Disposition"] = content_disposition_header(True, job.file_name)
        response["Cache-Control"] = "no-store"
        return response
