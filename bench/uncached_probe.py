"""First visits, in process: every page type rendered right after an edit, next to the framework's floor.

Run by `bench/uncached.py` (for `make bench` and `make bench-scale`) inside a database they
built (the server's environment: production settings, `REDSHOES_BENCH=1`, the embedded
page cache), or by hand: `python bench/uncached_probe.py OUT.json [--rounds 15] [--profile TYPE]`.

Each round requests the floor (the bench hello view, and `/healthz`) many times, then
for each page type makes an edit (the text of a fact none of the measured pages shows: the content version
moves, as after any editor's save, so every ETag changes), empties the page cache and the fragment cache and
renders one URL of that type (fully cold: a first visit after a deploy or a restart without
Redis: the kept renders and fragments emptied too), makes another edit, empties the page
cache only and renders it again (cold: the first visit after an edit elsewhere; the page's
render is kept under its inputs, trivia/page_renders.py, and the facts' list items in the
fragment cache, trivia/fragments.py, neither of which that edit touches), then changes
something the page shows (the text of the first fact it links to; on home, the title of the
first film it lists) and renders it again (edited here: the page's own facts changed, its
other items kept), then asks for the same URL three times more (warm: the page cache
answers; the median of the three).
Rounds go round-robin over the types, so the machine's other load touches them alike;
a figure is the median over the rounds. Django's test client, no HTTP, no gunicorn: what
the page costs the worker, not the network. Writes one JSON object to OUT.json.
"""

import argparse
import cProfile
import json
import os
import pstats
import random
import re
import statistics
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "redshoes.settings")

import django  # noqa: E402

django.setup()

from django.core.cache import caches  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils.http import urlencode  # noqa: E402

from trivia.demo.planning import DEMO_PREFIX  # noqa: E402
from trivia.fragments import FRAGMENT_CACHE_ALIAS  # noqa: E402
from trivia.models import Fact, Film, Person, Source, Topic  # noqa: E402
from trivia.page_cache import PAGE_CACHE_ALIAS  # noqa: E402
from trivia.page_renders import RENDER_CACHE_ALIAS  # noqa: E402
from trivia.selectors.films import FILM_PAGE_SIZE  # noqa: E402

SEED = 16
# Words of the demo vocabulary: one in about a tenth of the facts, one in most of them.
TYPICAL_WORDS = ("lisbon", "budapest", "marseille", "vienna", "tangier")
COMMON_WORD = "scene"
FLOOR_REQUESTS = 25  # per round, for each floor
# As browsers ask: a render compresses only the coding its client asked for (trivia/page_cache.py), so a
# client asking for none would leave compression out of the cold figures.
BROWSER_ENCODINGS = "gzip, deflate, br, zstd"


@dataclass
class PageType:
    name: str
    urls: list[str]
    cold_ms: list[float] = field(default_factory=list)
    # CPU time of this process (the database's too on SQLite): steadier than wall time on a shared machine.
    cold_cpu_ms: list[float] = field(default_factory=list)
    # Right after a deploy: the fragment cache empty too.
    fully_cold_ms: list[float] = field(default_factory=list)
    fully_cold_cpu_ms: list[float] = field(default_factory=list)
    # Right after an edit of something this page shows (its kept render is of no use).
    edited_ms: list[float] = field(default_factory=list)
    edited_cpu_ms: list[float] = field(default_factory=list)
    warm_ms: list[float] = field(default_factory=list)
    queries: int = 0
    rendered_queries: int = 0  # the same page after an edit of something it shows
    bytes: int = 0


def sample(queryset, count: int, rng: random.Random) -> list:
    """Up to `count` rows of `queryset` picked at random (by primary key, so big tables are not sorted)."""
    ids = list(queryset.values_list("pk", flat=True))
    chosen = rng.sample(ids, min(count, len(ids)))
    by_pk = queryset.model._default_manager.in_bulk(chosen)
    return [by_pk[pk] for pk in chosen]


