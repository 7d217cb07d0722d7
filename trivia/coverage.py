"""Which paragraphs of a source no fact cites yet: the editors' count of work left in their sources.

A paragraph is cited when a sound citation's passage overlaps it (a broken citation's
offsets refer to an older text, so it covers nothing). The same rule marks paragraphs on
the workbench and counts them for the editorial queue and the source list.

Counting means reading every source's text. At 100,000 facts that is about 10 MB, so the
per-source results are kept in the cache as one entry, each under the source's SHA-256 and a
fingerprint of its sound citations; a request re-reads only the sources whose text or
citations changed since, in a fixed number of queries.
"""

from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import BigIntegerField, Count, F, Sum
from django.db.models.functions import Cast

from . import text
from .models import Citation, Source

CACHE_KEY = "trivia:paragraph-coverage:1"
# Past this share of sources to re-read, one scan of every source beats a long `IN (…)` list.
FULL_SCAN_SHARE = 0.5


def cited_flags(paragraphs: list[text.Paragraph], spans) -> list[bool]:
    """For each paragraph (in order), whether any of `spans` ((start, end), sorted by start) overlaps it."""
    flags = []
    index, furthest_end = 0, -1
    for paragraph in paragraphs:
        while index < len(spans) and spans[index][0] < paragraph.end:
            furthest_end = max(furthest_end, spans[index][1])
            index += 1
        flags.append(furthest_end > paragraph.start)
    return flags


@dataclass(frozen=True)
class Coverage:
    paragraphs: int
    uncited: int


def coverage_of(content: str, spans) -> Coverage:
    paragraphs = text.paragraphs(content)
    flags = cited_flags(paragraphs, sorted(spans))
    return Coverage(len(paragraphs), flags.count(False))


def coverage_by_source() -> dict[int, Coverage]:
    """Every source's paragraph count and uncited paragraphs, by source pk: at most four queries."""
    shas = dict(Source.objects.values_list("pk", "sha256"))
    fingerprints = {
        row["source_id"]: (row["total"], row["starts"], row["ends"], row["products"])
        for row in Citation.objects.filter(is_broken=False)
        .order_by()
        .values("source_id")
        .annotate(
            total=Count("pk"),
            starts=Sum("start"),
            ends=Sum("end"),
            products=Sum(Cast("start", BigIntegerField()) * F("end")),
        )
    }
    stamps = {pk: (sha, fingerprints.get(pk)) for pk, sha in shas.items()}
    kept = cache.get(CACHE_KEY) or {}
    result = {pk: kept[pk][1] for pk, stamp in stamps.items() if pk in kept and kept[pk][0] == stamp}
    stale = [pk for pk in stamps if pk not in result]
    if stale:
        result.update(_measure(stale, everything=len(stale) > FULL_SCAN_SHARE * len(stamps)))
        cache.set(CACHE_KEY, {pk: (stamps[pk], result[pk]) for pk in stamps}, timeout=None)
    return result


def _measure(pks: list[int], *, everything: bool) -> dict[int, Coverage]:
    """Coverage of the sources `pks`, read in two streamed queries (one source's text in memory at a time)."""
    sources = Source.objects.order_by("pk").only("content")
    citations = (
        Citation.objects.filter(is_broken=False).order_by("source_id", "start").values_list("source_id", "start", "end")
    )
    if not everything:
        sources, citations = sources.filter(pk__in=pks), citations.filter(source_id__in=pks)
    wanted = set(pks)
    spans_by_source: dict[int, list] = {}
    for source_id, start, end in citations.iterator(chunk_size=5000):
        if source_id in wanted:
            spans_by_source.setdefault(source_id, []).append((start, end))
    return {
        source.pk: coverage_of(source.content, spans_by_source.get(source.pk, []))
        for source in sources.iterator(chunk_size=100)
        if source.pk in wanted
    }
