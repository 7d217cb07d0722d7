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
   and `loaddata` into an empty database, each with a time limit and its peak memory;
6. on each engine's largest database: first visits in process as multiples of `/healthz`
   (bench/uncached.py) and the readers scenario (bench/readers.py);
7. renders per edit with per-worker caches and with Redis (bench/shared_cache.py);

then writes the tables, the machine and the versions into `docs/performance.md`
between the `bench:results`, `bench:uncached`, `bench:readers` and `bench:cache` markers
(the analysis around them is kept).

Usage: `python bench/run.py [--sizes 1000 100000] [--rounds 3] [--duration 1] [--fixture-facts 10000]
[--no-dump] [--sqlite-only] [--reuse] [--no-page-cache] [--no-uncached] [--no-readers] [--no-cache-bench]
[--no-report]`; `--help` lists every option.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))

import readers  # noqa: E402  (bench/readers.py: Zipf-distributed readers while an editor saves)
import shared_cache  # noqa: E402  (bench/shared_cache.py: renders per edit, per-worker vs Redis)
import uncached  # noqa: E402  (bench/uncached.py: first visits as multiples of the floor)
from common import (  # noqa: E402  (bench/common.py, the same directory)
    FILMS_FOR,
    OUT,
    PYTHON,
    REPORT,
    ROOT,
    SEED,
    BenchError,
    PostgresDatabase,
    SqliteDatabase,
    bench_env,
    combine,
    machine,
    manage,
    replace_block,
    run_wrk,
    start_server,
    stop_server,
    versions,
    warm,
)
from fixtures import FixtureRun, bench_fixtures, fixture_table  # noqa: E402  (bench/fixtures.py)
from uncached import UNCACHED_END, UNCACHED_START  # noqa: E402

RESULTS_START = "<!-- bench:results:start -->"
RESULTS_END = "<!-- bench:results:end -->"
# The targets of issues 8 and 17, as multiples of the hello view's p50.
TARGET_RATIO = {"film page": 3.0, "API": 3.0}
DEFAULT_TARGET_RATIO = 2.0
SEARCH_TARGET_MS = 50.0


@dataclass
class Run:
    backend: str
    facts: int
    generate_seconds: float | None
    pages: list[dict] = field(default_factory=list)


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


def write_report(runs: list[Run], fixture_runs: list[FixtureRun], args, postgres_note, postgres_version, loads):
    body = [
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
        body += [fixture_table(fixture_runs)]
    replace_block(RESULTS_START, RESULTS_END, "\n".join(body).rstrip("\n"), "## Results")


def engines(args) -> tuple[list, str, str | None]:
    """Database makers (size -> database) for each engine measured, the PostgreSQL note and version."""
    databases = [lambda size: SqliteDatabase(f"bench-{size}")]
    args.postgres = os.environ.get("DATABASE_URL", "")
    if args.sqlite_only or not args.postgres.startswith(("postgres://", "postgresql://")):
        return databases, "not measured (DATABASE_URL does not name a PostgreSQL server).", None
    if not PostgresDatabase(args.postgres, "bench").answers():
        return databases, "not measured (the server in DATABASE_URL did not answer).", None
    postgres = PostgresDatabase(args.postgres, "bench_<facts>")
    version = postgres.version()
    databases.append(lambda size: PostgresDatabase(args.postgres, f"bench_{size}"))
    return databases, f"server {version} on {urlsplit(args.postgres).hostname}, databases `{postgres.dbname}`.", version


def parse_arguments(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 100_000], help="Fact counts to build.")
    # One second: a page answers 500-2,000 requests in it, enough for a p99, and the whole `make bench` then fits
    # in the issue's ~15 minutes (two seconds took 20).
    parser.add_argument("--duration", type=int, default=1, help="Seconds of wrk load per page and round.")
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
    parser.add_argument("--no-uncached", dest="uncached", action="store_false", help="Skip the first-visit table.")
    parser.add_argument("--uncached-rounds", type=int, default=15, help="Cold renders per page type (first visits).")
    shared_cache.add_arguments(parser, in_make_bench=True)
    readers.add_arguments(parser, in_make_bench=True)
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_arguments(argv)
    if not shutil.which("wrk"):
        raise BenchError("wrk is not installed: `apt-get install wrk` (make bench does this).")
    OUT.mkdir(exist_ok=True)
    loads_before = os.getloadavg()[0]
    databases, postgres_note, postgres_version = engines(args)
    print("collectstatic…", flush=True)
    manage(bench_env(SqliteDatabase("bench-static").url), "collectstatic", "--noinput")
    runs, fixture_runs = [], []
    for make_database in databases:
        for size in args.sizes:
            runs.append(bench_one(make_database(size), size, args))
        if args.dump:
            built = args.fixture_facts in args.sizes
            fixture_runs.append(bench_fixtures(make_database(args.fixture_facts), args.fixture_facts, args, built))
    # First visits and readers on each engine's largest database (100,000 facts by default).
    largest = [make_database(max(args.sizes)) for make_database in databases]
    blocks = {
        (UNCACHED_START, UNCACHED_END, "## First visits"): args.uncached
        and uncached.for_make_bench(largest, args.uncached_rounds),
        (readers.READERS_START, readers.READERS_END, "## Readers"): args.readers
        and readers.for_make_bench(largest, args),
        # On the last engine measured (PostgreSQL when it answers): one database shared by the two servers.
        (shared_cache.CACHE_START, shared_cache.CACHE_END, "## Shared page cache"): args.cache_bench
        and shared_cache.for_make_bench(databases[-1], args),
    }
    loads = (loads_before, os.getloadavg()[0])
    if args.report:
        write_report(runs, fixture_runs, args, postgres_note, postgres_version, loads)
        for (start, end, heading), block in blocks.items():
            if block:
                replace_block(start, end, block, heading)
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
