"""`make bench-scale`: how page costs, generation, size, `dumpdata` and `loaddata` grow from 10,000 to 1,000,000 facts.

For each engine (SQLite; PostgreSQL too when `DATABASE_URL` names a server that answers)
and each size (`--sizes`, default 10,000, 100,000 and 1,000,000 facts), this script:

1. builds `bench-output/scale-<n>.sqlite3` or `<name>_scale_<n>`: migrate, seed,
   `generate_demo_data` (timed, its peak RSS), `check_citations`;
2. measures the database's size (SQLite: the file after a WAL checkpoint; PostgreSQL:
   `pg_database_size`);
3. runs `bench/uncached_probe.py` on it: each page type's cold (right after an edit, page
   cache empty) and warm p50, in process, next to the floor;
4. dumps it with `dumpdata trivia --natural-foreign --natural-primary --indent 2` and loads
   the file with `loaddata` into a freshly migrated `…-load` database (each timed, with its
   own peak RSS from the kernel), then `check_citations` and a count of the loaded facts;
5. drops the loaded copy and the fixture (`--keep` keeps the built databases for `--reuse`).

Each step's figures are kept in `bench-output/scale-<engine>-<n>.json`, so a run that
stops can be resumed (`--reuse`) and the report redrawn (`--report-only`). The tables go
into docs/performance.md between the `bench:scale` markers. Heavy: at a million facts each
engine needs several GB of disk and most of an hour on two cores.
"""

import argparse
import json
import os
import sqlite3
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common as bench  # noqa: E402  (bench/common.py, the same directory)
import uncached  # noqa: E402

SCALE_START = "<!-- bench:scale:start -->"
SCALE_END = "<!-- bench:scale:end -->"
STEP_LIMIT = 3 * 3600  # seconds before any one command is stopped
COUNT_FACTS = "from trivia.models import Fact; print(Fact.objects.count())"


def results_path(database, size: int) -> Path:
    return bench.OUT / f"scale-{database.name.lower()}-{size}.json"


def database_bytes(database) -> int:
    if isinstance(database, bench.SqliteDatabase):
        with sqlite3.connect(database.path) as connection:
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return database.path.stat().st_size
    return int(database.execute(f"SELECT pg_database_size('{database.dbname}')")[0][0])