def page_types(count: int) -> list[PageType]:
    """Each page type readers reach, with `count` URLs of that type where the site has as many."""
    rng = random.Random(SEED)
    demo_films = Film.objects.filter(slug__startswith=DEMO_PREFIX)
    if not demo_films.exists():
        raise SystemExit("No demo data in this database: run generate_demo_data first.")
    big_films = demo_films.annotate(n=Count("facts")).filter(n__gte=FILM_PAGE_SIZE)
    people = Person.objects.filter(slug__startswith=DEMO_PREFIX, kind=Person.Kind.PERSON)
    largest = people.annotate(n=Count("facts")).order_by("-n", "slug").first()
    topics = list(Topic.objects.filter(slug__startswith=DEMO_PREFIX).order_by("order", "pk"))
    facts_url = reverse("trivia:fact_list")
    filming = Topic.objects.get(slug="demo-filming")
    return [
        PageType("home", [reverse("trivia:home")]),
        PageType("film page 1", [film.get_absolute_url() for film in sample(big_films, count, rng)]),
        PageType("largest person page", [largest.get_absolute_url()]),
        PageType("person page", [person.get_absolute_url() for person in sample(people, count, rng)]),
        PageType("topic page", [topic.get_absolute_url() for topic in topics]),
        PageType("fact permalink", [fact.get_absolute_url() for fact in sample(Fact.objects.published(), count, rng)]),
        PageType("source page", [source.get_absolute_url() for source in sample(Source.objects.all(), count, rng)]),
        PageType("search, typical word", [f"{facts_url}?{urlencode({'q': word})}" for word in TYPICAL_WORDS]),
        PageType("search, common word", [f"{facts_url}?{urlencode({'q': COMMON_WORD})}"]),
        PageType(
            "film + topic",
            [
                f"{facts_url}?{urlencode({'film': film.slug, 'topic': filming.slug})}"
                for film in sample(big_films, count, rng)
            ],
        ),
        PageType("bare /facts/", [facts_url]),
        PageType("/facts/?topic=…", [f"{facts_url}?{urlencode({'topic': topic.slug})}" for topic in topics]),
    ]


# The fact an edit elsewhere changes: the seed film's first fact, on none of the demo pages measured (the
# oldest facts, never among a search's newest matches).
EDITED_ELSEWHERE = {"film__slug": "the-red-shoes-1948"}


def edit() -> None:
    """An editor's edit of a fact no measured page shows: its text changes (and back the next time), so the content
    version moves (every ETag changes) and that fact's display token is renewed (trivia/fact_tokens.py)."""
    rows = Fact.objects.filter(pk=Fact.objects.filter(**EDITED_ELSEWHERE).order_by("pk").values("pk")[:1])
    text = rows.values_list("text", flat=True).get()
    rows.update(text=text.removesuffix(EDIT_MARK) if text.endswith(EDIT_MARK) else text + EDIT_MARK)


def timed_get(client: Client, url: str) -> tuple[float, object]:
    started = time.perf_counter()
    response = client.get(url)
    elapsed = (time.perf_counter() - started) * 1000
    if response.status_code != 200:
        raise SystemExit(f"{url} answered {response.status_code}")
    return elapsed, response


def cold(client: Client, url: str, fragments_too: bool = False) -> tuple[float, object]:
    """The page as the first reader after an edit elsewhere gets it (after a deploy: `fragments_too`)."""
    edit()
    caches[PAGE_CACHE_ALIAS].clear()
    if fragments_too:
        caches[FRAGMENT_CACHE_ALIAS].clear()
        caches[RENDER_CACHE_ALIAS].clear()
    return timed_get(client, url)


FACT_LINK = re.compile(r'href="/facts/([^/"?#]+)/"')
FILM_LINK = re.compile(r'href="/films/([^/"?#]+)/"')
EDIT_MARK = " (edited)"


def edit_shown(url: str) -> bool:
    """Change something `url` shows, as an editor's save would: the text of the first fact it links to (a
    permalink: its own), else (home) the title of the first film it lists; back again the next time.
    False when the page shows neither (a search that found nothing)."""
    html = Client().get(url).content.decode()
    fact, film = FACT_LINK.search(f'href="{url}"') or FACT_LINK.search(html), FILM_LINK.search(html)
    if fact:
        rows, column = Fact.objects.filter(key=fact[1]), "text"
    elif film:
        rows, column = Film.objects.filter(slug=film[1]), "title"
    else:
        return False
    value = rows.values_list(column, flat=True).get()
    rows.update(**{column: value.removesuffix(EDIT_MARK) if value.endswith(EDIT_MARK) else value + EDIT_MARK})
    return True


def timed_cold(client: Client, url: str, fragments_too: bool) -> tuple[float, float]:
    """Wall and CPU milliseconds of one cold render after an edit elsewhere."""
    cpu = time.process_time()
    elapsed, _ = cold(client, url, fragments_too)
    return elapsed, (time.process_time() - cpu) * 1000


def timed_edited_here(client: Client, url: str) -> tuple[float, float] | None:
    """Wall and CPU milliseconds of the render right after an edit of something the page shows (None: none)."""
    if not edit_shown(url):
        return None
    caches[PAGE_CACHE_ALIAS].clear()
    cpu = time.process_time()
    elapsed, _ = timed_get(client, url)
    return elapsed, (time.process_time() - cpu) * 1000


def floor_ms(client: Client, url: str, times: int) -> list[float]:
    return [timed_get(client, url)[0] for _ in range(times)]


