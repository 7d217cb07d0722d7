"""The editorial queue on the admin's home page: what is waiting for an editor, counted.

Drafts waiting to be published, facts with a broken citation, and paragraphs of sources no
fact cites yet. The counts are kept in the cache under the content version
(trivia/freshness.py), which any write to the trivia tables changes: between edits the queue
costs one query, after one a fixed handful (trivia/coverage.py re-reads only changed sources).
"""

from dataclasses import dataclass

from django.core.cache import cache

from . import coverage, freshness
from .models import Citation, Fact


@dataclass(frozen=True)
class EditorialQueue:
    drafts: int
    facts_with_broken_citations: int
    uncited_paragraphs: int
    sources_with_uncited_paragraphs: int

    @property
    def is_empty(self) -> bool:
        return not (self.drafts or self.facts_with_broken_citations or self.uncited_paragraphs)


def editorial_queue() -> EditorialQueue:
    key = f"trivia:editorial-queue:{freshness.content_version()}"
    queue = cache.get(key)
    if queue is None:
        queue = count_queue()
        cache.set(key, queue, timeout=24 * 60 * 60)
    return queue


def count_queue() -> EditorialQueue:
    by_source = coverage.coverage_by_source()
    return EditorialQueue(
        drafts=Fact.objects.filter(status=Fact.Status.DRAFT).count(),
        facts_with_broken_citations=Citation.objects.filter(is_broken=True).values("fact_id").distinct().count(),
        uncited_paragraphs=sum(c.uncited for c in by_source.values()),
        sources_with_uncited_paragraphs=sum(1 for c in by_source.values() if c.uncited),
    )
