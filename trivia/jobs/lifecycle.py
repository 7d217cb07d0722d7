"""The life of a job: queued, claimed by one run, running with a heartbeat, then done or failed.

A worker can die mid-job (a deploy, the OOM killer, `kill -9`). Its job then stops
showing signs of life: `recover_stale` (run when a worker starts, when a job is
enqueued and when someone looks at a job) sends it round again, up to
`JOB_MAX_ATTEMPTS` runs, or marks it failed saying why. A run owns the job only while
`attempts` still carries its number: a run that was given up on but wakes up later
can no longer report progress, finish, or offer its (partial) file.
"""

import logging
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from django.utils.formats import date_format

from .files import ChunkWriter
from .models import Job, JobFileChunk

logger = logging.getLogger(__name__)


class JobError(Exception):
    """The job cannot be done as asked; the message says why, for the person who asked."""


class JobSuperseded(Exception):
    """This run lost the job (it was given up on and handed to another run)."""


@dataclass
class Run:
    """One run of one job, in the worker. Reports progress; finishes or fails the job if it still owns it."""

    job: Job
    attempt: int
    # Set when the heartbeat finds the job taken from this run.
    superseded: threading.Event = field(default_factory=threading.Event)
    # The latest progress, written by the heartbeat (or at once where there is none).
    reported: tuple[int, int, str] | None = None
    direct: bool = True

    def _mine(self):
        return Job.objects.filter(pk=self.job.pk, attempts=self.attempt, state=Job.State.RUNNING)

    def progress(self, done: int, total: int, note: str = "") -> None:
        """Record how far the run got; raises JobSuperseded once the job is no longer this run's."""
        if self.superseded.is_set():
            raise JobSuperseded
        self.reported = (min(done, total), total, note[:200])
        if self.direct:
            self.beat()
            if self.superseded.is_set():
                raise JobSuperseded

    def beat(self) -> None:
        """Write the heartbeat (and the latest progress); notice when the job was taken from this run."""
        values = {"heartbeat_at": timezone.now()}
        if self.reported is not None:
            values.update(zip(("progress_done", "progress_total", "progress_note"), self.reported, strict=True))
        if not self._mine().update(**values):
            self.superseded.set()

    def succeed(self, lines: list[str], *, file: ChunkWriter | None = None, file_name: str = "", **extra) -> None:
        with transaction.atomic():
            values = {"state": Job.State.SUCCEEDED, "finished_at": timezone.now(), "result": {"lines": lines, **extra}}
            if file is not None:
                values.update(
                    file_name=file_name,
                    file_bytes=file.size,
                    file_sha256=file.sha256,
                    file_expires_at=timezone.now() + timedelta(hours=settings.JOB_FILE_HOURS),
                )
            if self.reported is not None:
                values["progress_done"] = values["progress_total"] = self.reported[1]
            finished = bool(self._mine().update(**values))
            if finished:
                # Pieces of earlier, abandoned runs.
                JobFileChunk.objects.filter(job_id=self.job.pk).exclude(attempt=self.attempt).delete()
            else:
                JobFileChunk.objects.filter(job_id=self.job.pk, attempt=self.attempt).delete()
        if not finished:
            raise JobSuperseded

    def fail(self, reason: str) -> None:
        with transaction.atomic():
            self._mine().update(state=Job.State.FAILED, finished_at=timezone.now(), error=reason)
            JobFileChunk.objects.filter(job_id=self.job.pk, attempt=self.attempt).delete()


def enqueue(job: Job) -> None:
    """Hand the job to the task queue (with the immediate backend, run it now)."""
    from trivia.tasks import run_job

    # The time it was handed over, so a job that the queue lost can be told from one still waiting.
    Job.objects.filter(pk=job.pk, state=Job.State.QUEUED).update(heartbeat_at=timezone.now())
    result = run_job.enqueue(str(job.pk))
    Job.objects.filter(pk=job.pk).update(task_id=result.id)


def start(kind: str, title: str, params: dict, user) -> Job:
    """Create and enqueue a job in one transaction: the queue never holds a job that does not exist."""
    prune_expired()
    recover_stale()
    with transaction.atomic():
        job = Job.objects.create(kind=kind, title=title, params=params, requested_by=user)
        enqueue(job)
    return Job.objects.get(pk=job.pk)


def claim(job_id) -> Run | None:
    """Start a run of a queued job; None if it is not queued (done, failed, or another run has it)."""
    with transaction.atomic():
        job = Job.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.state != Job.State.QUEUED:
            return None
        now = timezone.now()
        job.attempts += 1
        job.state, job.started_at, job.heartbeat_at = Job.State.RUNNING, now, now
        job.progress_done = job.progress_total = 0
        job.save(update_fields=["attempts", "state", "started_at", "heartbeat_at", "progress_done", "progress_total"])
    return Run(job=job, attempt=job.attempts)