def measure(types: list[PageType], rounds: int) -> dict:
    client = Client(HTTP_ACCEPT_ENCODING=BROWSER_ENCODINGS)
    floors = {"hello": reverse("bench_hello"), "healthz": reverse("healthz")}
    for page in types:  # warm Django's own caches (templates, URL resolvers, connections)
        cold(client, page.urls[0])
    floor_samples = {name: [] for name in floors}
    for number in range(rounds):
        for name, url in floors.items():
            floor_samples[name].append(statistics.median(floor_ms(client, url, FLOOR_REQUESTS)))
        for page in types:
            url = page.urls[number % len(page.urls)]
            elapsed, cpu = timed_cold(client, url, fragments_too=True)
            page.fully_cold_ms.append(elapsed)
            page.fully_cold_cpu_ms.append(cpu)
            elapsed, cpu = timed_cold(client, url, fragments_too=False)
            page.cold_ms.append(elapsed)
            page.cold_cpu_ms.append(cpu)
            edited = timed_edited_here(client, url)
            if edited:
                page.edited_ms.append(edited[0])
                page.edited_cpu_ms.append(edited[1])
            # The first hit after a render can pay for its garbage; the median of three is what a hit costs.
            page.warm_ms.append(statistics.median(timed_get(client, url)[0] for _ in range(3)))
    for page in types:
        Client().get(page.urls[0])  # its render kept as it stands now (later rounds' edits may have changed it)
        edit()
        caches[PAGE_CACHE_ALIAS].clear()
        with CaptureQueriesContext(connection) as queries:
            response = Client().get(page.urls[0])  # bytes: the plain body
        page.queries, page.bytes = len(queries.captured_queries), len(response.content)
        if edit_shown(page.urls[0]):
            with CaptureQueriesContext(connection) as queries:
                Client().get(page.urls[0])
            page.rendered_queries = len(queries.captured_queries)
    return {
        "floor_ms": {name: statistics.median(samples) for name, samples in floor_samples.items()},
        "pages": [asdict(page) for page in types],
        "rounds": rounds,
        "vendor": connection.vendor,
        "facts": Fact.objects.count(),
    }


def profile(types: list[PageType], name: str, rounds: int, out: Path) -> None:
    """cProfile of `rounds` cold renders of one page type, the top functions by own and cumulative time."""
    page = next((page for page in types if page.name == name), None)
    if page is None:
        raise SystemExit(f"No page type {name!r}; types: {', '.join(p.name for p in types)}")
    client = Client()
    cold(client, page.urls[0])
    profiler = cProfile.Profile()
    for number in range(rounds):
        url = page.urls[number % len(page.urls)]
        edit()
        caches[PAGE_CACHE_ALIAS].clear()
        profiler.runcall(client.get, url)
    with open(out, "w") as handle:
        stats = pstats.Stats(profiler, stream=handle)
        handle.write(where_the_time_went(stats, rounds) + "\n\n")
        stats.sort_stats("tottime").print_stats(40)
        stats.sort_stats("cumulative").print_stats(60)
    print(f"Wrote {out}")


# (file ending, function) -> what it stands for, in the profile's summary.
PHASES = {
    ("django/core/handlers/base.py", "get_response"): "the whole request",
    ("django/template/backends/django.py", "render"): "templates (Django's engine)",
    ("django/db/models/query.py", "_fetch_all"): "ORM: querysets evaluated (SQL, rows to objects, prefetches)",
    ("django/db/backends/utils.py", "_execute"): "of which the database driver (SQL sent and answered)",
    ("django/urls/base.py", "reverse"): "reverse() (get_absolute_url)",
    ("trivia/compression.py", "compressed_bodies"): "compression (gzip and brotli, every render)",
    ("trivia/search.py", "highlight"): "search highlighting",
}


def where_the_time_went(stats: pstats.Stats, renders: int) -> str:
    """Cumulative time per render in the phases above (under cProfile, which inflates Python-heavy parts)."""
    lines = [f"Per render, cumulative, under cProfile ({renders} renders):"]
    for (path, function), label in PHASES.items():
        found = [
            (entry[1], entry[3])
            for (filename, _, name), entry in stats.stats.items()
            if filename.endswith(path) and name == function
        ]
        calls, cumulative = sum(c for c, _ in found), sum(t for _, t in found)
        lines.append(f"  {cumulative / renders * 1000:8.1f} ms  {calls / renders:7.0f} calls  {label}")
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("output", type=Path)
    parser.add_argument("--rounds", type=int, default=15, help="Cold renders per page type; figures are medians.")
    parser.add_argument("--profile", metavar="TYPE", help="Profile this page type's cold renders instead.")
    args = parser.parse_args()
    types = page_types(args.rounds)
    if args.profile:
        profile(types, args.profile, args.rounds, args.output)
        return
    args.output.write_text(json.dumps(measure(types, args.rounds), indent=2))


if __name__ == "__main__":
    main()
