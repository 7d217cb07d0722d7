"""Pick the pages the benchmark loads and count what each costs, inside Django.

Run by `bench/run.py` against a database it built (same environment as the server:
production settings, `REDSHOES_BENCH=1`). Writes one JSON object to the file named
by its argument (stdout carries the site's log lines): for each
page its URL, status, response size and database queries per request, measured with
Django's test client and `CaptureQueriesContext` on a warm second request (the first
one may fill caches); the time a first visit takes (the page rendered, the page cache
emptied before each of three requests: the median, in this process, without HTTP);
plus the film page's ETag, so wrk can replay a repeat visit.
"""

import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "redshoes.settings")

import django  # noqa: E402

django.setup()

from django.contrib.staticfiles.storage import staticfiles_storage  # noqa: E402
from django.core.cache import caches  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils.http import urlencode  # noqa: E402

from trivia.demo.planning import DEMO_PREFIX  # noqa: E402
from trivia.models import Fact, Film, Person, Source  # noqa: E402
from trivia.page_cache import PAGE_CACHE_ALIAS  # noqa: E402

# A word about a tenth of the facts contain, and one most of them do: a typical and a worst query.
TYPICAL_QUERY = "lisbon"
COMMON_QUERY = "scene"
STATIC_FILE = "css/site.css"


def pages() -> list[tuple[str, str]]:
    """(name, path) for every page in the benchmark, the floor and the ceiling first."""
    big_film = Film.objects.filter(slug__startswith=DEMO_PREFIX).order_by("pk").first()
    if big_film is None:
        raise SystemExit("No demo data in this database: run generate_demo_data first.")
    source = Source.objects.get(slug=f"{big_film.slug}-source-1")
    person = (
        Person.objects.filter(slug__startswith=DEMO_PREFIX, kind=Person.Kind.PERSON)
        .annotate(fact_total=Count("facts"))
        .order_by("-fact_total", "slug")
        .first()
    )
    fact = (
        Fact.objects.published()
        .filter(film=big_film)
        .annotate(citation_total=Count("citations"))
        .order_by("-citation_total", "key")
        .first()
    )
    facts = reverse("trivia:fact_list")
    api_facts = reverse("api-v1:fact_list")
    try:
        static_url = staticfiles_storage.url(STATIC_FILE)
    except ValueError:
        static_url = staticfiles_storage.url("admin/css/base.css")
    return [
        ("hello (floor)", reverse("bench_hello")),
        ("static file (ceiling)", static_url),
        ("home", reverse("trivia:home")),
        (f"film page ({big_film.facts.count():,} facts)", big_film.get_absolute_url()),
        (f"source page ({source.citations.count():,} citations)", source.get_absolute_url()),
        (f"person page ({person.facts.count():,} facts)", person.get_absolute_url()),
        ("fact permalink", fact.get_absolute_url()),
        (f"search ?q={TYPICAL_QUERY}", f"{facts}?{urlencode({'q': TYPICAL_QUERY})}"),
        (f"search ?q={COMMON_QUERY} (common word)", f"{facts}?{urlencode({'q': COMMON_QUERY})}"),
        ("filtered /facts/ (film + topic)", f"{facts}?{urlencode({'film': big_film.slug, 'topic': 'demo-filming'})}"),
        # The open-data API (issue 17): JSON lists and details, annotations, and a feed.
        (
            "API facts, filtered (film + topic)",
            f"{api_facts}?{urlencode({'film': big_film.slug, 'topic': 'demo-filming'})}",
        ),
        (f"API facts ?q={TYPICAL_QUERY}", f"{api_facts}?{urlencode({'q': TYPICAL_QUERY})}"),
        ("API fact", reverse("api-v1:fact_detail", kwargs={"key": fact.key})),
        ("API films list", reverse("api-v1:film_list")),
        (
            "API source annotations, page 1",
            reverse("api-v1:source_annotations", kwargs={"slug": source.slug}) + "?page=1",
        ),
        ("Atom feed of the film", reverse("trivia:film_feed", kwargs={"slug": big_film.slug})),
    ]


def first_visit_ms(client: Client, path: str) -> float:
    timings = []
    for _ in range(3):
        caches[PAGE_CACHE_ALIAS].clear()
        started = time.perf_counter()
        client.get(path)
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


def measure(client: Client, path: str) -> dict:
    client.get(path)  # warm: the first request may fill caches the rest reuse
    first_visit = first_visit_ms(client, path)
    client.get(path)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    body = b"".join(response) if response.streaming else response.content
    return {
        "status": response.status_code,
        "bytes": len(body),
        "queries": len(queries.captured_queries),
        "etag": response.headers.get("ETag", ""),
        "first_visit_ms": first_visit,
    }


def main():
    client = Client()
    results = []
    for name, path in pages():
        results.append({"name": name, "path": path, **measure(client, path)})
    film = next(page for page in results if page["name"].startswith("film page"))
    repeat = {"name": "film page, repeat visit (304)", "path": film["path"], "headers": {}}
    if film["etag"]:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(film["path"], headers={"If-None-Match": film["etag"]})
        repeat.update(
            status=response.status_code,
            bytes=len(response.content),
            queries=len(queries.captured_queries),
            first_visit_ms=film["first_visit_ms"],
        )
        repeat["headers"] = {"If-None-Match": film["etag"]}
    else:
        repeat.update(status=0, bytes=0, queries=0, first_visit_ms=0.0)
    results.append(repeat)
    Path(sys.argv[1]).write_text(json.dumps({"pages": results}, indent=2))


if __name__ == "__main__":
    main()
