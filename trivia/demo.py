"""Synthetic demo data at scale: films, people, topics, sources and cited facts.

The seed holds one film and a few dozen facts; performance only shows with tens of
thousands. This module invents a plausible film archive from a seeded random number
generator, so the same seed always gives the same rows, and writes it with
`bulk_create` in batches, so 100,000 facts take seconds rather than minutes.

Everything it writes is provenance-sound like the seed: every fact cites a real span
of a source the generator also wrote (`source.content[start:end] == quote`, with the
paragraph number from `trivia.text`). Every row it owns has a slug or key starting with
`demo-`, so the seeded Red Shoes data is never touched, and a rerun first removes the
previous demo rows and only those.

`bulk_create` bypasses `save()` and signals, so what `save()` would derive (a source's
SHA-256, a citation's paragraph, a fact's search document) is computed here, and no
django-reversion history is written: demo rows have no edits to remember.
"""

import math
import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db import connection, transaction
from django.db.models import ProtectedError
from django.utils.text import slugify

from . import search, services, text
from .models import Citation, Credit, Fact, Film, Person, Source, Topic

DEMO_PREFIX = "demo-"
DEFAULT_BIG_FILM_FACTS = 1_000
# Rows per INSERT: well under SQLite's bound-parameter limit, large enough to amortise round trips.
BATCH_SIZE = 2_000
# Roughly how many facts draw on one source, as a real film's trivia page or book chapter would.
FACTS_PER_SOURCE = 25
SENTENCES_PER_PARAGRAPH = (3, 6)
DRAWS_FOR_A_NEW_CLAIM = 20


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


# --- Vocabulary -------------------------------------------------------------------

TITLE_ADJECTIVES = (
    "Silent", "Crimson", "Last", "Distant", "Golden", "Broken", "Hidden", "Northern", "Endless", "Quiet",
    "Burning", "Paper", "Glass", "Winter", "Midnight", "Forgotten", "Restless", "Velvet", "Iron", "Scarlet",
)  # fmt: skip
TITLE_NOUNS = (
    "Harbour", "Lantern", "Orchard", "Carousel", "Lighthouse", "Ballroom", "Frontier", "Staircase", "Garden",
    "Express", "Mirror", "Tide", "Kingdom", "Masquerade", "Archive", "Balcony", "Circus", "Island", "Meridian",
    "Overture", "Pavilion", "Signal", "Tower", "Voyage",
)  # fmt: skip
TITLE_PATTERNS = ("The {adj} {noun}", "{adj} {noun}", "{noun} in {place}", "The {noun} of {place}", "The {noun}")

