"""What a deployment stores, measured: database, fixture, a finished export job, `pg_dump`, cached pages.

`python bench/sizes.py [--facts 100000]` builds (or reuses) `<name>_sizes_<facts>` next to the
PostgreSQL database `DATABASE_URL` names, generates the demo data, runs "Export all" as a
background job through a real worker (`run_worker --batch`, timed), and prints a Markdown
table of sizes for docs/performance.md ("Sizes of a deployment") and docs/deployment.md. It
writes nothing into the docs itself: sizes change only when the data model does.
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import common as bench  # noqa: E402  (bench/common.py, the same directory)

# Inside Django (manage.py shell): each page type's kept entry (plain + gzip + brotli), pickled as Redis holds it.
PAGE_SIZES = """
import json, pickle
from django.test import Client
from django.db.models import Count
from trivia.models import Fact, Film, Person, Source, Topic
from trivia import page_cache
kept = {}
page_cache_keep = page_cache.keep_page
def spy(request, etag, response, wanted=None):
    page = page_cache_keep(request, etag, response)  # every coding, as a page asked for in each ends up
    kept[request.path] = page
    return page
page_cache.keep_page = spy
film = Film.objects.filter(slug__startswith="demo-").order_by("pk").first()
samples = {
    "film page (100 facts)": (
        film.get_absolute_url(),
        sum((n + 99) // 100 for n in Film.objects.annotate(n=Count("facts")).values_list("n", flat=True)),
    ),
    "fact permalink": (Fact.objects.published().order_by("pk").first().get_absolute_url(), Fact.objects.count()),
    "source page": (Source.objects.filter(slug__startswith="demo-").order_by("pk").first().get_absolute_url(),
                    Source.objects.count()),
    "person page": (Person.objects.filter(slug__startswith="demo-").order_by("pk").first().get_absolute_url(),
                    Person.objects.count()),
}
client = Client()
out = {}
for name, (url, count) in samples.items():
    client.get(url)
    out[name] = [len(pickle.dumps(kept[url.split("?")[0]])), count]
print(json.dumps(out))
"""

SQL_SIZES = """
SELECT 'database', pg_database_size(current_database())
UNION ALL SELECT 'facts', pg_total_relation_size('trivia_fact')
UNION ALL SELECT 'citations', pg_total_relation_size('trivia_citation')
UNION ALL SELECT 'sources', pg_total_relation_size('trivia_source')
UNION ALL SELECT 'revisions', pg_total_relation_size('reversion_version')
UNION ALL SELECT 'job files', pg_total_relation_size('jobs_jobfilechunk')
"""


def mb(n: float) -> str:
    return f"{n / 1e6:,.0f} MB" if n >= 1e7 else f"{n / 1e6:,.1f} MB"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--facts", type=int, default=100_000)
    parser.add_argument("--reuse", action="store_true", help="Keep a database an earlier run built.")
    args = parser.parse_args(argv)
    server = os.environ.get("DATABASE_URL", "")
    if not server.startswith(("postgres://", "postgresql://")):
        raise bench.BenchError("DATABASE_URL must name a PostgreSQL server: the sizes are PostgreSQL's.")
    database = bench.PostgresDatabase(server, f"sizes_{args.facts}")
    env = bench.bench_env(database.url)
    env["REDSHOES_JOB_HEARTBEAT_SECONDS"] = "2"
    if not (args.reuse and database.exists()):
        database.recreate()
        bench.manage(env, "migrate", "--noinput")
        bench.manage(env, "seed_trivia")
        films = bench.FILMS_FOR.get(args.facts, max(1, args.facts // 250))
        bench.manage(env, "generate_demo_data", "--films", str(films), "--facts", str(args.facts), "--seed", "1")
    bench.manage(env, "shell", "-c", "from trivia.jobs.models import Job; Job.objects.all().delete()")
    bench.manage(env, "shell", "-c", "from trivia import tasks; tasks.start_export(None, 'all')")
    started = time.perf_counter()
    bench.manage(env, "run_worker", "--batch", "--no-startup-delay")
    job_seconds = time.perf_counter() - started
    _, job = bench.manage(
        env, "shell", "-c", "from trivia.jobs.models import Job; j = Job.objects.get(); print(j.state, j.file_bytes)"
    )
    state, file_bytes = job.strip().splitlines()[-1].split()
    import psycopg

    with psycopg.connect(database.url) as connection:
        sizes = dict(connection.execute(SQL_SIZES).fetchall())
    with tempfile.TemporaryDirectory() as scratch:
        dump = Path(scratch) / "dump.pgdump"
        subprocess.run(["pg_dump", "-Fc", "-f", str(dump), database.url], check=True)
        dump_bytes = dump.stat().st_size
    _, printed = bench.manage(env, "shell", "-c", PAGE_SIZES)
    pages = __import__("json").loads(printed.strip().splitlines()[-1])
    scale = 1_000_000 / args.facts
    rows = [
        ("PostgreSQL database, all tables and indexes", sizes["database"]),
        ("of which facts (with the search vector and its GIN index)", sizes["facts"]),
        ("of which citations", sizes["citations"]),
        ("of which sources (verbatim text)", sizes["sources"]),
        ("fixture (`export_trivia`, uncompressed JSON)", int(file_bytes)),
        ('one finished "Export all" kept in the database (zlib pieces)', sizes["job files"]),
        ("`pg_dump -Fc` (compressed)", dump_bytes),
    ]
    print(f"| {args.facts:,} facts | measured | × {scale:g} (scaled) |")
    print("| --- | ---: | ---: |")
    for label, value in rows:
        print(f"| {label} | {mb(value)} | {mb(value * scale)} |")
    every_page = sum(size * count for size, count in pages.values())
    for name, (size, count) in pages.items():
        print(f"| Redis: one {name}, kept | {size / 1000:,.1f} KB | (× {count:,} pages) |")
    print(f"| Redis: every film, fact, source and person page once | {mb(every_page)} | {mb(every_page * scale)} |")
    print(f'\n"Export all" as a background job (state {state}): {job_seconds:.0f} s wall clock through `run_worker`.')


if __name__ == "__main__":
    try:
        main()
    except bench.BenchError as exc:
        sys.exit(f"bench: {exc}")
