"""What every benchmark script shares: wrk, the databases it builds, gunicorn, child processes, the report.

`bench/run.py` (`make bench`), `bench/scale.py` (`make bench-scale`), `bench/readers.py`,
`bench/shared_cache.py` and `bench/sizes.py` all build databases, start servers and write
docs/performance.md through these helpers. Nothing here imports Django: the scripts that
measure inside Django (`bench/probe.py`, `bench/uncached_probe.py`, `bench/editor.py`) run
as child processes with the environment `bench_env` gives.
"""

import os
import platform
import re
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench-output"
REPORT = ROOT / "docs" / "performance.md"
PYTHON = sys.executable
BIN = Path(PYTHON).parent
HOST = "127.0.0.1"
PORT = int(os.environ.get("REDSHOES_BENCH_PORT", "8150"))
SEED = 1
# facts -> films. At 100,000 facts the first film has 1,000 facts (the film-page target)
# and the other 399 about 250 each.
FILMS_FOR = {1_000: 10, 100_000: 400}
HELLO_PATH = "/bench/hello/"  # the framework's floor (redshoes/urls.py, REDSHOES_BENCH=1)


class BenchError(Exception):
    """The benchmark cannot go on; the message says why."""


@dataclass
class Load:
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    errors: int


# --- wrk ----------------------------------------------------------------------------

UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}


def parse_duration_ms(value: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m|h)", value.strip())
    if not match:
        raise BenchError(f"wrk printed a latency I cannot read: {value!r}")
    return float(match.group(1)) * UNITS_MS[match.group(2)]


def parse_wrk(output: str) -> Load:
    """Requests/s, p50, p99 and failed responses from `wrk --latency` output."""
    percentiles = dict(re.findall(r"^\s+(50|99)(?:\.0+)?%\s+(\S+)\s*$", output, re.MULTILINE))
    rate = re.search(r"^Requests/sec:\s+([\d.]+)", output, re.MULTILINE)
    if not rate or "50" not in percentiles or "99" not in percentiles:
        raise BenchError(f"wrk output without a rate or latency distribution:\n{output}")
    errors = 0
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    if non_2xx:
        errors += int(non_2xx.group(1))
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    if socket_errors:
        errors += sum(int(n) for n in socket_errors.groups())
    return Load(
        float(rate.group(1)), parse_duration_ms(percentiles["50"]), parse_duration_ms(percentiles["99"]), errors
    )


