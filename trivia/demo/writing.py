"""Writing demo data: planned rows inserted in batches, replacing earlier demo rows and nothing else."""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import ProtectedError

from .. import bulk, integrity, search
from ..models import Citation, Credit, Fact, Film, Person, Source, Topic
from .planning import DEFAULT_BIG_FILM_FACTS, DEMO_PREFIX, DemoPlanner, PlannedFilm

# Rows per INSERT: well under SQLite's bound-parameter limit, large enough to amortise round trips.
BATCH_SIZE = 2_000


class DemoDataError(Exception):
    """The demo data cannot be generated as asked; the message says why."""


@dataclass
class DemoReport:
    created: dict[str, int] = field(default_factory=dict)
    removed_facts: int = 0
    big_film: str = ""
    big_film_facts: int = 0

    def summary(self) -> str:
        parts = ", ".join(f"{count:,} {name}" for name, count in self.created.items())
        lines = []
        if self.removed_facts:
            lines.append(f"Removed the previous demo data ({self.removed_facts:,} facts).")
        lines.append(f"Created {parts}." if parts else "Created no demo data.")
        if self.big_film:
            lines.append(f"The biggest film, {self.big_film}, has {self.big_film_facts:,} facts.")
        return " ".join(lines)


def check_arguments(films: int, facts: int, big_film_facts: int) -> None:
    if films < 0:
        raise DemoDataError(f"--films must be 0 or more, not {films}.")
    if facts < 0:
        raise DemoDataError(f"--facts must be 0 or more, not {facts}.")
    if big_film_facts < 0:
        raise DemoDataError(f"--big-film-facts must be 0 or more, not {big_film_facts}.")
    if facts and not films:
        raise DemoDataError(f"{facts:,} facts need at least one film to belong to; pass --films 1 or more.")


def remove_demo_data() -> int:
    """Delete every `demo-` row (and nothing else); returns how many facts went."""
    fact_total = bulk.delete_facts(Fact.objects.filter(key__startswith=DEMO_PREFIX))
    try:
        Credit.objects.filter(film__slug__startswith=DEMO_PREFIX).delete()
        for model in (Film, Source, Person, Topic):
            model.objects.filter(slug__startswith=DEMO_PREFIX).delete()
    except ProtectedError as exc:
        blocker = next(iter(exc.protected_objects))
        raise DemoDataError(
            f"Cannot replace the demo data: {blocker._meta.verbose_name} {blocker!s} (not demo data) "
            "still refers to a demo row. Move or delete it first."
        ) from None
    return fact_total


def check_topic_names_free(planner: DemoPlanner) -> None:
    names = [topic["name"] for topic in planner.topics]
    taken = list(Topic.objects.filter(name__in=names).values_list("name", flat=True))
    if taken:
        raise DemoDataError(
            f"Topic names the demo data needs are already used by other topics: {', '.join(sorted(taken))}."
        )


