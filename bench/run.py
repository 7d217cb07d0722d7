"""`make bench`: the public pages under load at 1,000 and 100,000 facts, next to the framework's floor.

For each database (SQLite always; PostgreSQL too when `DATABASE_URL` points at a server
that answers) and each size, this script:

1. builds a fresh database in its own file or database (`bench-output/bench-<n>.sqlite3`,
   `<name>_bench` on PostgreSQL; never the one `DATABASE_URL` names): migrate, seed,
   `generate_demo_data` (timed);
2. asks `bench/probe.py` which URLs to load and what each costs in database queries and bytes;
3. starts gunicorn with the production settings (`redshoes/gunicorn.conf.py`, debug off,
   WhiteNoise) on 127.0.0.1 with `REDSHOES_BENCH=1`, which adds the "hello" view;
4. loads each page in turn with wrk (loopback only, fixed duration), the hello view (the
   framework's floor) and a WhiteNoise static file (the server's ceiling) in the same run;
5. on a database of `--fixture-facts` facts (100,000 by default, the issue's size: the
   trivia fast paths of `dumpdata` and `loaddata` take well under a minute each, see
   docs/performance.md), times `dumpdata`, the project's `export_trivia` (the same file)
   and `loaddata` into an empty database, each with a time limit;

then writes the tables, the machine and the versions into `docs/performance.md`
between the `bench:results` markers (the analysis around them is kept).

Usage: `python bench/run.py [--sizes 1000 100000] [--rounds 3] [--duration 2] [--fixture-facts 10000]
[--no-dump] [--sqlite-only] [--reuse] [--no-page-cache] [--no-report]`.
"""

import argparse
import json
import os
import platform
import re
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from datetime import UTC, datetime
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
RESULTS_START = "<!-- bench:results:start -->"
RESULTS_END = "<!-- bench:results:end -->"
# The targets of issues 8 and 17, as multiples of the hello view's p50.
TARGET_RATIO = {"film page": 3.0, "API": 3.0}
DEFAULT_TARGET_RATIO = 2.0
SEARCH_TARGET_MS = 50.0


class BenchError(Exception):
    """The benchmark cannot go on; the message says why."""


@dataclass
class Load:
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    errors: int


@dataclass
class Run:
    backend: str
    facts: int
    generate_seconds: float | None
    pages: list[dict] = field(default_factory=list)


@dataclass
class FixtureRun:
    backend: str
    facts: int
    dump_bytes: int = 0
    # Seconds, or None when the step ran past its time limit.
    dumpdata_seconds: float | None = None
    export_seconds: float | None = None
    loaddata_seconds: float | None = None
    loaded_facts: int | None = None
    limit: int = 0
    startup_seconds: float = 0.0  # `manage.py shell -c pass`: Django's start-up, left out of the rates


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

    def _execute(self, sql: str):
        import psycopg

        with psycopg.connect(self.admin_url, autocommit=True, connect_timeout=3) as connection:
            cursor = connection.execute(sql)
            return cursor.fetchall() if cursor.description else None

    def exists(self) -> bool:
        return bool(self._execute(f"SELECT 1 FROM pg_database WHERE datname = '{self.dbname}'"))

    def recreate(self):
        self._execute(f'DROP DATABASE IF EXISTS "{self.dbname}" WITH (FORCE)')
        self._execute(f'CREATE DATABASE "{self.dbname}"')

    def version(self) -> str:
        return self._execute("SHOW server_version")[0][0]

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


# --- One run --------------------------------------------------------------------------