def run_wrk(path: str, headers: dict, duration: int, connections: int) -> Load:
    command = ["wrk", "--latency", "-t1", f"-c{connections}", f"-d{duration}s", "--timeout", "10s"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    command.append(f"http://{HOST}:{PORT}{path}")
    result = subprocess.run(command, capture_output=True, text=True, timeout=duration + 30)
    if result.returncode != 0:
        raise BenchError(f"wrk failed on {path}: {result.stderr.strip()}")
    return parse_wrk(result.stdout)


def combine(rounds: list[Load]) -> Load:
    return Load(
        requests_per_second=statistics.median(load.requests_per_second for load in rounds),
        p50_ms=statistics.median(load.p50_ms for load in rounds),
        p99_ms=statistics.median(load.p99_ms for load in rounds),
        errors=sum(load.errors for load in rounds),
    )


# --- Databases ------------------------------------------------------------------------


def bench_env(database_url: str, page_cache: bool = True) -> dict:
    env = os.environ.copy()
    env.update(
        DATABASE_URL=database_url,
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY="bench-only-" + "x" * 50,
        DJANGO_ALLOWED_HOSTS=f"{HOST},testserver",
        # Plain http on loopback: no redirect to https, nothing behind a proxy.
        DJANGO_SECURE_SSL_REDIRECT="0",
        DJANGO_BEHIND_PROXY="0",
        REDSHOES_BENCH="1",
        REDSHOES_BIND=f"{HOST}:{PORT}",
        REDSHOES_LOG_LEVEL="WARNING",
        WEB_CONCURRENCY=os.environ.get("WEB_CONCURRENCY", "2"),
        DJANGO_SETTINGS_MODULE="redshoes.settings",
    )
    if not page_cache:
        env["REDSHOES_PAGE_CACHE_ENTRIES"] = "0"
    # The page tables measure the embedded, per-worker cache; bench/shared_cache.py measures Redis.
    env.pop("REDIS_URL", None)
    return env


def manage(env: dict, *args: str, timeout: int | None = None) -> tuple[float, str]:
    started = time.perf_counter()
    result = subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        raise BenchError(f"manage.py {' '.join(args)} failed:\n{result.stderr.strip()[-2000:]}")
    return elapsed, result.stdout


class SqliteDatabase:
    name = "SQLite"

    def __init__(self, label: str):
        self.label = label
        self.path = OUT / f"{label}.sqlite3"

    def sibling(self, suffix: str) -> "SqliteDatabase":
        return SqliteDatabase(f"{self.label}-{suffix}")

    @property
    def url(self) -> str:
        return f"sqlite:///{self.path}"

    def exists(self) -> bool:
        return self.path.exists()

    def recreate(self):
        for suffix in ("", "-wal", "-shm"):
            Path(f"{self.path}{suffix}").unlink(missing_ok=True)

    def version(self) -> str:
        return sqlite3.sqlite_version


class PostgresDatabase:
    name = "PostgreSQL"

    def __init__(self, server_url: str, label: str = "bench"):
        self.server_url = server_url
        self.label = label
        parts = urlsplit(server_url)
        base = parts.path.lstrip("/") or "redshoes"
        # Its own database next to the one DATABASE_URL names, which is never touched.
        self.dbname = f"{base}_{label}".replace("-", "_")
        self.url = urlunsplit(parts._replace(path="/" + self.dbname))
        self.admin_url = urlunsplit(parts._replace(path="/postgres"))

    def sibling(self, suffix: str) -> "PostgresDatabase":
        return PostgresDatabase(self.server_url, f"{self.label}_{suffix}")

    def execute(self, sql: str):
        import psycopg

        with psycopg.connect(self.admin_url, autocommit=True, connect_timeout=3) as connection:
            cursor = connection.execute(sql)
            return cursor.fetchall() if cursor.description else None

    def exists(self) -> bool:
        return bool(self.execute(f"SELECT 1 FROM pg_database WHERE datname = '{self.dbname}'"))

    def recreate(self):
        self.execute(f'DROP DATABASE IF EXISTS "{self.dbname}" WITH (FORCE)')
        self.execute(f'CREATE DATABASE "{self.dbname}"')

    def version(self) -> str:
        return self.execute("SHOW server_version")[0][0]

    def answers(self) -> bool:
        try:
            self.version()
        except Exception:  # noqa: BLE001 - any failure means "not there"; the report says it was skipped
            return False
        return True


# --- The server -----------------------------------------------------------------------


def start_server(env: dict, log_path: Path, port: int = PORT) -> subprocess.Popen:
    log = open(log_path, "w")  # noqa: SIM115 - closed with the process in stop_server
    # --max-requests 0: the production setting recycles a worker every ~2,000 requests,
    # which in a benchmark only measures Django's start-up in the p99.
    process = subprocess.Popen(
        [str(BIN / "gunicorn"), "--config", "redshoes/gunicorn.conf.py", "--max-requests", "0"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    process.log = log
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise BenchError(f"gunicorn exited at start-up; see {log_path}")
        try:
            with urllib.request.urlopen(f"http://{HOST}:{port}/healthz", timeout=2) as response:
                if response.status == 200:
                    return process
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.3)
    stop_server(process)
    raise BenchError(f"gunicorn did not answer on {HOST}:{port} within 30 s; see {log_path}")


def stop_server(process: subprocess.Popen):
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    process.log.close()


def warm(path: str, headers: dict, times: int = 5):
    for _ in range(times):
        request = urllib.request.Request(f"http://{HOST}:{PORT}{path}", headers=headers)
        try:
            urllib.request.urlopen(request, timeout=60).read()
        except urllib.error.HTTPError as exc:
            if exc.code != 304:
                raise BenchError(f"{path} answered {exc.code} while warming up") from None


def machine() -> list[str]:
    cpu = "unknown CPU"
    try:
        cpu = next(
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        )
    except (OSError, StopIteration):
        pass
    memory = ""
    try:
        kib = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f", {kib / 1024 / 1024:.1f} GiB RAM"
    except (OSError, ValueError, IndexError):
        pass
    return [f"{cpu}, {os.cpu_count()} cores{memory}", platform.platform()]


def versions(postgres_version: str | None) -> str:
    import django
    import gunicorn
    import whitenoise

    wrk = subprocess.run(["wrk", "-v"], capture_output=True, text=True)
    wrk_version = (wrk.stdout + wrk.stderr).split()[1] if (wrk.stdout + wrk.stderr).split()[1:] else "?"
    parts = [
        f"Python {platform.python_version()}",
        f"Django {django.get_version()}",
        f"gunicorn {gunicorn.__version__}",
        f"WhiteNoise {whitenoise.__version__}" if hasattr(whitenoise, "__version__") else "WhiteNoise",
        f"SQLite {sqlite3.sqlite_version}",
    ]
    if postgres_version:
        parts.append(f"PostgreSQL {postgres_version}")
    parts.append(f"wrk {wrk_version}")
    return ", ".join(parts)


# --- Child processes, measured ----------------------------------------------------------


@dataclass
class Child:
    """A finished command: wall-clock seconds, its own peak resident memory, and what it printed."""

    seconds: float
    peak_rss_mb: float
    stdout: str


# Runs the command (argv[2:]) as its own child and writes that child's peak RSS (KiB) to argv[1]. A command forked
# straight from the benchmark would have the benchmark's resident size in its peak: the kernel carries what a
# forked process held over exec into ru_maxrss. Forked from this small process, it carries only this.
PEAK_WRAPPER = """
import os, sys
pid = os.fork()
if pid == 0:
    os.execvp(sys.argv[2], sys.argv[2:])
_, status, usage = os.wait4(pid, 0)
with open(sys.argv[1], "w") as out:
    out.write(str(usage.ru_maxrss))
sys.exit(os.waitstatus_to_exitcode(status))
"""


def run_child(command: list[str], env: dict, timeout: float | None = None) -> Child:
    """Run `command` from the project root; its peak RSS comes from the kernel (`wait4` on that one process).

    Raises `BenchError` when it fails, `subprocess.TimeoutExpired` (after killing it) past `timeout`.
    """
    with (
        tempfile.TemporaryDirectory() as scratch,
        tempfile.TemporaryFile("w+") as stdout,
        tempfile.TemporaryFile("w+") as stderr,
    ):
        peak = Path(scratch) / "peak"
        started = time.perf_counter()
        process = subprocess.Popen(
            [PYTHON, "-c", PEAK_WRAPPER, str(peak), *command],
            cwd=ROOT,
            env=env,
            stdout=stdout,
            stderr=stderr,
            start_new_session=True,
        )
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            raise
        elapsed = time.perf_counter() - started
        stdout.seek(0)
        stderr.seek(0)
        if process.returncode != 0:
            raise BenchError(f"{' '.join(command[1:4])}… failed:\n{stderr.read().strip()[-2000:]}")
        # ru_maxrss is in kibibytes on Linux.
        return Child(elapsed, int(peak.read_text()) / 1024, stdout.read())


def manage_measured(env: dict, *args: str, timeout: float | None = None) -> Child:
    return run_child([PYTHON, "manage.py", *args], env, timeout)


# --- Which databases, and the report ------------------------------------------------------


def databases_for(size: int, label: str = "bench") -> list:
    """The databases a size is measured on: SQLite always, PostgreSQL when DATABASE_URL names one that answers."""
    databases = [SqliteDatabase(f"{label}-{size}")]
    server = os.environ.get("DATABASE_URL", "")
    if server.startswith(("postgres://", "postgresql://")) and PostgresDatabase(server, label).answers():
        databases.append(PostgresDatabase(server, f"{label}_{size}"))
    return databases


def replace_block(start: str, end: str, block: str, heading: str) -> None:
    """Put `block` between the `start` and `end` markers of docs/performance.md (added under `heading` if missing)."""
    current = REPORT.read_text() if REPORT.exists() else "# Performance\n"
    block = f"{start}\n\n{block}\n\n{end}"
    if start in current and end in current:
        before, rest = current.split(start, 1)
        current = before + block + rest.split(end, 1)[1]
    else:
        current = current.rstrip("\n") + f"\n\n{heading}\n\n{block}\n"
    REPORT.write_text(current)