@contextmanager
def heartbeat(run: Run):
    """Beat from a thread of its own while the run works, so a long step still shows the worker is alive.

    The thread has its own database connection, so the work may sit in a long read
    transaction (an export's snapshot) and its progress is still seen. Inside a
    transaction that is not committed (the tests' immediate backend) another
    connection could not see the job: the run then writes its progress itself.
    """
    if connection.in_atomic_block or settings.JOB_HEARTBEAT_SECONDS <= 0:
        run.direct = True
        yield run
        return
    run.direct = False
    stop = threading.Event()

    def beat_until_stopped():
        try:
            while not stop.wait(settings.JOB_HEARTBEAT_SECONDS):
                try:
                    run.beat()
                except DatabaseError:
                    # A busy database (SQLite's write lock) only delays one beat.
                    logger.warning("Job %s: a heartbeat could not be written", run.job.pk, exc_info=True)
        finally:
            connection.close()

    thread = threading.Thread(target=beat_until_stopped, name=f"job-{run.job.pk}-heartbeat", daemon=True)
    thread.start()
    try:
        yield run
    finally:
        stop.set()
        thread.join()
        run.direct = True


def _orphan_task_failed(job: Job, reason: str) -> None:
    """Mark the queue's record of a dead run failed too, so it does not stay "running" for ever."""
    from django_tasks_db.models import DBTaskResult

    if job.task_id:
        DBTaskResult.objects.filter(id=job.task_id, status="RUNNING").update(
            status="FAILED",
            finished_at=timezone.now(),
            exception_class_path=f"{__name__}.WorkerLost",
            traceback=reason,
        )


def recover_stale(job_id=None) -> int:
    """Retry or fail jobs whose worker stopped beating or never started them; returns how many."""
    limit = timezone.now() - timedelta(seconds=settings.JOB_STALE_SECONDS)
    stale = Job.objects.filter(state__in=[Job.State.RUNNING, Job.State.QUEUED], heartbeat_at__lt=limit)
    if job_id is not None:
        stale = stale.filter(pk=job_id)
    recovered = 0
    for pk in stale.values_list("pk", flat=True):
        with transaction.atomic():
            job = Job.objects.select_for_update().filter(pk=pk, heartbeat_at__lt=limit).first()
            if job is not None and job.state == Job.State.RUNNING:
                _recover(job)
                recovered += 1
            elif job is not None and job.state == Job.State.QUEUED and _lost_before_start(job):
                recovered += 1
    return recovered


def _lost_before_start(job: Job) -> bool:
    """A queued job whose queue entry is no longer waiting: the worker died or failed before starting it."""
    from django.tasks.exceptions import TaskResultDoesNotExist

    from trivia.tasks import run_job

    if not job.task_id or not run_job.get_backend().supports_get_result:
        return False
    try:
        status = run_job.get_result(job.task_id).status
    except TaskResultDoesNotExist:
        status = "MISSING"
    if status == "READY":
        return False  # still waiting for a worker: the job page says so
    # Counted as a run, so a job the queue keeps losing is given up like one whose worker keeps dying.
    job.attempts += 1
    job.save(update_fields=["attempts"])
    _recover(job, "The worker that took it from the queue stopped before starting it")
    return True


def _recover(job: Job, lost: str = "") -> None:
    last_seen = date_format(timezone.localtime(job.heartbeat_at), "DATETIME_FORMAT")
    lost = lost or f"The worker running it stopped answering (last sign of life: {last_seen})"
    _orphan_task_failed(job, lost)
    JobFileChunk.objects.filter(job=job).delete()
    if job.attempts < settings.JOB_MAX_ATTEMPTS:
        logger.warning("Job %s: worker lost during run %d; queued again", job.pk, job.attempts)
        job.state = Job.State.QUEUED
        job.progress_note = f"{lost}; trying again (run {job.attempts + 1} of at most {settings.JOB_MAX_ATTEMPTS})."
        job.save(update_fields=["state", "progress_note"])
        enqueue(job)
    else:
        logger.error("Job %s: worker lost during run %d; given up", job.pk, job.attempts)
        job.state, job.finished_at = Job.State.FAILED, timezone.now()
        job.error = (
            f"{lost}. It was tried {job.attempts} times and each time its worker stopped, so it was given up; "
            "nothing was offered for download. The worker's log says why it stopped (often: out of memory)."
        )
        job.save(update_fields=["state", "finished_at", "error"])


def prune_expired() -> int:
    """Delete the files past their `file_expires_at` (the job stays, saying the file expired)."""
    expired = Job.objects.filter(file_expires_at__lt=timezone.now(), file_bytes__isnull=False)
    count = 0
    for job in expired.only("pk", "result"):
        with transaction.atomic():
            JobFileChunk.objects.filter(job=job).delete()
            Job.objects.filter(pk=job.pk).update(file_bytes=None, file_sha256="")
        count += 1
    return count