def bench_one(database, facts: int, args) -> Run:
    env = bench_env(database.url, args.page_cache)
    if args.reuse and database.exists():
        print(f"[{database.name} {facts:,}] reusing the database built by an earlier run…", flush=True)
        manage(env, "migrate", "--noinput")
        generate_seconds = None
    else:
        print(f"[{database.name} {facts:,}] building the database…", flush=True)
        database.recreate()
        manage(env, "migrate", "--noinput")
        manage(env, "seed_trivia")
        films = FILMS_FOR.get(facts, max(1, facts // 250))
        generate_seconds, _ = manage(
            env, "generate_demo_data", "--films", str(films), "--facts", str(facts), "--seed", str(SEED)
        )
        print(f"[{database.name} {facts:,}] generated in {generate_seconds:.1f} s", flush=True)
        manage(env, "check_citations")  # a bulk load must leave every citation on its quote
    label = f"{database.name.lower()}-{facts}"
    probe_path = OUT / f"probe-{label}.json"
    probe = subprocess.run(
        [PYTHON, "bench/probe.py", str(probe_path)], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if probe.returncode != 0:
        raise BenchError(f"bench/probe.py failed:\n{probe.stderr.strip()[-2000:]}")
    pages = json.loads(probe_path.read_text())["pages"]
    run = Run(database.name, facts, generate_seconds, pages)

    server = start_server(env, OUT / f"gunicorn-{label}.log")
    try:
        measured = []
        for page in pages:
            if page["status"] not in (200, 304):
                # Not built (yet), or broken: reported as such rather than timed.
                print(f"  {page['name']:<42} skipped: answered {page['status']}", flush=True)
                continue
            warm(page["path"], page.get("headers", {}))
            measured.append(page)
        # Round robin: every page (the floor included) is loaded once per round, so a
        # change in the machine's other load touches all of them alike; each figure is
        # the median over the rounds.
        loads = {page["path"] + repr(page.get("headers")): [] for page in measured}
        for _ in range(args.rounds):
            for page in measured:
                key = page["path"] + repr(page.get("headers"))
                loads[key].append(run_wrk(page["path"], page.get("headers", {}), args.duration, args.connections))
        for page in measured:
            page.update(vars(combine(loads[page["path"] + repr(page.get("headers"))])))
            print(
                f"  {page['name']:<42} {page['p50_ms']:8.2f} ms p50 {page['requests_per_second']:8.0f} req/s",
                flush=True,
            )
    finally:
        stop_server(server)
    return run


def timed(env: dict, limit: int, *args: str) -> float | None:
    """Seconds `manage.py <args>` took, or None if it was still running after `limit` seconds."""
    try:
        seconds, _ = manage(env, *args, timeout=limit)
    except subprocess.TimeoutExpired:
        return None
    return seconds


def bench_fixtures(database, facts: int, args) -> FixtureRun:
    """dumpdata, export_trivia and loaddata of a whole database of `facts` facts."""
    run = FixtureRun(database.name, facts, limit=args.fixture_limit)
    source, target = database.sibling("fixture"), database.sibling("load")
    env, load_env = bench_env(source.url), bench_env(target.url)
    print(f"[{database.name} fixtures, {facts:,} facts] building, dumpdata, export_trivia, loaddata…", flush=True)
    source.recreate()
    manage(env, "migrate", "--noinput")
    manage(env, "seed_trivia")
    manage(env, "generate_demo_data", "--films", str(max(1, facts // 250)), "--facts", str(facts), "--seed", "1")
    manage(env, "check_citations")
    run.startup_seconds, _ = manage(env, "shell", "-c", "pass")
    dump = OUT / f"dump-{database.name.lower()}-{facts}.json"
    dump_args = ("dumpdata", "trivia", "--natural-foreign", "--natural-primary", "--indent", "2", "-o", str(dump))
    run.dumpdata_seconds = timed(env, args.fixture_limit, *dump_args)
    export = OUT / f"export-{database.name.lower()}-{facts}.json"
    run.export_seconds = timed(env, args.fixture_limit, "export_trivia", "-o", str(export))
    fixture = dump if run.dumpdata_seconds is not None else export
    run.dump_bytes = fixture.stat().st_size if fixture.exists() else 0
    target.recreate()
    manage(load_env, "migrate", "--noinput")
    run.loaddata_seconds = timed(load_env, args.fixture_limit, "loaddata", str(fixture))
    if run.loaddata_seconds is not None:
        manage(load_env, "check_citations")
        _, counted = manage(load_env, "shell", "-c", "from trivia.models import Fact; print(Fact.objects.count())")
        run.loaded_facts = int(counted.strip().splitlines()[-1])
    return run


def fixture_table(runs: list[FixtureRun]) -> str:
    def cell(run, seconds):
        if seconds is None:
            return f"over {run.limit} s (stopped)"
        rate = max(seconds - run.startup_seconds, 0) / run.facts * 100_000
        return f"{seconds:.1f} s (≈ {rate:,.0f} s per 100,000 facts)"

    lines = [
        "#### dumpdata / loaddata",
        "",
        "| database | facts | fixture | `dumpdata --natural-foreign --natural-primary` | `export_trivia` "
        "| `loaddata` into an empty database |",
        "| --- | ---: | ---: | --- | --- | --- |",
    ]
    for run in runs:
        lines.append(
            f"| {run.backend} | {run.facts:,} | {run.dump_bytes / 1e6:.1f} MB | "
            f"{cell(run, run.dumpdata_seconds)} | {cell(run, run.export_seconds)} | {cell(run, run.loaddata_seconds)} |"
        )
    lines += [
        "",
        "Wall-clock seconds including Django's start-up; the per-100,000 figure leaves the start-up out "
        f"({', '.join(f'{run.startup_seconds:.1f} s on {run.backend}' for run in runs)}) and scales linearly.",
    ]
    return "\n".join(lines)


# --- The report -----------------------------------------------------------------------


def target_for(name: str) -> str:
    if name.startswith(("hello", "static")):
        return ""
    if name.startswith("film page, repeat"):
        return "304"
    ratio = next((r for prefix, r in TARGET_RATIO.items() if name.startswith(prefix)), DEFAULT_TARGET_RATIO)
    target = f"≤ {ratio:g}×"
    if name.startswith("search"):
        target += f", < {SEARCH_TARGET_MS:g} ms"
    return target


def met(page: dict, hello_p50: float) -> str:
    name = page["name"]
    if page.get("errors"):
        return f"no: {page['errors']} failed responses"
    if name.startswith(("hello", "static")):
        return ""
    if name.startswith("film page, repeat"):
        return "yes" if page["status"] == 304 else f"no: status {page['status']}"
    ratio = next((r for prefix, r in TARGET_RATIO.items() if name.startswith(prefix)), DEFAULT_TARGET_RATIO)
    ok = page["p50_ms"] <= ratio * hello_p50
    if name.startswith("search"):
        ok = ok and page["p50_ms"] < SEARCH_TARGET_MS
    return "yes" if ok else "**no**"


def table(run: Run) -> str:
    hello = next(p for p in run.pages if p["name"].startswith("hello"))
    lines = [
        f"#### {run.backend}, {run.facts:,} facts",
        "",
        "| page | requests/s | p50 ms | p99 ms | p50 ÷ hello p50 | queries | bytes | first visit ms | target | met |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |",
    ]
    for page in run.pages:
        if "p50_ms" not in page:
            lines.append(
                f"| {page['name']} (`{page['path']}`) | – | – | – | – | {page['queries']} | {page['bytes']:,} | – "
                f"| {target_for(page['name'])} | not measured: answered {page['status']} |"
            )
            continue
        ratio = page["p50_ms"] / hello["p50_ms"]
        lines.append(
            f"| {page['name']} (`{page['path']}`) | {page['requests_per_second']:,.0f} | {page['p50_ms']:.2f} "
            f"| {page['p99_ms']:.2f} | {ratio:.1f}× | {page['queries']} | {page['bytes']:,} "
            f"| {page['first_visit_ms']:.1f} | {target_for(page['name'])} | {met(page, hello['p50_ms'])} |"
        )
    lines.append("")
    if run.generate_seconds is not None:
        lines.append(f"Generating the demo data took {run.generate_seconds:.1f} s (wall clock, including start-up).")
    return "\n".join(lines)


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


def write_report(runs: list[Run], fixture_runs: list[FixtureRun], args, postgres_note, postgres_version, loads):
    body = [
        RESULTS_START,
        "",
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC by `make bench` (`bench/run.py`).",
        "",
        f"- Machine: {'; '.join(machine())}. Load average {loads[0]:.1f} before the run, {loads[1]:.1f} after "
        "(other work was sharing the machine, so absolute figures are noisy; the ratios to the hello view, "
        "measured minutes apart in the same run, are the comparison that holds).",
        f"- Versions: {versions(postgres_version)}.",
        f"- Server: gunicorn with `redshoes/gunicorn.conf.py`, {os.environ.get('WEB_CONCURRENCY', '2')} sync workers, "
        "DEBUG off, WhiteNoise, access log on; client: "
        f"`wrk --latency -t1 -c{args.connections} -d{args.duration}s` on 127.0.0.1, one page at a time, "
        f"{args.rounds} rounds over all the pages (floor and ceiling included), after 5 warm-up requests per page; "
        "each figure is the median over the rounds.",
        "- Queries and bytes: Django's test client with `CaptureQueriesContext`, on a repeat request of a page "
        "(bytes: the response body, uncompressed). First visit: the same client with the page cache emptied, "
        "so the page is rendered: the median of three, in-process (no HTTP, no gunicorn).",
        f"- Page cache: {'on' if args.page_cache else 'off (`--no-page-cache`)'}.",
        f"- PostgreSQL: {postgres_note}",
        "",
    ]
    for run in runs:
        body += [table(run), ""]
    if fixture_runs:
        body += [fixture_table(fixture_runs), ""]
    body.append(RESULTS_END)
    block = "\n".join(body)
    current = REPORT.read_text() if REPORT.exists() else f"# Performance\n\n{RESULTS_START}\n{RESULTS_END}\n"
    if RESULTS_START in current and RESULTS_END in current:
        before, rest = current.split(RESULTS_START, 1)
        after = rest.split(RESULTS_END, 1)[1]
        current = before + block + after
    else:
        current = current.rstrip("\n") + "\n\n## Results\n\n" + block + "\n"
    REPORT.write_text(current)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 100_000], help="Fact counts to build.")
    parser.add_argument("--duration", type=int, default=2, help="Seconds of wrk load per page and round.")
    parser.add_argument("--rounds", type=int, default=3, help="Rounds over all the pages; figures are medians.")
    parser.add_argument("--connections", type=int, default=2, help="wrk connections (keep-alive).")
    parser.add_argument("--no-dump", dest="dump", action="store_false", help="Skip dumpdata/loaddata timing.")
    parser.add_argument("--fixture-facts", type=int, default=100_000, help="Facts in the dumpdata/loaddata database.")
    parser.add_argument("--fixture-limit", type=int, default=240, help="Seconds before a fixture step is stopped.")
    parser.add_argument("--no-report", dest="report", action="store_false", help="Print, do not write the report.")
    parser.add_argument(
        "--reuse", action="store_true", help="Keep databases an earlier run built (migrated, not regenerated)."
    )
    parser.add_argument("--sqlite-only", action="store_true", help="Skip PostgreSQL even if DATABASE_URL names one.")
    parser.add_argument(
        "--no-page-cache", dest="page_cache", action="store_false", help="Render every request (for comparison)."
    )
    import shared_cache  # bench/shared_cache.py: renders per edit with per-worker caches and with Redis

    shared_cache.add_arguments(parser, in_make_bench=True)
    args = parser.parse_args(argv)
    if not shutil.which("wrk"):
        raise BenchError("wrk is not installed: `apt-get install wrk` (make bench does this).")
    OUT.mkdir(exist_ok=True)
    loads_before = os.getloadavg()[0]

    databases = [lambda size: SqliteDatabase(f"bench-{size}")]
    args.postgres = os.environ.get("DATABASE_URL", "")
    postgres_version = None
    if args.sqlite_only or not args.postgres.startswith(("postgres://", "postgresql://")):
        postgres_note = "not measured (DATABASE_URL does not name a PostgreSQL server)."
    elif not PostgresDatabase(args.postgres, "bench").answers():
        postgres_note = "not measured (the server in DATABASE_URL did not answer)."
    else:
        postgres = PostgresDatabase(args.postgres, "bench_<facts>")
        postgres_version = postgres.version()
        postgres_note = (
            f"server {postgres_version} on {urlsplit(args.postgres).hostname}, databases `{postgres.dbname}`."
        )
        databases.append(lambda size: PostgresDatabase(args.postgres, f"bench_{size}"))

    print("collectstatic…", flush=True)
    manage(bench_env(SqliteDatabase("bench-static").url), "collectstatic", "--noinput")
    runs, fixture_runs = [], []
    for make_database in databases:
        for size in args.sizes:
            runs.append(bench_one(make_database(size), size, args))
        if args.dump:
            fixture_runs.append(bench_fixtures(make_database(args.fixture_facts), args.fixture_facts, args))
    # On the last engine measured (PostgreSQL when it answers): one database shared by the two servers.
    cache_block = shared_cache.for_make_bench(databases[-1], args) if args.cache_bench else ""
    loads = (loads_before, os.getloadavg()[0])
    if args.report:
        write_report(runs, fixture_runs, args, postgres_note, postgres_version, loads)
        if cache_block:
            shared_cache.write_cache_report(cache_block)
        print(f"Wrote {REPORT.relative_to(ROOT)}")
    else:
        for run in runs:
            print(table(run))
        if fixture_runs:
            print(fixture_table(fixture_runs))


if __name__ == "__main__":
    try:
        main()
    except BenchError as exc:
        sys.exit(f"bench: {exc}")