FIRST_NAMES = (
    "Ada", "Albert", "Alice", "Anton", "Beatrice", "Bernard", "Clara", "Conrad", "Dora", "Edmund", "Elsa",
    "Felix", "Frances", "Gregor", "Greta", "Harold", "Hedda", "Ivor", "Imogen", "Jules", "Julia", "Kasimir",
    "Lena", "Leopold", "Margot", "Marius", "Nadia", "Nikolai", "Olive", "Oskar", "Pauline", "Quentin", "Rosa",
    "Rupert", "Sabine", "Silas", "Tamsin", "Theo", "Ursula", "Victor", "Vera", "Walter", "Wilhelmina", "Yves",
    "Zelda", "Ingrid", "Luis", "Mei", "Kenji", "Amara",
)  # fmt: skip
LAST_NAMES = (
    "Ashdown", "Bellweather", "Carrow", "Delacroix", "Eastwick", "Fairbrother", "Galloway", "Hartigan",
    "Ingleby", "Jarrow", "Kessler", "Lindqvist", "Marchetti", "Northcote", "Okonkwo", "Pemberton", "Quill",
    "Rasmussen", "Strand", "Thorne", "Underhill", "Varga", "Whitlock", "Yarrow", "Zimmer", "Achterberg",
    "Brannigan", "Castellan", "Dunmore", "Esterhazy", "Fontaine", "Greaves", "Holloway", "Ishikawa",
    "Kowalczyk", "Lachance", "Moreau", "Nakamura", "Ostrowski", "Pradhan", "Rinaldi", "Sorensen", "Tavares",
    "Valdez", "Wexford",
)  # fmt: skip
STUDIO_WORDS = ("Harbourlight", "Meridian", "Northstar", "Silverpoint", "Lanternfield", "Beacon", "Orchard Lane")
STUDIO_KINDS = ("Pictures", "Films", "Studios", "Productions", "Film Distributors")
CHARACTER_NAMES = (
    "Captain Marlowe", "Lady Ashcombe", "the ferryman", "Inspector Dray", "Madame Vesna", "the young clerk",
    "Professor Hale", "the lighthouse keeper", "Nell", "the Count", "Miss Tremaine", "the conductor",
    "Doctor Aurel", "the widow Carraway", "Tobias", "the dancer", "the stranger", "Sister Agnes",
)  # fmt: skip
PLACES = (
    "Lisbon", "Trieste", "the Outer Hebrides", "Marseille", "Tangier", "Bruges", "Monte Carlo", "Cornwall",
    "Vienna", "Galway", "Naples", "Oslo", "Valletta", "the Yorkshire Dales", "Budapest", "Dubrovnik",
)  # fmt: skip
SCENES = (
    "opening", "ballroom", "train", "storm", "rooftop", "market", "wedding", "chase", "duel", "carnival",
    "funeral", "harbour", "final",
)  # fmt: skip
SOURCE_SHAPES = (
    (Source.Kind.TRIVIA_PAGE, "{title} ({year}): trivia notes"),
    (Source.Kind.BOOK, "Making {title}: a production history"),
    (Source.Kind.ARTICLE, "{title} at {age}: a retrospective"),
    (Source.Kind.INTERVIEW, "Interview: {director} on {title}"),
    (Source.Kind.DOCUMENT, "{title}: studio press book"),
    (Source.Kind.WEBSITE, "{title} ({year}) on the Film Archive Review"),
)
PUBLISHERS = ("Film Archive Review", "Silver Screen Quarterly", "Harbour Books", "The Projectionist", "Reel History")

# Uncited sentences between the cited ones, so a source reads like a document, not a list.
FILLER = (
    "Accounts of what happened next differ in the details.",
    "The trade papers of the time paid the matter little attention.",
    "Few of the surviving crew members remember it the same way.",
    "The studio's own records are incomplete for this period.",
    "It was, by any measure, an unusual way to make a picture.",
    "Several versions of this story have circulated since.",
    "The production notes say little more on the subject.",
)  # fmt: skip

