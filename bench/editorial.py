"""The editorial screens at scale: a 2 MB source's workbench and the editorial queue at 100,000 facts.

Run against the database `DATABASE_URL` names (never built over unless `--build` is given):

    DATABASE_URL=sqlite:////tmp/editorial.sqlite3 python bench/editorial.py --build   # ~2 minutes
    DATABASE_URL=sqlite:////tmp/editorial.sqlite3 python bench/editorial.py           # measure again

`--build` migrates, seeds, generates `--facts` demo facts and imports a 2 MB document (one
draft fact per paragraph, the worst case the workbench meets). Then, in this process with
Django's test client and the production settings: each workbench page asked for (a first
visit, then the median of three more), its queries and size; and the editorial queue with
an empty cache, between edits, and just after an edit. Prints a Markdown table for
docs/performance.md. No timing here is asserted anywhere; the tests pin query counts.
"""

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "redshoes.settings")
os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-secret-key-0123456789abcdefghijklmnopqrstuvwxyz")
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver")
os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "0")

import django  # noqa: E402
from django.conf import settings  # noqa: E402

django.setup()
# The production settings, except static files served by name: nothing here runs collectstatic.
settings.STORAGES = {
    **settings.STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

from django.core.cache import cache  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402

from trivia import editorial_queue, text  # noqa: E402
from trivia.models import Fact, Source  # noqa: E402
from trivia.services import importing, roles  # noqa: E402

BIG_TITLE = "Bench: a 2 MB source"
WORDS = (
    "the studio camera ballet painter score reel print premiere audience critic director actor dancer stage "
    "light colour cut scene shot set costume music orchestra rehearsal budget contract festival award"
).split()


def big_document(size: int = 2_000_000, seed: int = 14) -> str:
    """About `size` bytes of paragraphs of 3–8 sentences, the same text for the same seed."""
    rng = random.Random(seed)
    paragraphs, total = [], 0
    while total < size:
        sentences = []
        for _ in range(rng.randint(3, 8)):
            words = [rng.choice(WORDS) for _ in range(rng.randint(6, 16))]
            sentences.append(" ".join(words).capitalize() + ".")
        paragraph = " ".join(sentences) + f" ({len(paragraphs) + 1})"
        paragraphs.append(paragraph)
        total += len(paragraph) + 2
    return "\n\n".join(paragraphs)[:size].rsplit("\n\n", 1)[0]


def build(facts: int) -> None:
    call_command("migrate", verbosity=0)
    call_command("seed_trivia", verbosity=0)
    call_command("setup_roles", verbosity=0)
    if facts:
        call_command("generate_demo_data", films=400, facts=facts, verbosity=0)
    started = time.perf_counter()
    report = importing.import_source_document(big_document(), title=BIG_TITLE, film_title="Bench film", year=2000)
    print(
        f"Imported {len(report.source.content.encode()):,} bytes: {len(report.drafts.facts):,} paragraph drafts "
        f"in {time.perf_counter() - started:.1f} s."
    )


def timed_get(client, url: str) -> tuple[float, int, int]:
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        response = client.get(url)
        elapsed = time.perf_counter() - started
    assert response.status_code == 200, (url, response.status_code)
    return elapsed * 1000, len(queries), len(response.content)


def measure_pages(client, source: Source) -> list[tuple]:
    workbench = reverse("admin:trivia_source_workbench", args=[source.pk])
    paragraphs = len(text.paragraphs(source.content))
    rows = []
    for label, url in [
        ("workbench, first page", workbench),
        ("workbench, a middle page (`?page=20`)", f"{workbench}?page=20"),
        (f"workbench, last paragraph (`?paragraph={paragraphs}`)", f"{workbench}?paragraph={paragraphs}"),
        ("workbench, uncited only (`?uncited=1`)", f"{workbench}?uncited=1"),
        ("add-fact form from a selection", None),
        ("admin home page with the queue", reverse("admin:index")),
    ]:
        if url is None:
            from trivia.services.drafting import text_version

            url = (
                f"{reverse('admin:trivia_fact_add')}?cite_source={source.pk}&cite_start=0&cite_end=40"
                f"&cite_version={text_version(source)}"
            )
        first = timed_get(client, url)
        again = [timed_get(client, url) for _ in range(3)]
        rows.append((label, first[0], statistics.median(a[0] for a in again), first[1], again[-1][1], again[-1][2]))
    return rows


def measure_queue() -> list[tuple]:
    def run():
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            editorial_queue.editorial_queue()
            return (time.perf_counter() - started) * 1000, len(queries)

    rows = []
    cache.clear()
    rows.append(("queue, empty cache (first visit after a restart)", *run()))
    rows.append(("queue, nothing changed since", *run()))
    fact = Fact.objects.filter(status=Fact.Status.PUBLISHED).order_by("pk").first()
    Fact.objects.filter(pk=fact.pk).update(position=fact.position + 1)  # any edit moves the content version
    rows.append(("queue, just after an edit", *run()))
    return rows


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", action="store_true", help="migrate, seed, add demo facts and a 2 MB source first")
    parser.add_argument("--facts", type=int, default=100_000, help="demo facts to generate with --build")
    args = parser.parse_args(argv)
    if args.build:
        build(args.facts)
    source = Source.objects.filter(title=BIG_TITLE).first()
    if source is None:
        sys.exit(f"No source titled {BIG_TITLE!r} here: run with --build first.")
    username = "bench-editor"
    user = roles.create_editor(username, "bench editor passphrase 14") if not _exists(username) else _get(username)
    client = Client()
    client.force_login(user)
    print(f"{Fact.objects.count():,} facts; the big source: {len(source.content.encode()):,} bytes.\n")
    print("| request | first visit | repeat (median of 3) | queries (first / repeat) | size |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for label, first, again, first_queries, queries, size in measure_pages(client, source):
        print(f"| {label} | {first:.0f} ms | {again:.0f} ms | {first_queries} / {queries} | {size / 1024:.0f} KB |")
    print("\n| editorial queue | time | queries |")
    print("| --- | ---: | ---: |")
    for label, elapsed, queries in measure_queue():
        print(f"| {label} | {elapsed:.0f} ms | {queries} |")


def _exists(username):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(username=username).exists()


def _get(username):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username=username)


if __name__ == "__main__":
    main()
