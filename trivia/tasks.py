"""What the background worker runs (`make worker`): fixture exports and draft facts from big sources.

The admin starts a job (`start_export`, `start_draft_facts`) and shows its page;
`run_job` is the one `django.tasks` task, run by django-tasks-db's worker from the queue
in the database. A job's states, heartbeat, retries and file are `trivia.jobs`'s.
The work is the same code the commands run (`exports.write_fixture`,
`importing.create_draft_facts_from_paragraphs`), so a download is byte for byte what
`export_trivia` writes.
"""

import logging
import tempfile

from django.tasks import task
from django.utils import timezone

from . import csv_export, exports
from .jobs import files, lifecycle
from .jobs.lifecycle import JobError, Run
from .jobs.models import Job
from .models import Fact, Film, Source
from .services import importing

logger = logging.getLogger(__name__)

# Selected sources with more text than this are turned into draft facts in the background;
# less is quick enough to do while the editor waits (and shows the result at once).
DRAFT_FACTS_INLINE_BYTES = 256 * 1024

EXPORTS = {
    # scope: (title, file name prefix)
    "all": ("Export all", "trivia-all"),
    "published": ("Export published", "trivia-published"),
    "facts": ("Export selected facts", "trivia-facts"),
    "films": ("Export selected films", "trivia-films"),
}
# file format: (what the title calls it, file extension, content type)
FORMATS = {
    "json": ("fixture", "json", "application/json; charset=utf-8"),
    "csv": ("CSV", "csv", "text/csv; charset=utf-8"),
}


def export_title(scope: str, file_format: str = "json") -> str:
    return f"{EXPORTS[scope][0]} ({FORMATS[file_format][0]})"


def content_type_for(file_name: str) -> str:
    """The content type of a job's file, by its extension (a fixture unless it says otherwise)."""
    extension = file_name.rsplit(".", 1)[-1]
    return next((kind for _, ext, kind in FORMATS.values() if ext == extension), FORMATS["json"][2])


# --- Starting jobs (called by the admin) ------------------------------------------------------


def start_export(user, scope: str, pks=(), file_format: str = "json") -> Job:
    """Queue an export (a fixture, or CSV) of everything, the published facts, or the facts or films with these keys."""
    if scope not in EXPORTS:
        raise JobError(f"Unknown export {scope!r}; choose one of {', '.join(EXPORTS)}.")
    if file_format not in FORMATS:
        raise JobError(f"Unknown format {file_format!r}; choose one of {', '.join(FORMATS)}.")
    title = export_title(scope, file_format)
    if scope in ("facts", "films"):
        title = f"{title}: {len(pks):,} {scope if len(pks) != 1 else scope[:-1]}"
    params = {"scope": scope, "pks": [int(pk) for pk in pks], "format": file_format}
    return lifecycle.start(Job.Kind.EXPORT, title, params, user)


def needs_background(sources) -> bool:
    return sum(len(source.content) for source in sources) > DRAFT_FACTS_INLINE_BYTES


def start_draft_facts(user, sources, film) -> Job:
    """Queue "Create draft facts from paragraphs" for these sources and film."""
    names = ", ".join(f"“{source.title}”" for source in sources[:3]) + (" …" if len(sources) > 3 else "")
    params = {"sources": [source.pk for source in sources], "film": film.pk}
    return lifecycle.start(Job.Kind.DRAFT_FACTS, f"Draft facts for {film} from {names}"[:200], params, user)


# --- The task ----------------------------------------------------------------------------------


@task()
def run_job(job_id: str) -> str:
    """Run one queued job to the end: done (with its file) or failed (with the reason)."""
    run = lifecycle.claim(job_id)
    if run is None:
        return "not queued"
    with lifecycle.heartbeat(run):
        try:
            WORK[run.job.kind](run)
        except lifecycle.JobSuperseded:
            logger.warning("Job %s: run %d was given up on while it ran; its result is dropped", job_id, run.attempt)
            return "superseded"
        except (JobError, exports.ExportError, importing.SourceImportError) as exc:
            run.fail(str(exc))
            return "failed"
        except Exception as exc:
            logger.exception("Job %s failed", job_id)
            run.fail(
                f"It stopped on an unexpected error ({type(exc).__name__}); the worker's log has the details. "
                "Nothing was offered for download."
            )
            raise
    return "succeeded"


# --- Exports -----------------------------------------------------------------------------------


GONE = "they were deleted after the export was asked for."


def export_selection(params: dict) -> exports.FixtureSelection:
    scope, pks = params.get("scope"), params.get("pks", [])
    if scope == "all":
        return exports.select_everything()
    if scope == "published":
        return exports.select_everything(published_only=True)
    if scope in ("facts", "films"):
        model, select = (Fact, exports.select_facts) if scope == "facts" else (Film, exports.select_films)
        chosen = model.objects.filter(pk__in=pks)
        if not chosen.exists():
            raise JobError(f"None of the selected {scope} exist any more: {GONE}")
        return select(chosen)
    raise JobError(f"Unknown export {scope!r}.")


def export_fixture(run: Run) -> None:
    """Write the fixture (or CSV) to a temporary file in one snapshot, then keep it in the database for download."""
    scope, file_format = run.job.params.get("scope"), run.job.params.get("format", "json")
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    file_name = f"{EXPORTS.get(scope, ('', 'trivia'))[1]}-{stamp}.{FORMATS.get(file_format, FORMATS['json'])[1]}"
    with tempfile.TemporaryFile() as handle:
        with exports.consistent_snapshot():
            selection = export_selection(run.job.params)
            total = sum(selection.counts().values())
            run.progress(0, total, f"Writing {selection.summary()}")

            def written(rows: int):
                run.progress(rows, total, f"Writing rows: {min(rows, total):,} of {total:,}")

            if file_format == "csv":
                exports.write_text(handle, lambda stream: csv_export.write_csv(selection.facts, stream), newline="")
            else:
                exports.write_fixture_bytes(selection, handle, progress=written)
            summary = selection.summary()
        size = handle.tell()
        handle.seek(0)
        run.progress(0, size, "Storing the file for download")
        stored = files.store_file(
            run.job.pk, run.attempt, handle, lambda done: run.progress(done, size, "Storing the file for download")
        )
    run.succeed([f"Exported {summary}."], file=stored, file_name=file_name)


# --- Draft facts -------------------------------------------------------------------------------


def draft_facts(run: Run) -> None:
    """One source at a time, each in its own transaction (a retry skips what an earlier run already drafted)."""
    film = Film.objects.filter(pk=run.job.params.get("film")).first()
    if film is None:
        raise JobError("The film was deleted after the draft facts were asked for; nothing was created.")
    sources = list(Source.objects.filter(pk__in=run.job.params.get("sources", [])).order_by("title"))
    if not sources:
        raise JobError("The selected sources were deleted after the draft facts were asked for; nothing was created.")
    lines, topics = [], []
    for number, source in enumerate(sources):
        run.progress(number, len(sources), f"Source {number + 1} of {len(sources)}: “{source.title}”"[:200])
        report = importing.create_draft_facts_from_paragraphs(source, film, user=run.job.requested_by)
        lines.append(report.summary())
        if report.facts and report.topic.pk not in topics:
            topics.append(report.topic.pk)
    run.progress(len(sources), len(sources), "Done")
    run.succeed(lines, film=film.pk, topics=topics)


WORK = {Job.Kind.EXPORT: export_fixture, Job.Kind.DRAFT_FACTS: draft_facts}
