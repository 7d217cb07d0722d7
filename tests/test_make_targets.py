"""The deployment's commands and locks: a server installs only what it runs, and each step runs once where it should."""

import re
import subprocess
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parent.parent
DEV_ONLY = {"pytest", "pytest-django", "pytest-playwright", "playwright", "hypothesis", "ruff", "factory-boy"}


def pins(lock: str) -> dict[str, str]:
    """name -> the pinned line with its hashes, from a uv-compiled lock file."""
    text = (PROJECT / lock).read_text()
    return {
        match.group(1): match.group(0)
        for match in re.finditer(r"^([a-z0-9][a-z0-9._-]*)==\S+(?: \\\n\s+--hash=\S+)+", text, re.MULTILINE)
    }


def dry_run(*args) -> str:
    """What `make` would run, without running it (on a venv path that does not exist, as on a fresh server)."""
    result = subprocess.run(
        ["make", "--no-print-directory", "-n", *args, "VENV=/nonexistent/venv"],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_the_runtime_lock_holds_no_test_or_lint_tools():
    runtime = pins("requirements.lock")

    assert {"django", "gunicorn", "redis", "django-tasks-db", "brotli", "psycopg"} <= set(runtime)
    assert not DEV_ONLY & set(runtime)


def test_the_development_lock_pins_the_runtime_packages_exactly_as_the_runtime_lock():
    runtime, development = pins("requirements.lock"), pins("requirements-dev.lock")

    assert DEV_ONLY <= set(development)
    for name, pinned in runtime.items():
        assert development.get(name) == pinned, f"{name} differs between the locks: run `make lock`"


def test_make_serve_installs_only_the_runtime_lock_and_only_starts_gunicorn():
    commands = dry_run("serve")

    assert "-r requirements.lock" in commands
    assert "requirements-dev.lock" not in commands
    assert "gunicorn --config redshoes/gunicorn.conf.py" in commands
    assert "migrate" not in commands and "collectstatic" not in commands


def test_make_release_migrates_and_collects_static_files_once():
    commands = dry_run("release")

    assert "-r requirements.lock" in commands and "requirements-dev.lock" not in commands
    assert "manage.py migrate --noinput" in commands
    assert "manage.py collectstatic --noinput" in commands
    assert "gunicorn" not in commands


def test_make_worker_runs_the_job_worker_on_the_runtime_install():
    commands = dry_run("worker")

    assert "requirements-dev.lock" not in commands
    assert "manage.py run_worker" in commands


@pytest.mark.parametrize("target", ["run", "test"])
def test_local_commands_install_the_development_lock(target):
    commands = dry_run(target)

    assert "-r requirements-dev.lock" in commands
    if target == "run":
        assert "run_worker" in commands and "runserver 127.0.0.1:8000" in commands


def test_make_lock_uses_a_pinned_uv():
    commands = dry_run("lock")

    assert re.search(r"pip install --quiet uv==\d+\.\d+\.\d+", commands)
    assert "--constraint requirements.lock" in commands