# A second sentence backing the one before it: the fact then cites both.
CORROBORATIONS = (
    "{actor} confirmed this in an interview {later} years later.",
    "The call sheets for {title} bear this out, day by day.",
    "{director} told the same story at a lecture in {place}.",
)
# Each topic: (slug, name, order, spoiler, templates). A template is (source sentence, fact
# text); the fact restates what the cited sentence says and no more. Slots: {title} {year}
# {director} {writer} {composer} {cinematographer} {designer} {actor} {actor2} {character}
# {place} {scene} {n} {m} {weeks} {studio} {later}.
TOPICS = (
    ("demo-casting", "Casting", 110, False, (
        ("{actor} was cast as {character} after {n} rounds of auditions.",
         "{actor} won the part of {character} after {n} rounds of auditions."),
        ("{director} first offered the role of {character} to {actor2}, who turned it down.",
         "{actor2} turned down the role of {character} before it went to another actor."),
        ("{actor} learned to ride, fence and sail for the part of {character}.",
         "{actor} learned to ride, fence and sail to play {character}."),
    )),
    ("demo-filming", "Filming", 120, False, (
        ("The {scene} scene took {n} days to shoot and needed {m} takes.",
         "The {scene} scene took {n} days to film, over {m} takes."),
        ("{cinematographer} lit the {scene} scene with a single lamp hidden behind the set.",
         "{cinematographer} lit the {scene} scene with one hidden lamp."),
        ("Shooting stopped for {weeks} weeks when {actor} broke an ankle during the {scene} scene.",
         "Filming was halted for {weeks} weeks after {actor} broke an ankle."),
    )),
    ("demo-music", "Music and score", 130, False, (
        ("{composer} wrote {n} minutes of music for the {scene} sequence alone.",
         "The {scene} sequence has {n} minutes of music by {composer}."),
        ("{composer} recorded the score in {place} with an orchestra of {m} players.",
         "The score was recorded in {place} with {m} musicians under {composer}."),
    )),
    ("demo-locations", "Locations", 140, False, (
        ("The exteriors were filmed in {place} over {weeks} weeks in {year}.",
         "Exteriors for {title} were shot in {place} in {year}."),
        ("The {scene} scene was shot on location in {place}, not in the studio.",
         "The {scene} scene was filmed on location in {place}."),
    )),
    ("demo-design", "Design and costumes", 150, False, (
        ("{designer} built the {scene} set at full size on the largest stage at {studio}.",
         "{designer} built a full-size {scene} set at {studio}."),
        ("{designer} made {n} sketches of the costumes before a single one was sewn.",
         "{designer} drew {n} costume sketches for the film."),
    )),
    ("demo-box-office", "Box office", 160, False, (
        ("{title} ran for {weeks} weeks at its first cinema in {place}.",
         "{title} played for {weeks} weeks at its first cinema in {place}."),
        ("{studio} expected little of {title} and gave it only {n} prints on release.",
         "{studio} released {title} with only {n} prints."),
    )),
    ("demo-critics", "Critical response", 170, False, (
        ("Critics in {place} called the {scene} scene the finest of the year.",
         "Critics in {place} praised the {scene} scene."),
        ("{writer}'s screenplay was attacked on release and defended {later} years later.",
         "{writer}'s screenplay was criticised on release and re-evaluated later."),
    )),
    ("demo-awards", "Awards", 180, False, (
        ("{title} was nominated for {n} awards and won {m} of them.",
         "{title} won {m} of its {n} award nominations."),
        ("{cinematographer} won a prize in {place} for the photography of {title}.",
         "{cinematographer} won a photography prize in {place} for {title}."),
    )),
    ("demo-behind-the-scenes", "Behind the scenes", 190, False, (
        ("{director} and {writer} rewrote the {scene} scene overnight, {n} hours before it was shot.",
         "{director} and {writer} rewrote the {scene} scene the night before filming."),
        ("{actor} and {actor2} did not speak to each other for the last {weeks} weeks of filming.",
         "{actor} and {actor2} fell out during filming."),
    )),
    ("demo-ending", "Ending and twists", 200, True, (
        ("In the final scene {character} is revealed to have planned the whole affair.",
         "The ending reveals that {character} planned everything."),
        ("{director} shot {n} different endings and chose the darkest one.",
         "{director} filmed {n} endings and kept the darkest."),
    )),
)  # fmt: skip

ROLE_SLOTS = (
    ("director", Credit.Role.DIRECTOR),
    ("writer", Credit.Role.WRITER),
    ("producer", Credit.Role.PRODUCER),
    ("composer", Credit.Role.COMPOSER),
    ("cinematographer", Credit.Role.CINEMATOGRAPHER),
    ("designer", Credit.Role.PRODUCTION_DESIGNER),
    ("editor", Credit.Role.EDITOR),
)
ACTORS_PER_FILM = 5


# --- Planning: every value decided from the seed, no database ------------------------


@dataclass
class PlannedSource:
    slug: str
    title: str
    kind: str
    author: str
    publisher: str
    url: str
    accessed: date
    content: str


@dataclass
class PlannedFact:
    key: str
    topic_slug: str
    text: str
    is_spoiler: bool
    position: int
    people: list[str]  # person slugs
    citations: list[tuple[int, str, int, int, int]]  # (index in the film's sources, quote, start, end, paragraph)


@dataclass
class PlannedFilm:
    slug: str
    title: str
    year: int
    description: str
    credits: list[tuple[str, str, str]]  # (person slug, role, character)
    sources: list[PlannedSource]
    facts: list[PlannedFact]


def split_counts(total: int, weights: list[float]) -> list[int]:
    """Split `total` into whole parts proportional to `weights` (largest remainder first)."""
    if not weights:
        return []
    scale = sum(weights)
    exact = [total * w / scale for w in weights]
    counts = [math.floor(x) for x in exact]
    by_remainder = sorted(range(len(weights)), key=lambda i: exact[i] - counts[i], reverse=True)
    for i in by_remainder[: total - sum(counts)]:
        counts[i] += 1
    return counts


