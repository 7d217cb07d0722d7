"""First visits as a multiple of the floor: `bench/uncached_probe.py` run on a database, and its table.

Used by `make bench` (at 100,000 facts, each engine) and `make bench-scale` (each size).
The floor is `/healthz` measured in the same process and run (one trivial query through
the whole middleware stack, as the issue measured it); the hello view (no query at all)
is reported beside it.
"""

import json
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common as bench  # noqa: E402  (bench/common.py, the same directory)

# Issue 16's targets: a page's uncached p50 as a multiple of the floor's p50.
TARGETS = {
    "home": 25,
    "film page 1": 25,
    "largest person page": 25,
    "topic page": 25,
    "fact permalink": 10,
    "source page": 10,
    "search, common word": 25,
    "film + topic": 25,
}
FLOOR = "healthz"
UNCACHED_START = "<!-- bench:uncached:start -->"
UNCACHED_END = "<!-- bench:uncached:end -->"


def measure(database, rounds: int) -> dict:
    """The probe's JSON for one database: floors, and each page type's cold and warm timings."""
    label = f"{database.name.lower()}-{database.label}"
    result = bench.OUT / f"uncached-{label}.json"
    command = [bench.PYTHON, "bench/uncached_probe.py", str(result), "--rounds", str(rounds)]
    bench.run_child(command, bench.bench_env(database.url), timeout=3600)
    measured = json.loads(result.read_text())
    measured["backend"] = database.name
    return measured


def summary(measured: dict) -> list[dict]:
    """Per page type: cold and warm p50 (ms), their multiples of the floor, the target and whether it is met."""
    floor = measured["floor_ms"][FLOOR]
    rows = []
    for page in measured["pages"]:
        cold, warm = statistics.median(page["cold_ms"]), statistics.median(page["warm_ms"])
        cpu = statistics.median(page["cold_cpu_ms"]) if page.get("cold_cpu_ms") else None
        # The fragment cache empty too (a first visit after a deploy); older probes did not measure it.
        fully = statistics.median(page["fully_cold_ms"]) if page.get("fully_cold_ms") else None
        target = TARGETS.get(page["name"])
        # After an edit of something the page shows; older probes did not measure it.
        edited = statistics.median(page["edited_ms"]) if page.get("edited_ms") else None
        rows.append(
            {
                "name": page["name"],
                "example": page["urls"][0],
                "cold_ms": cold,
                "cold_cpu_ms": cpu,
                "fully_cold_ms": fully,
                "fully_cold_ratio": None if fully is None else fully / floor,
                "edited_ms": edited,
                "edited_ratio": None if edited is None else edited / floor,
                "rendered_queries": page.get("rendered_queries"),
                "warm_ms": warm,
                "cold_ratio": cold / floor,
                "warm_ratio": warm / floor,
                "target": target,
                "met": None if target is None else cold / floor <= target,
                "queries": page["queries"],
                "bytes": page["bytes"],
            }
        )
    return rows


def first_visit_table(measured: dict) -> str:
    floors = measured["floor_ms"]
    lines = [
        f"#### First visits, in process: {measured['backend']}, {measured['facts']:,} facts",
        "",
        f"Floor: `/healthz` p50 {floors['healthz']:.3f} ms (the hello view: {floors['hello']:.3f} ms). "
        f"Median of {measured['rounds']} rounds. Uncached: right after an edit elsewhere, the page cache empty "
        "(the page's render kept under its inputs and the facts' list items in the fragment cache, which "
        "such an edit does not touch); edited here: right after an edit of a fact the page shows (home: a "
        "film it lists), so the page is rendered again, its other facts' items kept; fully cold: the kept "
        "renders and fragments empty too, as after a deploy. Queries: uncached / edited here. "
        "CPU: this process's CPU time for the cold render (on SQLite the database's work is in it; on "
        "PostgreSQL the server's is not), steadier than wall time on a shared machine.",
        "",
        "| page type (an example) | uncached p50 ms | ÷ floor | target | met | CPU ms | cached p50 ms | ÷ floor "
        "| edited here p50 ms | ÷ floor | fully cold p50 ms | ÷ floor | queries | bytes |",
        "| --- | ---: | ---: | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in summary(measured):
        target = f"≤ {row['target']}×" if row["target"] else "–"
        met = "–" if row["met"] is None else ("yes" if row["met"] else "**no**")
        fully = "– | –"
        if row["fully_cold_ms"] is not None:
            fully = f"{row['fully_cold_ms']:.1f} | {row['fully_cold_ratio']:.0f}×"
        edited = "– | –"
        if row["edited_ms"] is not None:
            edited = f"{row['edited_ms']:.1f} | {row['edited_ratio']:.0f}×"
        queries = f"{row['queries']}" + (f" / {row['rendered_queries']}" if row["rendered_queries"] else "")
        lines.append(
            f"| {row['name']} (`{row['example']}`) | {row['cold_ms']:.1f} | {row['cold_ratio']:.0f}× | {target} "
            f"| {met} | {row['cold_cpu_ms'] or 0:.1f} | {row['warm_ms']:.2f} | {row['warm_ratio']:.1f}× "
            f"| {edited} | {fully} | {queries} | {row['bytes']:,} |"
        )
    return "\n".join(lines)


def for_make_bench(databases: list, rounds: int) -> str:
    blocks = []
    for database in databases:
        print(f"[{database.name}] first visits, in process…", flush=True)
        blocks.append(first_visit_table(measure(database, rounds)))
        print(blocks[-1], flush=True)
    return "\n\n".join(blocks)