class DemoWriter:
    """Inserts planned films in batches; keeps only slug -> primary key maps between batches."""

    def __init__(self, planner: DemoPlanner):
        self.planner = planner
        self.counts: dict[str, int] = defaultdict(int)
        self.topic_ids: dict[str, int] = {}
        self.person_ids: dict[str, int] = {}

    def write_shared_rows(self):
        topics = bulk.create(
            Topic,
            [
                Topic(slug=t["slug"], name=t["name"], order=t["order"], description=f"{t['name']} (demo data).")
                for t in self.planner.topics
            ],
        )
        self.topic_ids = {topic.slug: topic.pk for topic in topics}
        people = bulk.create(
            Person, [Person(**fields) for fields in self.planner.people.values()], batch_size=BATCH_SIZE
        )
        self.person_ids = {person.slug: person.pk for person in people}
        self.counts["topics"] += len(topics)
        self.counts["people"] += len(people)

    def write(self, films: list[PlannedFilm]):
        film_rows = bulk.create(
            Film, [Film(slug=f.slug, title=f.title, year=f.year, description=f.description) for f in films]
        )
        sources = self.write_credits_and_sources(films, film_rows)
        self.write_facts(films, film_rows, iter(sources))
        self.counts["films"] += len(film_rows)

    def write_credits_and_sources(self, films: list[PlannedFilm], film_rows: list[Film]) -> list[Source]:
        credits, sources = [], []
        for planned, film in zip(films, film_rows, strict=True):
            credits += [
                Credit(film=film, person_id=self.person_ids[person], role=role, character=character, order=order)
                for order, (person, role, character) in enumerate(planned.credits)
            ]
            sources += [
                Source(
                    slug=s.slug,
                    title=s.title,
                    kind=s.kind,
                    author=s.author,
                    publisher=s.publisher,
                    url=s.url,
                    accessed=s.accessed,
                    content=s.content,
                    # Written in bulk, past Source.save(), which keeps the fingerprint in step with the text.
                    sha256=integrity.source_fingerprint(s.content),
                )
                for s in planned.sources
            ]
        bulk.create(Credit, credits, batch_size=BATCH_SIZE)
        bulk.create(Source, sources, batch_size=BATCH_SIZE)
        self.counts["credits"] += len(credits)
        self.counts["sources"] += len(sources)
        return sources

    def write_facts(self, films: list[PlannedFilm], film_rows: list[Film], source_rows) -> None:
        facts, citations, links = [], [], []
        names = {slug: person["name"] for slug, person in self.planner.people.items()}
        for planned, film in zip(films, film_rows, strict=True):
            film_sources = [next(source_rows) for _ in planned.sources]
            for f in planned.facts:
                fact = Fact(
                    key=f.key,
                    film=film,
                    topic_id=self.topic_ids[f.topic_slug],
                    text=f.text,
                    is_spoiler=f.is_spoiler,
                    status=Fact.Status.PUBLISHED,
                    position=f.position,
                    # Computed here so the full-text index is right as rows arrive; the
                    # rebuild afterwards then only confirms it.
                    search_document=search.build_search_document(
                        f.text, [names[slug] for slug in f.people], [c[1] for c in f.citations]
                    ),
                )
                facts.append(fact)
                citations += [
                    Citation(fact=fact, source=film_sources[i], quote=q, start=s, end=e, paragraph=p)
                    for i, q, s, e, p in f.citations
                ]
                links += [(fact, self.person_ids[slug]) for slug in f.people]
        bulk.create(Fact, facts, batch_size=BATCH_SIZE)
        bulk.create(Citation, citations, batch_size=BATCH_SIZE)
        FactPeople = Fact.people.through
        fact_people = [FactPeople(fact_id=fact.pk, person_id=person_id) for fact, person_id in links]
        bulk.create(FactPeople, fact_people, batch_size=BATCH_SIZE)
        self.counts["facts"] += len(facts)
        self.counts["citations"] += len(citations)
        self.counts["fact-people links"] += len(links)


@transaction.atomic
def generate_demo_data(
    films: int, facts: int, seed: int = 0, big_film_facts: int = DEFAULT_BIG_FILM_FACTS
) -> DemoReport:
    """Replace the demo data with `films` films and `facts` published, cited facts drawn from `seed`.

    All or nothing: on any error the database is left as it was.
    """
    check_arguments(films, facts, big_film_facts)
    report = DemoReport()
    report.removed_facts = remove_demo_data()
    if not films:
        return report

    planner = DemoPlanner(films, facts, seed, big_film_facts)
    check_topic_names_free(planner)
    writer = DemoWriter(planner)
    writer.write_shared_rows()
    batch: list[PlannedFilm] = []
    for film in planner.films():
        if not report.big_film:
            report.big_film, report.big_film_facts = film.slug, len(film.facts)
        batch.append(film)
        if sum(len(f.facts) for f in batch) >= BATCH_SIZE:
            writer.write(batch)
            batch = []
    if batch:
        writer.write(batch)
    report.created = dict(writer.counts)
    # bulk_create sends no signals, so derived data is refreshed once, at the end.
    search.rebuild_search_index()
    bulk.refresh_statistics()
    return report
