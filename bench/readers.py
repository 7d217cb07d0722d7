"""Readers: every public page, asked for as readers ask (a Zipf distribution), while an editor saves a fact a second.

Part of `make bench` (bench/run.py calls `for_make_bench` on each engine's 100,000-fact
database), or on its own: `python bench/readers.py [--facts 100000] [--duration 20]`.

The site's pages are listed inside Django: home, every page of every film, person and
topic, every source, every fact's permalink, and `/facts/?q=<word>` for every word of
the demo vocabulary. They are ranked in a random (seeded) order, home first, and a
request sequence is drawn with P(rank r) ∝ 1 / r^s (`--zipf`, default 1.0): a few pages
are popular, most are asked for rarely, as on a real site. wrk replays the sequence (a
Lua script) on `--connections` keep-alive connections against gunicorn (2 workers) while
`bench/editor.py` saves one fact a second: every save moves the content version, so a
page cached before it is rendered again after it. wrk counts `X-Cache` (HIT or MISS).
The floor is the hello view, loaded by wrk with the same connections in the same run.
Each kind of cache is measured: per worker (LocMem) and, when Redis answers, shared.
"""

import argparse
import json
import os
import random
import re
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common as bench  # noqa: E402  (bench/common.py, the same directory)
import shared_cache  # noqa: E402

READERS_START = "<!-- bench:readers:start -->"
READERS_END = "<!-- bench:readers:end -->"
SEED = 16
LUA = Path(__file__).resolve().parent / "readers.lua"
# Inside Django (manage.py shell): every public page's path, home first; printed as JSON.
EVERY_PAGE = """
import json, math
from django.db.models import Count, Q
from django.urls import reverse
from django.utils.http import urlencode
from trivia import search
from trivia.demo import vocabulary
from trivia.models import Fact, Film, Person, Source, Topic
from trivia.selectors.films import FILM_PAGE_SIZE
from trivia.selectors.listings import LIST_PAGE_SIZE
published = Q(facts__status=Fact.Status.PUBLISHED)
def paged(queryset, size):
    for row in queryset.annotate(n=Count("facts", filter=published)):
        for number in range(1, max(1, math.ceil(row.n / size)) + 1):
            yield row.get_absolute_url() + (f"?page={number}" if number > 1 else "")
pages = [reverse("trivia:home")]
pages += paged(Film.objects.all(), FILM_PAGE_SIZE)
pages += paged(Person.objects.all(), LIST_PAGE_SIZE)
pages += paged(Topic.objects.all(), LIST_PAGE_SIZE)
pages += [reverse("trivia:source_detail", args=[slug]) for slug in Source.objects.values_list("slug", flat=True)]
pages += [reverse("trivia:fact_detail", args=[key]) for key in Fact.objects.published().values_list("key", flat=True)]
text = " ".join(vocabulary.PLACES + vocabulary.SCENES + vocabulary.TITLE_NOUNS + vocabulary.TITLE_ADJECTIVES
                + vocabulary.FIRST_NAMES + vocabulary.LAST_NAMES)
words = sorted({word for word in search.words(text) if len(word) > 3})
pages += [reverse("trivia:fact_list") + "?" + urlencode({"q": word}) for word in words]
print(json.dumps(pages))
"""


@dataclass
class ReadersRun:
    backend: str
    cache: str
    pages: int
    load: "bench.Load"
    floor: "bench.Load"
    hits: int = 0
    misses: int = 0
    other: int = 0
    saves: int = 0

    @property
    def hit_ratio(self) -> float:
        counted = self.hits + self.misses
        return self.hits / counted if counted else 0.0


def zipf_sequence(pages: list[str], requests: int, exponent: float, seed: int = SEED) -> list[str]:
    """`requests` paths drawn with P(rank r) ∝ 1 / r^exponent; ranks are a seeded shuffle with home first."""
    rng = random.Random(seed)
    ranked = [pages[0], *rng.sample(pages[1:], len(pages) - 1)]
    weights = [1 / rank**exponent for rank in range(1, len(ranked) + 1)]
    return rng.choices(ranked, weights=weights, k=requests)


def parse_counts(output: str) -> dict[str, int]:
    """The X-Cache counts `bench/readers.lua` prints when wrk is done."""
    match = re.search(r"^readers: hits=(\d+) misses=(\d+) other=(\d+)$", output, re.MULTILINE)
    if not match:
        raise bench.BenchError(f"wrk printed no X-Cache counts:\n{output}")
    return dict(zip(("hits", "misses", "other"), map(int, match.groups()), strict=True))


def run_readers(path_file: Path, args) -> tuple[bench.Load, dict[str, int]]:
    command = ["wrk", "--latency", "-t2", f"-c{args.readers_connections}", f"-d{args.readers_duration}s"]
    command += ["--timeout", "10s"]
    command += ["-H", "Accept-Encoding: br, gzip", "-s", str(LUA), f"http://{bench.HOST}:{bench.PORT}/", "--"]
    command.append(str(path_file))
    result = subprocess.run(command, capture_output=True, text=True, timeout=args.readers_duration + 60)
    if result.returncode != 0:
        raise bench.BenchError(f"wrk failed in the readers scenario: {result.stderr.strip()}")
    return bench.parse_wrk(result.stdout), parse_counts(result.stdout)


