"""Background jobs: the job page, the download, and what happens when a worker dies mid-job.

The suite's task backend is immediate (the job runs inside the request that starts it);
a real worker process, killed with SIGKILL mid-export, is tests/test_worker.py.
"""

import re
import time
import zlib
from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth.models import User
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from tests.factories import FilmFactory, SourceFactory
from trivia import tasks
from trivia.jobs import files, lifecycle
from trivia.jobs.models import Job, JobFileChunk
from trivia.models import Fact
from trivia.services.roles import create_editor

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(db):
    return create_editor("edna", "a-long-enough-passphrase")


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


def export_trivia_output() -> bytes:
    out = StringIO()
    call_command("export_trivia", stdout=out)
    return out.getvalue().encode()


def download(client, job) -> bytes:
    response = client.get(reverse("admin:jobs_job_download", args=[job.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert "no-store" in response["Cache-Control"]
    body = b"".join(response.streaming_content)
    assert int(response["Content-Length"]) == len(body)
    return body


def running_job(editor, attempts=1, heartbeat_age=0, **fields) -> Job:
    """A job as a worker leaves it mid-run (its heartbeat `heartbeat_age` seconds old)."""
    beat = timezone.now() - timedelta(seconds=heartbeat_age)
    return Job.objects.create(
        kind=Job.Kind.EXPORT,
        title="Export all (fixture)",
        params={"scope": "all", "pks": []},
        requested_by=editor,
        state=Job.State.RUNNING,
        attempts=attempts,
        started_at=beat,
        heartbeat_at=beat,
        **fields,
    )


# --- Exports through a job ------------------------------------------------------------------------


def test_an_export_job_offers_exactly_what_export_trivia_writes(editor_client, editor, seeded):
    job = tasks.start_export(editor, "all")

    assert job.state == Job.State.SUCCEEDED
    assert job.progress_done == job.progress_total > 0
    assert download(editor_client, job) == export_trivia_output()
    assert re.fullmatch(r"trivia-all-\d{8}-\d{6}\.json", job.file_name)


def test_a_big_file_is_stored_in_compressed_pieces_and_streamed_back_whole(editor_client, editor, seeded, monkeypatch):
    monkeypatch.setattr(files, "CHUNK_BYTES", 4096)

    job = tasks.start_export(editor, "all")

    pieces = JobFileChunk.objects.filter(job=job).order_by("index")
    assert pieces.count() == -(-job.file_bytes // 4096)
    assert sum(len(bytes(piece.data)) for piece in pieces) < job.file_bytes / 3
    assert download(editor_client, job) == export_trivia_output()


def test_the_job_page_offers_the_file_when_done(editor_client, editor, seeded):
    job = tasks.start_export(editor, "published")
    page = editor_client.get(job.get_absolute_url()).content.decode()

    assert "Done" in page
    assert reverse("admin:jobs_job_download", args=[job.pk]) in page
    assert job.file_name in page
    assert 'http-equiv="refresh"' not in page


def test_a_running_job_shows_its_progress_and_reloads_itself(editor_client, editor):
    job = running_job(editor, progress_done=50, progress_total=200, progress_note="Writing rows: 50 of 200")

    page = editor_client.get(job.get_absolute_url()).content.decode()

    assert "25% done" in page
    assert 'value="50"' in page and 'max="200"' in page
    assert "Writing rows: 50 of 200" in page
    assert 'http-equiv="refresh"' in page
    assert editor_client.get(reverse("admin:jobs_job_download", args=[job.pk])).status_code == 404


def test_a_queued_job_says_it_waits_for_a_worker(editor_client, editor):
    job = Job.objects.create(kind=Job.Kind.EXPORT, title="Export all (fixture)", requested_by=editor)

    page = editor_client.get(job.get_absolute_url()).content.decode()

    assert "Waiting for a worker" in page
    assert "make worker" in page


def test_an_export_of_facts_deleted_meanwhile_fails_with_the_reason(editor_client, editor, seeded):
    job = tasks.start_export(editor, "facts", [999_999])

    assert job.state == Job.State.FAILED
    assert "None of the selected facts exist any more" in job.error
    page = editor_client.get(job.get_absolute_url()).content.decode()
    assert "None of the selected facts exist any more" in page
    assert "/download/" not in page


def test_an_unexpected_error_fails_the_job_and_offers_nothing(editor, seeded, monkeypatch, caplog):
    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(tasks.exports, "write_fixture_bytes", broken)

    job = tasks.start_export(editor, "all")

    assert job.state == Job.State.FAILED
    assert "unexpected error (RuntimeError)" in job.error
    assert "disk on fire" not in job.error
    assert "disk on fire" in caplog.text
    assert not job.has_file and not JobFileChunk.objects.exists()


def test_an_unknown_export_is_refused_before_anything_is_queued(editor):
    with pytest.raises(lifecycle.JobError, match="Unknown export"):
        tasks.start_export(editor, "everything-and-more")
    assert not Job.objects.exists()


# --- Who may see what -----------------------------------------------------------------------------


def test_a_job_and_its_file_are_only_for_who_asked_and_superusers(client, editor, seeded, admin_user):
    job = tasks.start_export(editor, "all")
    other = create_editor("olga", "a-long-enough-passphrase")
    client.force_login(other)

    assert client.get(job.get_absolute_url()).status_code == 302  # "no such job": back to the list
    assert client.get(reverse("admin:jobs_job_download", args=[job.pk])).status_code == 404
    assert job.title not in client.get(reverse("admin:jobs_job_changelist")).content.decode()

    client.force_login(admin_user)
    assert client.get(job.get_absolute_url()).status_code == 200
    assert client.get(reverse("admin:jobs_job_download", args=[job.pk])).status_code == 200


def test_visitors_and_non_staff_are_sent_to_log_in(client, editor, seeded):
    job = tasks.start_export(editor, "all")
    client.force_login(User.objects.create_user("reader", password="a-long-enough-passphrase"))

    for url in (job.get_absolute_url(), reverse("admin:jobs_job_download", args=[job.pk])):
        response = client.get(url)
        assert response.status_code == 302
        assert reverse("admin:login") in response["Location"]


@pytest.mark.parametrize("address", ["/admin/jobs/job/not-a-uuid/change/", "/admin/jobs/job/not-a-uuid/download/"])
def test_a_malformed_job_address_ends_on_the_list_saying_there_is_no_such_job(editor_client, address):
    response = editor_client.get(address, follow=True)

    assert response.status_code == 200
    assert "doesn’t exist" in response.content.decode()


def test_editors_see_their_jobs_in_the_admin_list(editor_client, editor, seeded):
    job = tasks.start_export(editor, "all")

    page = editor_client.get(reverse("admin:jobs_job_changelist")).content.decode()

    assert job.title in page
    assert job.file_name in page
    assert "Background jobs" in editor_client.get(reverse("admin:index")).content.decode()


# --- A worker that dies mid-job -------------------------------------------------------------------


def test_a_job_whose_worker_died_is_run_again_and_its_half_file_never_offered(editor_client, editor, seeded, settings):
    job = running_job(editor, heartbeat_age=settings.JOB_STALE_SECONDS + 5, progress_done=10, progress_total=100)
    JobFileChunk.objects.create(job=job, attempt=1, index=0, data=zlib.compress(b'[{"model": "trivia.fi'))
    assert editor_client.get(reverse("admin:jobs_job_download", args=[job.pk])).status_code == 404

    # Looking at the job notices the silence; the retry runs at once with the immediate backend.
    editor_client.get(job.get_absolute_url())

    job.refresh_from_db()
    assert job.state == Job.State.SUCCEEDED
    assert job.attempts == 2
    assert set(JobFileChunk.objects.filter(job=job).values_list("attempt", flat=True)) == {2}
    assert download(editor_client, job) == export_trivia_output()


def test_a_job_whose_worker_keeps_dying_is_failed_with_the_reason(editor_client, editor, settings):
    job = running_job(editor, attempts=settings.JOB_MAX_ATTEMPTS, heartbeat_age=settings.JOB_STALE_SECONDS + 5)
    JobFileChunk.objects.create(job=job, attempt=job.attempts, index=0, data=zlib.compress(b"[{"))

    assert lifecycle.recover_stale() == 1

    job.refresh_from_db()
    assert job.state == Job.State.FAILED
    assert "stopped answering" in job.error and f"tried {settings.JOB_MAX_ATTEMPTS} times" in job.error
    assert not JobFileChunk.objects.filter(job=job).exists()
    assert "stopped answering" in editor_client.get(job.get_absolute_url()).content.decode()


def test_a_job_with_a_recent_heartbeat_is_left_alone(editor):
    job = running_job(editor, heartbeat_age=1)

    assert lifecycle.recover_stale() == 0
    job.refresh_from_db()
    assert job.state == Job.State.RUNNING


def test_a_run_given_up_on_can_neither_report_nor_finish(editor):
    job = running_job(editor, attempts=2)
    old_run = lifecycle.Run(job=job, attempt=1)

    with pytest.raises(lifecycle.JobSuperseded):
        old_run.progress(5, 10)
    writer = files.ChunkWriter(job.pk, 1)
    writer.write(b"half a file")
    writer.close()
    with pytest.raises(lifecycle.JobSuperseded):
        old_run.succeed(["Exported."], file=writer, file_name="x.json")

    job.refresh_from_db()
    assert job.state == Job.State.RUNNING and not job.has_file
    assert not JobFileChunk.objects.filter(job=job, attempt=1).exists()


def test_a_tampered_file_breaks_off_rather_than_ending_cleanly(editor, seeded):
    job = tasks.start_export(editor, "all")
    piece = JobFileChunk.objects.get(job=job, index=0)
    piece.data = zlib.compress(zlib.decompress(piece.data)[:-10])
    piece.save()

    with pytest.raises(files.CorruptFile):
        b"".join(files.file_pieces(job))


def test_an_expired_file_is_deleted_and_the_page_says_so(editor_client, editor, seeded):
    job = tasks.start_export(editor, "all")
    Job.objects.filter(pk=job.pk).update(file_expires_at=timezone.now() - timedelta(minutes=1))

    assert lifecycle.prune_expired() == 1

    assert not JobFileChunk.objects.filter(job=job).exists()
    assert editor_client.get(reverse("admin:jobs_job_download", args=[job.pk])).status_code == 404
    assert "The file has expired" in editor_client.get(job.get_absolute_url()).content.decode()


# --- Draft facts from big sources -----------------------------------------------------------------


def test_draft_facts_from_a_big_source_run_as_a_job(editor_client, monkeypatch):
    monkeypatch.setattr(tasks, "DRAFT_FACTS_INLINE_BYTES", 10)
    source = SourceFactory(content="First paragraph.\n\nSecond paragraph.\n\nThird paragraph.")
    film = FilmFactory()

    response = editor_client.post(
        reverse("admin:trivia_source_changelist"),
        {
            "action": "create_draft_facts",
            ACTION_CHECKBOX_NAME: [source.pk],
            "film": film.pk,
            "apply": "Create draft facts",
        },
    )

    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == job.get_absolute_url()
    assert job.kind == Job.Kind.DRAFT_FACTS and job.state == Job.State.SUCCEEDED
    assert Fact.objects.filter(film=film, status=Fact.Status.DRAFT).count() == 3
    page = editor_client.get(job.get_absolute_url()).content.decode()
    assert "Created 3 draft fact(s)" in page
    assert "Review the drafts" in page


def test_a_second_draft_facts_job_creates_nothing_twice(editor, monkeypatch):
    source = SourceFactory(content="First paragraph.\n\nSecond paragraph.")
    film = FilmFactory()
    tasks.start_draft_facts(editor, [source], film)

    again = tasks.start_draft_facts(editor, [source], film)

    assert again.state == Job.State.SUCCEEDED
    assert "Created 0 draft fact(s)" in again.result["lines"][0]
    assert Fact.objects.filter(film=film).count() == 2


def test_draft_facts_for_a_film_deleted_meanwhile_fail_with_the_reason(editor):
    source = SourceFactory()
    film = FilmFactory()
    film_pk = film.pk
    film.delete()
    film.pk = film_pk

    job = tasks.start_draft_facts(editor, [source], film)

    assert job.state == Job.State.FAILED
    assert "The film was deleted" in job.error


@pytest.mark.django_db(transaction=True)
def test_the_heartbeat_thread_shows_progress_and_notices_when_the_job_is_taken_away(settings):
    settings.JOB_HEARTBEAT_SECONDS = 0.05
    job = Job.objects.create(kind=Job.Kind.EXPORT, title="Export all (fixture)", params={"scope": "all"})
    run = lifecycle.claim(job.pk)
    started = run.job.heartbeat_at

    with lifecycle.heartbeat(run):
        assert not run.direct
        run.progress(3, 10, "Writing rows: 3 of 10")
        time.sleep(0.4)
        job.refresh_from_db()
        assert (job.progress_done, job.progress_total, job.progress_note) == (3, 10, "Writing rows: 3 of 10")
        assert job.heartbeat_at > started

        Job.objects.filter(pk=job.pk).update(attempts=2)  # another run took it over
        time.sleep(0.4)
        with pytest.raises(lifecycle.JobSuperseded):
            run.progress(4, 10)
