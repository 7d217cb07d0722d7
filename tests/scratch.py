"""Scratch databases and real `manage.py` processes, for tests that must see what a user's shell sees."""

import os
import subprocess
import sys
import uuid
from pathlib import Path

import dj_database_url
import pytest

PROJECT_DIR = Path(__file__).resolve().parent.parent


def env_for(database_url: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DJANGO_DEBUG"}}
    env.update(DATABASE_URL=database_url, DJANGO_SETTINGS_MODULE="redshoes.test_settings")
    return env


def manage(env: dict, *args: str) -> str:
    """Run `manage.py args` to completion; its stdout, or a failed test showing its stderr."""
    result = run_manage(env, *args)
    assert result.returncode == 0, f"manage.py {' '.join(args)} failed:\n{result.stderr}"
    return result.stdout


def run_manage(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=PROJECT_DIR, env=env, capture_output=True, text=True
    )


def start_manage(env: dict, *args: str) -> subprocess.Popen:
    """`manage.py args` started in the background (for two processes at once)."""
    return subprocess.Popen(
        [sys.executable, "manage.py", *args], cwd=PROJECT_DIR, env=env, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


def postgres_server_url() -> str:
    """The PostgreSQL server the suite uses, or the local one: a scratch database is made on it."""
    configured = os.environ.get("DATABASE_URL", "")
    if configured.startswith(("postgres://", "postgresql://")):
        return configured.rsplit("/", 1)[0]
    return "postgres://postgres@127.0.0.1:5432"


@pytest.fixture
def scratch_postgres_url():
    """A new, empty PostgreSQL database on the suite's server (dropped afterwards), or a skip without one."""
    psycopg = pytest.importorskip("psycopg")
    server = postgres_server_url()
    settings = dj_database_url.parse(f"{server}/postgres")
    connect_args = {
        "host": settings["HOST"],
        "port": settings["PORT"] or 5432,
        "user": settings["USER"],
        "password": settings["PASSWORD"],
        "dbname": "postgres",
        "autocommit": True,
    }
    try:
        admin = psycopg.connect(**connect_args, connect_timeout=3)
    except psycopg.OperationalError as exc:
        pytest.skip(f"No PostgreSQL server at {server} for the cross-database round trip: {exc}")
    name = f"redshoes_roundtrip_{uuid.uuid4().hex[:12]}"
    admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{server}/{name}"
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def scratch_database_url(request, tmp_path):
    """A new, empty database of each engine in turn, for processes to share."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'scratch.sqlite3'}"
    return request.getfixturevalue("scratch_postgres_url")