def measure(database, cache: str, redis_prefix: str | None, path_file: Path, pages: int, args) -> ReadersRun:
    env = bench.bench_env(database.url)
    if redis_prefix:
        env.update(REDIS_URL=shared_cache.REDIS_URL, REDSHOES_CACHE_KEY_PREFIX=redis_prefix)
    label = f"{database.name.lower()}-{cache.split()[0]}"
    server = bench.start_server(env, bench.OUT / f"gunicorn-readers-{label}.log")
    editor = None
    try:
        bench.warm(bench.HELLO_PATH, {})
        floor = bench.run_wrk(bench.HELLO_PATH, {}, args.floor_duration, args.readers_connections)
        command = [bench.PYTHON, "bench/editor.py"]
        editor_env = bench.bench_env(database.url)
        editor = subprocess.Popen(command, cwd=bench.ROOT, env=editor_env, stdout=subprocess.PIPE, text=True)
        time.sleep(args.editor_start)  # Django's start-up, so the first save falls inside the run
        load, counts = run_readers(path_file, args)
    finally:
        saves = stop_editor(editor)
        bench.stop_server(server)
    return ReadersRun(database.name, cache, pages, load, floor, saves=saves, **counts)


def stop_editor(editor) -> int:
    if editor is None:
        return 0
    editor.terminate()
    output, _ = editor.communicate(timeout=30)
    match = re.search(r"saves=(\d+)", output or "")
    return int(match.group(1)) if match else 0


def bench_readers(database, args) -> list[ReadersRun]:
    """Both kinds of cache on one engine's database (built by `make bench` or here)."""
    env = bench.bench_env(database.url)
    _, printed = bench.manage(env, "shell", "-c", EVERY_PAGE)
    pages = json.loads(printed.strip().splitlines()[-1])
    path_file = bench.OUT / f"readers-{database.name.lower()}.txt"
    path_file.write_text("\n".join(zipf_sequence(pages, args.requests, args.zipf)) + "\n")
    print(f"[{database.name} readers] {len(pages):,} pages; per-worker caches…", flush=True)
    runs = [measure(database, "per worker", None, path_file, len(pages), args)]
    if shared_cache.redis_answers():
        prefix = f"redshoes-readers-{uuid.uuid4().hex[:8]}"
        print(f"[{database.name} readers] shared Redis…", flush=True)
        try:
            runs.append(measure(database, "shared Redis", prefix, path_file, len(pages), args))
        finally:
            shared_cache.delete_keys(prefix)
    return runs


def readers_table(runs: list[ReadersRun], args) -> str:
    lines = [
        "#### Readers: every public page, Zipf-distributed, one editor save a second",
        "",
        "| database | page cache | pages | requests/s | p50 ms | p99 ms | floor p50 ms | p50 ÷ floor | p99 ÷ floor "
        "| hit ratio | saves |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for run in runs:
        errors = f" ({run.load.errors} failed)" if run.load.errors else ""
        lines.append(
            f"| {run.backend} | {run.cache} | {run.pages:,} | {run.load.requests_per_second:,.0f}{errors} "
            f"| {run.load.p50_ms:.2f} | {run.load.p99_ms:.1f} | {run.floor.p50_ms:.2f} "
            f"| {run.load.p50_ms / run.floor.p50_ms:.0f}× | {run.load.p99_ms / run.floor.p50_ms:.0f}× "
            f"| {run.hit_ratio:.0%} | {run.saves} |"
        )
    lines += [
        "",
        f"wrk `-t2 -c{args.readers_connections} -d{args.readers_duration}s` replaying {args.requests:,} paths "
        f"drawn with P(rank r) ∝ 1/r^{args.zipf:g} over every page (ranks shuffled with a fixed seed, home first), "
        f"`Accept-Encoding: br, gzip`; gunicorn with {os.environ.get('WEB_CONCURRENCY', '2')} workers; "
        "`bench/editor.py` saving a random published fact once a second as the admin does. Floor: the hello view, "
        f"same connections, {args.floor_duration} s, same server. Hit ratio: `X-Cache: HIT` among HIT and MISS.",
    ]
    return "\n".join(lines)


def add_arguments(parser: argparse.ArgumentParser, in_make_bench: bool = False) -> None:
    if in_make_bench:
        parser.add_argument("--no-readers", dest="readers", action="store_false", help="Skip the readers scenario.")
    parser.add_argument("--readers-duration", type=int, default=20, help="Seconds of readers.")
    parser.add_argument("--readers-connections", type=int, default=4, help="wrk connections for the readers.")
    parser.add_argument("--floor-duration", type=int, default=5, help="Seconds of the hello view (the floor).")
    parser.add_argument("--zipf", type=float, default=1.0, help="Zipf exponent of page popularity.")
    parser.add_argument("--requests", type=int, default=200_000, help="Paths in the replayed sequence.")
    parser.add_argument("--editor-start", type=float, default=2.0, help="Seconds given to the editor's start-up.")


def for_make_bench(databases: list, args) -> str:
    runs = []
    for database in databases:
        runs += bench_readers(database, args)
    block = readers_table(runs, args)
    print(block, flush=True)
    return block


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    add_arguments(parser)
    parser.add_argument("--facts", type=int, default=100_000, help="The database bench/run.py built with this size.")
    parser.add_argument("--no-report", dest="report", action="store_false", help="Print, do not write the report.")
    args = parser.parse_args(argv)
    bench.OUT.mkdir(exist_ok=True)
    databases = [database for database in bench.databases_for(args.facts) if database.exists()]
    if not databases:
        raise bench.BenchError(f"No {args.facts:,}-fact database: run `make bench` (or bench/run.py) first.")
    block = for_make_bench(databases, args)
    if args.report:
        bench.replace_block(READERS_START, READERS_END, block, "## Readers")


if __name__ == "__main__":
    try:
        main()
    except bench.BenchError as exc:
        sys.exit(f"bench: {exc}")
