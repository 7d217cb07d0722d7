"""A background job, and the file it produced (kept in the database, so every host can serve it)."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse


class Job(models.Model):
    """One piece of long work an editor asked for: what, by whom, how far it got, and what came of it."""

    class Kind(models.TextChoices):
        EXPORT = "export", "Fixture export"
        DRAFT_FACTS = "draft_facts", "Draft facts from paragraphs"

    class State(models.TextChoices):
        QUEUED = "queued", "Waiting for a worker"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Done"
        FAILED = "failed", "Failed"

    # A random id: the job page's address cannot be guessed from another's.
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(max_length=20, choices=Kind)
    title = models.CharField(max_length=200)
    # What to do, as plain JSON (primary keys, flags): the worker reads it back.
    params = models.JSONField(default=dict, blank=True)
    state = models.CharField(max_length=10, choices=State, default=State.QUEUED)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    # Written by the worker while it runs the job; a job silent too long lost its worker.
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Runs started so far; a run's file chunks and its right to finish are tied to its number.
    attempts = models.PositiveSmallIntegerField(default=0)
    task_id = models.CharField(max_length=64, blank=True, help_text="The django.tasks result id of the last run.")
    progress_done = models.PositiveBigIntegerField(default=0)
    progress_total = models.PositiveBigIntegerField(default=0)
    progress_note = models.CharField(max_length=200, blank=True)
    # Lines for the person who asked (and links), once done.
    result = models.JSONField(default=dict, blank=True)
    # Why it failed, in words for that person; the traceback goes to the worker's log.
    error = models.TextField(blank=True)
    file_name = models.CharField(max_length=200, blank=True)
    file_bytes = models.PositiveBigIntegerField(null=True, blank=True)
    file_sha256 = models.CharField(max_length=64, blank=True)
    file_expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "id"]
        indexes = [models.Index(fields=["state", "heartbeat_at"], name="jobs_job_state_heartbeat")]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=["queued", "running", "succeeded", "failed"]), name="jobs_job_state_known"
            ),
            models.CheckConstraint(
                condition=Q(progress_done__lte=models.F("progress_total")) | Q(progress_total=0),
                name="jobs_job_progress_within_total",
            ),
            # A file is only ever offered by a job that finished well.
            models.CheckConstraint(
                condition=Q(file_bytes__isnull=True) | Q(state="succeeded"), name="jobs_job_file_only_when_done"
            ),
        ]

    def __str__(self):
        return f"{self.title} ({self.get_state_display().lower()})"

    def get_absolute_url(self):
        return reverse("admin:jobs_job_change", args=[self.pk])

    @property
    def is_finished(self) -> bool:
        return self.state in (self.State.SUCCEEDED, self.State.FAILED)

    @property
    def has_file(self) -> bool:
        return self.state == self.State.SUCCEEDED and self.file_bytes is not None

    @property
    def percent(self) -> int | None:
        if not self.progress_total:
            return None
        return min(100, self.progress_done * 100 // self.progress_total)


class JobFileChunk(models.Model):
    """One piece (up to 1 MiB before compression) of a job's file, zlib-compressed.

    Chunks are numbered per run (`attempt`): a run that died leaves chunks nobody offers,
    and the next run writes its own; only the run that finishes makes its chunks the file.
    """

    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="chunks")
    attempt = models.PositiveSmallIntegerField()
    index = models.PositiveIntegerField()
    data = models.BinaryField()

    class Meta:
        ordering = ["job", "attempt", "index"]
        constraints = [
            models.UniqueConstraint(fields=["job", "attempt", "index"], name="jobs_chunk_unique_per_run"),
        ]

    def __str__(self):
        return f"{self.job.title}, run {self.attempt}, piece {self.index}"

    def get_absolute_url(self):
        return self.job.get_absolute_url()
