"""Many facts, fast: the data the reading pages' query-count tests compare.

`bulk_create` skips `save()`, so the citations here are built to satisfy the
citation invariant by construction (each quotes the source's first paragraph).
"""

from django.utils import timezone

from tests.factories import FilmFactory, PersonFactory, SourceFactory, TopicFactory
from trivia.models import Citation, Fact


def film_with_facts(count: int, *, title: str = "Big Film", topics: int = 5):
    """A published film with `count` facts over `topics` topics, each fact citing a
    source and mentioning a person (so every prefetch has rows to fetch)."""
    film = FilmFactory(title=title)
    topic_rows = [TopicFactory() for _ in range(topics)]
    person = PersonFactory()
    source = SourceFactory()
    quote = source.content.split("\n\n")[0]
    published_at = timezone.now()  # bulk_create skips the pre_save handler that stamps it
    facts = Fact.objects.bulk_create(
        Fact(
            film=film,
            topic=topic_rows[n % topics],
            text=f"Fact {n} about {title}.",
            status=Fact.Status.PUBLISHED,
            published_at=published_at,
            position=n,
        )
        for n in range(count)
    )
    Citation.objects.bulk_create(
        Citation(fact=fact, source=source, quote=quote, start=0, end=len(quote), paragraph=1) for fact in facts
    )
    Fact.people.through.objects.bulk_create(Fact.people.through(fact=fact, person=person) for fact in facts)
    return film, facts
