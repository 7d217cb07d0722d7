"""Renders per edit and hit ratio: per-worker page caches against one shared Redis, on two servers.

Part of `make bench` (bench/run.py calls `bench_shared_cache`), or on its own:
`python bench/shared_cache.py [--facts 1000] [--edits 3] [--rounds 4] [--no-report]`.

Two gunicorn servers ("hosts", `WEB_CONCURRENCY` workers each, default 2) serve one
database (PostgreSQL when `DATABASE_URL` names a server that answers, else SQLite). For
each kind of cache, the same page mix is asked for after each of a few edits: every page,
`--rounds` times, alternately from the two hosts, by four clients at once on fresh
connections (so every worker gets requests, as behind a load balancer). `X-Cache`
counts the renders (MISS) and the hits. The film page's bytes on the wire, plain, gzip
and brotli, are measured too. Results go to docs/performance.md between the
`bench:cache` markers.
"""

import argparse
import json
import os
import sys
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common as bench  # noqa: E402  (bench/common.py, the same directory)

REDIS_URL = os.environ.get("REDSHOES_BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
CACHE_START = "<!-- bench:cache:start -->"
CACHE_END = "<!-- bench:cache:end -->"
CLIENTS = 4
PAGE_MIX = """
import json
from django.urls import reverse
from trivia.models import Fact, Film, Person, Source, Topic
film = Film.objects.filter(slug__startswith="demo-").order_by("pk").first()
urls = [reverse("trivia:home"), film.get_absolute_url(), film.get_absolute_url() + "?page=2"]
urls += [f.get_absolute_url() for f in Fact.objects.published().filter(film=film).order_by("pk")[:5]]
urls += [s.get_absolute_url() for s in Source.objects.filter(slug__startswith="demo-").order_by("pk")[:3]]
urls += [p.get_absolute_url() for p in Person.objects.filter(slug__startswith="demo-").order_by("pk")[:3]]
urls += [t.get_absolute_url() for t in Topic.objects.filter(slug__startswith="demo-").order_by("pk")[:2]]
urls += [reverse("trivia:fact_list") + q for q in ("?q=lisbon", "?q=scene", f"?film={film.slug}")]
print(json.dumps(urls))
"""
# Any write to a table the pages show is an edit: it moves the content version, so every page renders anew.
EDIT = "from trivia.models import Topic; Topic.objects.filter(pk=Topic.objects.order_by('pk')[0].pk).update(order=1)"


@dataclass
class CacheRun:
    label: str
    hosts: int
    workers: int
    pages: int
    requests_per_edit: float
    renders_per_edit: float
    hit_ratio: float


def fetch(port: int, path: str, headers=None) -> tuple[str, int]:
    request = urllib.request.Request(f"http://{bench.HOST}:{port}{path}", headers=headers or {})
    with urllib.request.urlopen(request, timeout=60) as response:
        return response.headers.get("X-Cache", ""), len(response.read())


def one_edit(ports: list[int], urls: list[str], rounds: int) -> tuple[int, int]:
    """The mix after one edit: (renders, requests)."""
    requests = [(ports[n % len(ports)], url) for r in range(rounds) for n, url in enumerate(urls, start=r)]
    with ThreadPoolExecutor(CLIENTS) as pool:
        labels = [label for label, _ in pool.map(lambda job: fetch(*job), requests)]
    return labels.count("MISS"), len(labels)


def wire_bytes(port: int, path: str) -> dict[str, int]:
    return {
        name: fetch(port, path, {"Accept-Encoding": accept} if accept else {})[1]
        for name, accept in (("plain", ""), ("gzip", "gzip"), ("br", "br, gzip"))
    }


def measure(database, label: str, redis_prefix: str | None, urls, args) -> tuple[CacheRun, dict]:
    ports = [bench.PORT, bench.PORT + 1]
    servers = []
    try:
        for port in ports:
            env = bench.bench_env(database.url)
            env["REDSHOES_BIND"] = f"{bench.HOST}:{port}"
            if redis_prefix:
                env.update(REDIS_URL=REDIS_URL, REDSHOES_CACHE_KEY_PREFIX=redis_prefix)
            servers.append(bench.start_server(env, bench.OUT / f"gunicorn-cache-{label}-{port}.log", port))
        renders = requests = 0
        for _ in range(args.edits):
            bench.manage(bench.bench_env(database.url), "shell", "-c", EDIT)
            counted = one_edit(ports, urls, args.cache_rounds)
            renders, requests = renders + counted[0], requests + counted[1]
        sizes = wire_bytes(ports[0], urls[1])
    finally:
        for server in servers:
            bench.stop_server(server)
    workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
    result = CacheRun(label, len(ports), workers, len(urls), requests / args.edits, renders / args.edits, 0.0)
    result.hit_ratio = 1 - renders / requests
    return result, sizes


def redis_answers() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


def bench_shared_cache(database, facts: int, args) -> tuple[list[CacheRun], dict, str]:
    """Both kinds of cache on one database of `facts` facts (built if missing)."""
    env = bench.bench_env(database.url)
    if not database.exists():
        database.recreate()
    bench.manage(env, "migrate", "--noinput")
    _, counted = bench.manage(env, "shell", "-c", "from trivia.models import Fact; print(Fact.objects.count())")
    if int(counted.strip().splitlines()[-1]) < facts:
        bench.manage(env, "seed_trivia")
        films = bench.FILMS_FOR.get(facts, max(1, facts // 250))
        bench.manage(env, "generate_demo_data", "--films", str(films), "--facts", str(facts), "--seed", "1")
    _, printed = bench.manage(env, "shell", "-c", PAGE_MIX)
    urls = json.loads(printed.strip().splitlines()[-1])
    runs = []
    local, sizes = measure(database, "per-worker", None, urls, args)
    runs.append(local)
    if redis_answers():
        prefix = f"redshoes-bench-{uuid.uuid4().hex[:8]}"
        try:
            runs.append(measure(database, "shared Redis", prefix, urls, args)[0])
        finally:
            delete_keys(prefix)
        note = f"Redis at {REDIS_URL}"
    else:
        note = f"shared Redis not measured: nothing answers at {REDIS_URL}"
    return runs, sizes, f"{database.name}, {facts:,} facts; {note}"


def cache_table(runs: list[CacheRun], sizes: dict, note: str, args) -> str:
    lines = [
        f"#### Page cache: per worker or shared ({note})",
        "",
        "| page cache | hosts × workers | pages in the mix | requests per edit | renders per edit | hit ratio |",
        "| --- | --- | ---: | ---: | ---: | ---: |",
    ]
    for run in runs:
        lines.append(
            f"| {run.label} | {run.hosts} × {run.workers} | {run.pages} | {run.requests_per_edit:.0f} "
            f"| {run.renders_per_edit:.1f} | {run.hit_ratio:.0%} |"
        )
    lines += [
        "",
        f"Each edit, then every page {args.cache_rounds} times from alternate hosts by {CLIENTS} clients at once "
        f"(fresh connections), {args.edits} edits, averaged. Renders per edit cannot be fewer than the pages in the "
        "mix, nor more than pages × hosts × workers.",
        "",
        f"Film page on the wire: {sizes.get('plain', 0):,} bytes plain, {sizes.get('gzip', 0):,} gzip, "
        f"{sizes.get('br', 0):,} brotli.",
    ]
    return "\n".join(lines)


def delete_keys(prefix: str) -> None:
    """Remove what a measured run put in Redis (its own key prefix; never FLUSHDB)."""
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    keys = list(client.scan_iter(match=f"{prefix}*"))
    if keys:
        client.delete(*keys)


def write_cache_report(block: str) -> None:
    bench.replace_block(CACHE_START, CACHE_END, block, "## Shared page cache")


def for_make_bench(make_database, args) -> str:
    """The comparison as `make bench` runs it: the table, printed and returned for the report."""
    database = make_database(f"cache{args.cache_facts}")
    block = cache_table(*bench_shared_cache(database, args.cache_facts, args), args)
    print(block, flush=True)
    return block


def add_arguments(parser: argparse.ArgumentParser, in_make_bench: bool = False) -> None:
    if in_make_bench:
        parser.add_argument(
            "--no-cache-bench", dest="cache_bench", action="store_false", help="Skip per-worker vs shared Redis."
        )
    parser.add_argument("--cache-facts", type=int, default=1_000, help="Facts in the shared-cache comparison.")
    parser.add_argument("--edits", type=int, default=3, help="Edits in the shared-cache comparison.")
    parser.add_argument("--cache-rounds", type=int, default=8, help="Requests per page per edit.")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    add_arguments(parser)
    parser.add_argument("--no-report", dest="report", action="store_false", help="Print, do not write the report.")
    args = parser.parse_args(argv)
    bench.OUT.mkdir(exist_ok=True)
    server = os.environ.get("DATABASE_URL", "")
    database = bench.SqliteDatabase(f"bench-cache{args.cache_facts}")
    if server.startswith(("postgres://", "postgresql://")) and bench.PostgresDatabase(server).answers():
        database = bench.PostgresDatabase(server, f"bench_cache{args.cache_facts}")
    bench.manage(bench.bench_env(database.url), "collectstatic", "--noinput")
    runs, sizes, note = bench_shared_cache(database, args.cache_facts, args)
    block = cache_table(runs, sizes, note, args)
    print(block)
    if args.report:
        write_cache_report(block)


if __name__ == "__main__":
    try:
        main()
    except bench.BenchError as exc:
        sys.exit(f"bench: {exc}")
