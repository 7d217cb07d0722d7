"""`make worker` for real: a worker killed with SIGKILL mid-export never leaves a half file on offer;
the next worker runs the job again and offers the whole file, byte for byte what `export_trivia` writes.

Runs `manage.py run_worker` (what `make worker` runs) as a separate process on a SQLite
file of its own, with a short heartbeat and staleness so the test takes seconds, not minutes.
"""

import os
import secrets
import signal
import sqlite3
import subprocess
import sys
import time
import zlib
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parent.parent
STALE_SECONDS = 3
FACTS = 20_000


def manage(env, *args, timeout=180) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=PROJECT, env=env, capture_output=True, text=True, timeout=timeout
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def job_row(db_path: Path, job_id: str) -> dict:
    with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True) as db:
        db.row_factory = sqlite3.Row
        row = db.execute("SELECT * FROM jobs_job WHERE id = ?", (job_id.replace("-", ""),)).fetchone()
        return dict(row)


def stored_file(db_path: Path, job_id: str, attempt: int) -> bytes:
    with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True) as db:
        pieces = db.execute(
            'SELECT data FROM jobs_jobfilechunk WHERE job_id = ? AND attempt = ? ORDER BY "index"',
            (job_id.replace("-", ""), attempt),
        ).fetchall()
    return b"".join(zlib.decompress(data) for (data,) in pieces)


def start_worker(env, log_path: Path, *extra) -> subprocess.Popen:
    with open(log_path, "a") as log:
        return subprocess.Popen(
            [sys.executable, "manage.py", "run_worker", "--no-reload", "--no-startup-delay", "--interval=0.2", *extra],
            cwd=PROJECT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def wait_for(condition, seconds: float, what: str, log_path: Path):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    pytest.fail(f"{what} did not happen within {seconds} s:\n{log_path.read_text()[-3000:]}")


@pytest.fixture
def worker_env(tmp_path):
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "REDSHOES_", "REDIS"))}
    env.update(
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        REDSHOES_JOB_HEARTBEAT_SECONDS="0.2",
        REDSHOES_JOB_STALE_SECONDS=str(STALE_SECONDS),
        REDSHOES_LOG_LEVEL="INFO",
    )
    manage(env, "migrate", "--noinput")
    manage(env, "generate_demo_data", "--films", "24", "--facts", str(FACTS), "--seed", "1")
    return env


def test_a_worker_killed_mid_export_leaves_nothing_on_offer_and_the_job_is_run_again(worker_env, tmp_path):
    db_path, log_path = tmp_path / "db.sqlite3", tmp_path / "worker.log"
    job_id = manage(worker_env, "shell", "-c", "from trivia import tasks; print(tasks.start_export(None, 'all').pk)")
    job_id = job_id.strip().splitlines()[-1]
    assert job_row(db_path, job_id)["state"] == "queued"

    first = start_worker(worker_env, log_path)
    try:
        wait_for(lambda: job_row(db_path, job_id)["progress_done"] > 0, 60, "the export showing progress", log_path)
    finally:
        os.killpg(first.pid, signal.SIGKILL)
        first.wait()

    killed = job_row(db_path, job_id)
    assert killed["state"] == "running"
    assert killed["file_bytes"] is None, "a half-written file must never be offered"

    time.sleep(STALE_SECONDS + 1)
    second = start_worker(worker_env, log_path, "--batch")
    try:
        second.wait(timeout=120)
    finally:
        if second.poll() is None:
            os.killpg(second.pid, signal.SIGKILL)
    assert "Recovered 1 job(s) whose worker had stopped" in log_path.read_text()

    done = job_row(db_path, job_id)
    assert done["state"] == "succeeded", log_path.read_text()[-3000:]
    assert done["attempts"] == 2
    export = tmp_path / "export.json"
    manage(worker_env, "export_trivia", "-o", str(export))
    stored = stored_file(db_path, job_id, attempt=2)
    assert len(stored) == done["file_bytes"]
    assert stored == export.read_bytes()
    assert stored_file(db_path, job_id, attempt=1) == b"", "the dead run's pieces are deleted"
    with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True) as db:
        statuses = [row[0] for row in db.execute("SELECT status FROM django_tasks_database_dbtaskresult")]
    assert sorted(statuses) == ["FAILED", "SUCCESSFUL"], "the dead run's queue entry is closed, not left running"