def build(database, size: int, figures: dict, args) -> None:
    env = bench.bench_env(database.url)
    if args.reuse and database.exists() and "generate_seconds" in figures:
        print(f"[{database.name} {size:,}] reusing the database built earlier", flush=True)
        return
    print(f"[{database.name} {size:,}] generating…", flush=True)
    database.recreate()
    bench.manage(env, "migrate", "--noinput")
    bench.manage(env, "seed_trivia")
    films = bench.FILMS_FOR.get(size, max(1, size // 250))
    child = bench.manage_measured(
        env, "generate_demo_data", "--films", str(films), "--facts", str(size), "--seed", str(bench.SEED),
        timeout=STEP_LIMIT,
    )  # fmt: skip
    figures.update(generate_seconds=child.seconds, generate_rss_mb=child.peak_rss_mb)
    bench.manage(env, "check_citations", timeout=STEP_LIMIT)
    figures["database_bytes"] = database_bytes(database)


def dump_and_load(database, size: int, figures: dict) -> None:
    env = bench.bench_env(database.url)
    target = database.sibling("load")
    fixture = bench.OUT / f"scale-{database.name.lower()}-{size}-fixture.json"
    print(f"[{database.name} {size:,}] dumpdata…", flush=True)
    dumped = bench.manage_measured(
        env, "dumpdata", "trivia", "--natural-foreign", "--natural-primary", "--indent", "2", "-o", str(fixture),
        timeout=STEP_LIMIT,
    )  # fmt: skip
    figures.update(dump_seconds=dumped.seconds, dump_rss_mb=dumped.peak_rss_mb, fixture_bytes=fixture.stat().st_size)
    print(f"[{database.name} {size:,}] loaddata into an empty database…", flush=True)
    target.recreate()
    load_env = bench.bench_env(target.url)
    bench.manage(load_env, "migrate", "--noinput")
    try:
        loaded = bench.manage_measured(load_env, "loaddata", str(fixture), timeout=STEP_LIMIT)
        figures.update(load_seconds=loaded.seconds, load_rss_mb=loaded.peak_rss_mb)
        bench.manage(load_env, "check_citations", timeout=STEP_LIMIT)
        _, counted = bench.manage(load_env, "shell", "-c", COUNT_FACTS)
        figures["loaded_facts"] = int(counted.strip().splitlines()[-1])
        _, counted = bench.manage(env, "shell", "-c", COUNT_FACTS)
        figures["facts"] = int(counted.strip().splitlines()[-1])
    finally:
        fixture.unlink(missing_ok=True)
        drop(target)


def drop(database) -> None:
    if isinstance(database, bench.SqliteDatabase):
        database.recreate()  # removes the file and its WAL
    else:
        database.execute(f'DROP DATABASE IF EXISTS "{database.dbname}" WITH (FORCE)')


def measure_size(database, size: int, args) -> dict:
    path = results_path(database, size)
    figures = json.loads(path.read_text()) if args.reuse and path.exists() else {}
    figures.update(backend=database.name, size=size, load_average=os.getloadavg()[0])
    build(database, size, figures, args)
    path.write_text(json.dumps(figures, indent=2))
    if "pages" not in figures:
        print(f"[{database.name} {size:,}] first visits, in process…", flush=True)
        figures["pages"] = uncached.measure(database, args.rounds)
        path.write_text(json.dumps(figures, indent=2))
    if "load_seconds" not in figures:
        dump_and_load(database, size, figures)
        path.write_text(json.dumps(figures, indent=2))
    if not args.keep:
        drop(database)
    return figures


# --- The report -----------------------------------------------------------------------------


def data_table(runs: list[dict]) -> str:
    lines = [
        "| database | facts | generate | database size | `dumpdata` | fixture | `loaddata` into an empty database "
        "| loaded |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for run in runs:
        loaded = "all, citations checked" if run.get("loaded_facts") == run.get("facts") else "**no**"
        lines.append(
            f"| {run['backend']} | {run['size']:,} | {run['generate_seconds']:.0f} s, {run['generate_rss_mb']:,.0f} MB "
            f"| {run['database_bytes'] / 1e6:,.0f} MB | {run['dump_seconds']:.0f} s, {run['dump_rss_mb']:,.0f} MB "
            f"| {run['fixture_bytes'] / 1e6:,.0f} MB | {run['load_seconds']:.0f} s, {run['load_rss_mb']:,.0f} MB "
            f"| {loaded} |"
        )
    lines += ["", "Seconds wall clock; MB after a time: the command's own peak resident memory (`wait4`)."]
    return "\n".join(lines)


def pages_table(backend: str, runs: list[dict]) -> str:
    runs = sorted((run for run in runs if run["backend"] == backend), key=lambda run: run["size"])
    summaries = {run["size"]: {row["name"]: row for row in uncached.summary(run["pages"])} for run in runs}
    sizes = [run["size"] for run in runs]
    header = " | ".join(f"{size:,}: cold / cached" for size in sizes)
    lines = [
        f"#### {backend}: p50 in ms, in process (× the floor, `/healthz`)",
        "",
        f"| page type | {header} | cold, largest ÷ smallest: wall / CPU |",
        "| --- |" + " ---: |" * len(sizes) + " ---: |",
    ]
    floors = " | ".join(f"{run['pages']['floor_ms']['healthz']:.3f}" for run in runs)
    lines.append(f"| floor (`/healthz`) | {floors} | |")
    for name in summaries[sizes[0]]:
        rows = [summaries[size][name] for size in sizes]
        cells = [f"{row['cold_ms']:.1f} ({row['cold_ratio']:.0f}×) / {row['warm_ms']:.2f}" for row in rows]
        wall = rows[-1]["cold_ms"] / rows[0]["cold_ms"]
        cpu = rows[-1]["cold_cpu_ms"] / rows[0]["cold_cpu_ms"]
        growth = f"{wall:.2f}× / {cpu:.2f}×"
        lines.append(f"| {name} | {' | '.join(cells)} | {growth if wall <= 1.5 else f'**{growth}**'} |")
    return "\n".join(lines)


def report(runs: list[dict]) -> str:
    loads = [run["load_average"] for run in runs]
    backends = list(dict.fromkeys(run["backend"] for run in runs))
    blocks = [
        f"Measured by `make bench-scale` (`bench/scale.py`), finished {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; "
        f"machine: {'; '.join(bench.machine())}; load average {min(loads):.1f}–{max(loads):.1f} at the start of "
        "each size (other work shared the machine). Page figures: `bench/uncached_probe.py`, the median of "
        f"{runs[0]['pages']['rounds']} rounds, cold = right after an edit with the page cache empty; a page is "
        "flat when its cold p50 at the largest size is within 1.5× of the smallest (bold when not); beside it the same "
        "for this process's CPU time, which the machine's other load moves less (but which leaves out PostgreSQL's "
        "own work).",
        "",
        data_table(runs),
    ]
    for backend in backends:
        blocks += ["", pages_table(backend, runs)]
    return "\n".join(blocks)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--rounds", type=int, default=11, help="Cold renders per page type and size.")
    parser.add_argument("--sqlite-only", action="store_true", help="Skip PostgreSQL even if DATABASE_URL names one.")
    parser.add_argument(
        "--postgresql-only",
        action="store_true",
        help="Measure PostgreSQL alone (the report still shows SQLite's kept figures).",
    )
    parser.add_argument("--reuse", action="store_true", help="Resume: keep figures and databases already there.")
    parser.add_argument("--keep", action="store_true", help="Keep the built databases (for --reuse).")
    parser.add_argument("--report-only", action="store_true", help="Redraw the report from the kept figures.")
    parser.add_argument("--no-report", dest="report", action="store_false", help="Print, do not write the report.")
    args = parser.parse_args(argv)
    bench.OUT.mkdir(exist_ok=True)
    if not args.report_only:
        bench.manage(bench.bench_env(bench.SqliteDatabase("bench-static").url), "collectstatic", "--noinput")
    runs = []
    for size in args.sizes:
        databases = bench.databases_for(size, "scale")[: 1 if args.sqlite_only else None]
        for database in databases:
            if args.report_only or (args.postgresql_only and isinstance(database, bench.SqliteDatabase)):
                runs.append(json.loads(results_path(database, size).read_text()))
                continue
            started = time.perf_counter()
            runs.append(measure_size(database, size, args))
            print(f"[{database.name} {size:,}] done in {time.perf_counter() - started:.0f} s", flush=True)
    block = report(runs)
    print(block)
    if args.report:
        bench.replace_block(SCALE_START, SCALE_END, block, "## Scaling: 10,000 to 1,000,000 facts")


if __name__ == "__main__":
    try:
        main()
    except bench.BenchError as exc:
        sys.exit(f"bench: {exc}")
