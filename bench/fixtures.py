"""`dumpdata`, `export_trivia` and `loaddata` of a whole database, timed and with each command's peak memory.

Part of `make bench` (bench/run.py): at `--fixture-facts` facts (100,000 by default) on each
engine. The scaling of the same commands up to 1,000,000 facts is `make bench-scale`.
"""

import subprocess
from dataclasses import dataclass

from common import OUT, Child, bench_env, manage, manage_measured


@dataclass
class FixtureRun:
    backend: str
    facts: int
    dump_bytes: int = 0
    # Seconds, or None when the step ran past its time limit.
    dumpdata_seconds: float | None = None
    export_seconds: float | None = None
    loaddata_seconds: float | None = None
    # Each command's own peak resident memory (MB), from the kernel.
    dumpdata_rss_mb: float = 0.0
    export_rss_mb: float = 0.0
    loaddata_rss_mb: float = 0.0
    loaded_facts: int | None = None
    limit: int = 0
    startup_seconds: float = 0.0  # `manage.py shell -c pass`: Django's start-up, left out of the rates


def timed(env: dict, limit: int, *args: str) -> Child | None:
    """`manage.py <args>` measured (seconds, peak RSS), or None if it was still running after `limit` seconds."""
    try:
        return manage_measured(env, *args, timeout=limit)
    except subprocess.TimeoutExpired:
        return None


def bench_fixtures(database, facts: int, args, built: bool) -> FixtureRun:
    """dumpdata, export_trivia and loaddata of a whole database of `facts` facts (`built`: it is there already)."""
    run = FixtureRun(database.name, facts, limit=args.fixture_limit)
    source = database if built else database.sibling("fixture")
    target = database.sibling("load")
    env, load_env = bench_env(source.url), bench_env(target.url)
    print(f"[{database.name} fixtures, {facts:,} facts] dumpdata, export_trivia, loaddata…", flush=True)
    if not built:
        source.recreate()
        manage(env, "migrate", "--noinput")
        manage(env, "seed_trivia")
        manage(env, "generate_demo_data", "--films", str(max(1, facts // 250)), "--facts", str(facts), "--seed", "1")
        manage(env, "check_citations")
    run.startup_seconds, _ = manage(env, "shell", "-c", "pass")
    dump = OUT / f"dump-{database.name.lower()}-{facts}.json"
    dump_args = ("dumpdata", "trivia", "--natural-foreign", "--natural-primary", "--indent", "2", "-o", str(dump))
    dumped = timed(env, args.fixture_limit, *dump_args)
    export = OUT / f"export-{database.name.lower()}-{facts}.json"
    exported = timed(env, args.fixture_limit, "export_trivia", "-o", str(export))
    fixture = dump if dumped is not None else export
    run.dump_bytes = fixture.stat().st_size if fixture.exists() else 0
    target.recreate()
    manage(load_env, "migrate", "--noinput")
    loaded = timed(load_env, args.fixture_limit, "loaddata", str(fixture))
    for name, child in (("dumpdata", dumped), ("export", exported), ("loaddata", loaded)):
        setattr(run, f"{name}_seconds", child.seconds if child else None)
        setattr(run, f"{name}_rss_mb", child.peak_rss_mb if child else 0.0)
    if loaded is not None:
        manage(load_env, "check_citations")
        _, counted = manage(load_env, "shell", "-c", "from trivia.models import Fact; print(Fact.objects.count())")
        run.loaded_facts = int(counted.strip().splitlines()[-1])
    for leftover in (dump, export):
        leftover.unlink(missing_ok=True)
    return run


def fixture_table(runs: list[FixtureRun]) -> str:
    def cell(run, name):
        seconds, rss = getattr(run, f"{name}_seconds"), getattr(run, f"{name}_rss_mb")
        if seconds is None:
            return f"over {run.limit} s (stopped)"
        rate = max(seconds - run.startup_seconds, 0) / run.facts * 100_000
        return f"{seconds:.1f} s (≈ {rate:,.0f} s per 100,000 facts), {rss:,.0f} MB peak"

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
            f"{cell(run, 'dumpdata')} | {cell(run, 'export')} | {cell(run, 'loaddata')} |"
        )
    lines += [
        "",
        "Wall-clock seconds including Django's start-up; the per-100,000 figure leaves the start-up out "
        f"({', '.join(f'{run.startup_seconds:.1f} s on {run.backend}' for run in runs)}) and scales linearly. "
        "Peak: the command's own maximum resident memory (`wait4`), the database server's not included.",
    ]
    return "\n".join(lines)