def unique_slug(base: str, taken: set[str]) -> str:
    slug = base
    counter = 2
    while slug in taken:
        slug = f"{base}-{counter}"
        counter += 1
    taken.add(slug)
    return slug


def render_source(paragraphs: list[list[str]]) -> tuple[str, dict[tuple[int, int], tuple[int, int]]]:
    """Join sentences into paragraphs (blank line between) and say where each sentence landed."""
    offsets = {}
    parts = []
    position = 0
    for p, sentences in enumerate(paragraphs):
        if p:
            parts.append("\n\n")
            position += 2
        for s, sentence in enumerate(sentences):
            if s:
                parts.append(" ")
                position += 1
            offsets[(p, s)] = (position, position + len(sentence))
            parts.append(sentence)
            position += len(sentence)
    return "".join(parts), offsets


class DemoPlanner:
    """Invents the archive film by film from one seeded generator, so a seed always gives the same rows."""

    def __init__(self, films: int, facts: int, seed: int, big_film_facts: int = DEFAULT_BIG_FILM_FACTS):
        self.rng = random.Random(seed)
        self.film_count = films
        self.fact_count = facts
        self.big_film_facts = big_film_facts
        self.slugs: set[str] = set()
        self.people: dict[str, dict] = {}
        self.topics = [
            {"slug": slug, "name": name, "order": order, "spoiler": spoiler, "templates": templates}
            for slug, name, order, spoiler, templates in TOPICS
        ]
        # Filming stories are the commonest trivia, endings the rarest.
        self.topic_weights = [
            {"demo-filming": 4, "demo-behind-the-scenes": 3, "demo-ending": 1}.get(t["slug"], 2) for t in self.topics
        ]
        # A shared pool, so directors and actors work on several films, as in life.
        self.pool = [self.new_person() for _ in range(max(12, films * 4))]
        self.studios = [self.new_person(Person.Kind.ORGANISATION) for _ in range(max(2, films // 20))]
        self.next_key = 1

    def new_person(self, kind=Person.Kind.PERSON) -> str:
        if kind == Person.Kind.ORGANISATION:
            name = f"{self.rng.choice(STUDIO_WORDS)} {self.rng.choice(STUDIO_KINDS)}"
            description = "Film company (demo data)."
        else:
            name = f"{self.rng.choice(FIRST_NAMES)} {self.rng.choice(LAST_NAMES)}"
            description = "Film-maker (demo data)."
        base = DEMO_PREFIX + slugify(name)
        slug = unique_slug(base, self.slugs)
        if slug != base:
            # Namesakes: the suffix keeps their pages apart and tells readers they are different people.
            name = f"{name} ({slug.rsplit('-', 1)[1]})"
        self.people[slug] = {"slug": slug, "name": name, "kind": kind, "description": description}
        return slug

    def fact_counts(self) -> list[int]:
        """The first film is the big one the film-page benchmark loads; the rest vary around the mean."""
        if self.film_count == 1:
            return [self.fact_count]
        big = min(self.big_film_facts, self.fact_count // 2)
        weights = [self.rng.uniform(0.4, 1.6) for _ in range(self.film_count - 1)]
        return [big, *split_counts(self.fact_count - big, weights)]

    def films(self):
        """Yield one `PlannedFilm` at a time, so 100,000 facts never sit in memory at once."""
        for index, fact_total in enumerate(self.fact_counts()):
            yield self.plan_film(index, fact_total)

    def plan_film(self, index: int, fact_total: int) -> PlannedFilm:
        rng = self.rng
        title = rng.choice(TITLE_PATTERNS).format(
            adj=rng.choice(TITLE_ADJECTIVES), noun=rng.choice(TITLE_NOUNS), place=rng.choice(PLACES)
        )
        year = rng.randint(1925, 2020)
        slug = unique_slug(f"{DEMO_PREFIX}{slugify(title)}-{year}", self.slugs)
        crew = rng.sample(self.pool, len(ROLE_SLOTS) + ACTORS_PER_FILM)
        roles = {slot: crew[i] for i, (slot, _) in enumerate(ROLE_SLOTS)}
        cast = list(zip(crew[len(ROLE_SLOTS) :], rng.sample(CHARACTER_NAMES, ACTORS_PER_FILM), strict=True))
        studio = rng.choice(self.studios)
        credits = [(roles[slot], role, "") for slot, role in ROLE_SLOTS]
        credits += [(person, Credit.Role.ACTOR, character) for person, character in cast]
        credits.append((studio, Credit.Role.FINANCIER, ""))
        film = PlannedFilm(
            slug=slug,
            title=title,
            year=year,
            description=f"A {year} picture directed by {self.people[roles['director']]['name']} (demo data).",
            credits=credits,
            sources=[],
            facts=[],
        )
        context = {"title": title, "year": year, "roles": roles, "cast": cast, "studio": studio, "claims": set()}
        source_total = math.ceil(fact_total / FACTS_PER_SOURCE)
        positions: dict[str, int] = defaultdict(int)
        for number, count in enumerate(split_counts(fact_total, [rng.uniform(0.6, 1.4) for _ in range(source_total)])):
            film.sources.append(self.plan_source(film, context, number, count, positions))
        return film

    def slots_for(self, context: dict) -> tuple[dict, dict]:
        """Values for one fact's templates, and which slots name people (slot -> person slug)."""
        rng = self.rng
        (actor, character), (actor2, _) = rng.sample(context["cast"], 2)
        people = {slot: context["roles"][slot] for slot in ("director", "writer", "composer", "cinematographer")}
        people.update(designer=context["roles"]["designer"], actor=actor, actor2=actor2, studio=context["studio"])
        slots = {slot: self.people[slug]["name"] for slot, slug in people.items()}
        slots.update(
            title=context["title"],
            year=context["year"],
            character=character,
            place=rng.choice(PLACES),
            scene=rng.choice(SCENES),
            n=rng.randint(2, 40),
            m=rng.randint(1, 12),
            weeks=rng.randint(2, 60),
            later=rng.randint(10, 50),
        )
        return slots, people

    def plan_source(self, film: PlannedFilm, context: dict, number: int, fact_total: int, positions) -> PlannedSource:
        rng = self.rng
        paragraphs: list[list[str]] = [[]]
        paragraph_length = rng.randint(*SENTENCES_PER_PARAGRAPH)

        def add(sentence: str) -> tuple[int, int]:
            nonlocal paragraph_length
            if len(paragraphs[-1]) >= paragraph_length:
                paragraphs.append([])
                paragraph_length = rng.randint(*SENTENCES_PER_PARAGRAPH)
            paragraphs[-1].append(sentence)
            return len(paragraphs) - 1, len(paragraphs[-1]) - 1

        placed = []
        for _ in range(fact_total):
            # A film's trivia does not repeat itself: draw again when the claim is already made
            # (a thousand facts from a few dozen templates would otherwise repeat several).
            for _draw in range(DRAWS_FOR_A_NEW_CLAIM):
                topic = rng.choices(self.topics, weights=self.topic_weights)[0]
                sentence, fact_text = rng.choice(topic["templates"])
                slots, people = self.slots_for(context)
                if fact_text.format(**slots) not in context["claims"]:
                    break
            context["claims"].add(fact_text.format(**slots))
            sentences = [add(sentence.format(**slots))]
            if rng.random() < 0.12:
                sentences.append(add(rng.choice(CORROBORATIONS).format(**slots)))
            if rng.random() < 0.25:
                add(rng.choice(FILLER))
            positions[topic["slug"]] += 1
            fact = PlannedFact(
                key=f"{DEMO_PREFIX}{self.next_key:06d}",
                topic_slug=topic["slug"],
                text=fact_text.format(**slots),
                is_spoiler=topic["spoiler"],
                position=positions[topic["slug"]],
                people=list(dict.fromkeys(slug for slot, slug in people.items() if "{" + slot + "}" in fact_text)),
                citations=[],
            )
            self.next_key += 1
            placed.append((fact, sentences))

        if not placed:
            add(rng.choice(FILLER))  # a source is never empty
        content, offsets = render_source(paragraphs)
        spans = text.paragraphs(content)
        for fact, sentences in placed:
            for where in sentences:
                start, end = offsets[where]
                paragraph = text.paragraph_number(content, start, spans)
                fact.citations.append((number, content[start:end], start, end, paragraph))
            film.facts.append(fact)

        kind, title = SOURCE_SHAPES[(len(film.facts) + number) % len(SOURCE_SHAPES)]
        slug = unique_slug(f"{film.slug}-source-{number + 1}", self.slugs)
        return PlannedSource(
            slug=slug,
            title=title.format(
                title=film.title,
                year=film.year,
                age=max(1, 2025 - film.year),
                director=self.people[context["roles"]["director"]]["name"],
            ),
            kind=kind,
            author=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
            publisher=rng.choice(PUBLISHERS),
            url=f"https://example.org/demo/{slug}",
            accessed=date(2024, 1, 1) + timedelta(days=rng.randint(0, 600)),
            content=content,
        )


# --- Writing ----------------------------------------------------------------------


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
    facts = Fact.objects.filter(key__startswith=DEMO_PREFIX)
    fact_total = facts.count()
    # Facts, their citations and their people links in one DELETE statement each. Through the
    # ORM, the collector loads every fact and the search signals refresh a fact's search
    # document once per deleted citation: minutes at 100,000 facts, for rows that are going.
    demo_fact_ids, params = facts.values("pk").query.sql_with_params()
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for model, column in ((Citation, "fact_id"), (Fact.people.through, "fact_id"), (Fact, "id")):
            table = quote(model._meta.db_table)
            cursor.execute(f"DELETE FROM {table} WHERE {quote(column)} IN ({demo_fact_ids})", params)
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


def refresh_planner_statistics() -> None:
    """Tell the query planner how big the tables now are.

    Without statistics SQLite guesses, and at 100,000 facts it guessed wrong: a person
    page counted its facts by scanning every published fact (70 ms) instead of the
    person's fact links (under 1 ms). PostgreSQL's autovacuum would analyze eventually;
    a benchmark straight after a bulk load should not depend on when.
    """
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("ANALYZE")
        elif connection.vendor == "postgresql":
            for model in (Film, Person, Credit, Topic, Source, Fact, Fact.people.through, Citation):
                cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


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
        topics = Topic.objects.bulk_create(
            Topic(slug=t["slug"], name=t["name"], order=t["order"], description=f"{t['name']} (demo data).")
            for t in self.planner.topics
        )
        self.topic_ids = {topic.slug: topic.pk for topic in topics}
        people = Person.objects.bulk_create(
            (Person(**fields) for fields in self.planner.people.values()), batch_size=BATCH_SIZE
        )
        self.person_ids = {person.slug: person.pk for person in people}
        self.counts["topics"] += len(topics)
        self.counts["people"] += len(people)

    def write(self, films: list[PlannedFilm]):
        film_rows = Film.objects.bulk_create(
            Film(slug=f.slug, title=f.title, year=f.year, description=f.description) for f in films
        )
        credits, sources, facts = [], [], []
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
                    # bulk_create skips Source.save(), which keeps the fingerprint in step with the text.
                    sha256=text.sha256_hex(s.content),
                )
                for s in planned.sources
            ]
        Credit.objects.bulk_create(credits, batch_size=BATCH_SIZE)
        Source.objects.bulk_create(sources, batch_size=BATCH_SIZE)

        source_rows = iter(sources)
        citations, links = [], []
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
        Fact.objects.bulk_create(facts, batch_size=BATCH_SIZE)
        Citation.objects.bulk_create(citations, batch_size=BATCH_SIZE)
        FactPeople = Fact.people.through
        FactPeople.objects.bulk_create(
            (FactPeople(fact_id=fact.pk, person_id=person_id) for fact, person_id in links), batch_size=BATCH_SIZE
        )

        self.counts["films"] += len(film_rows)
        self.counts["credits"] += len(credits)
        self.counts["sources"] += len(sources)
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
    services.rebuild_search_index()
    refresh_planner_statistics()
    return report
