"""Planning demo data: every film, person, source and fact decided from one seed, before any write."""

import math
import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from django.utils.text import slugify

from .. import text
from ..models import Credit, Person
from .vocabulary import (
    ACTORS_PER_FILM,
    CHARACTER_NAMES,
    CORROBORATIONS,
    FILLER,
    FIRST_NAMES,
    LAST_NAMES,
    PLACES,
    PUBLISHERS,
    ROLE_SLOTS,
    SCENES,
    SOURCE_SHAPES,
    STUDIO_KINDS,
    STUDIO_WORDS,
    TITLE_ADJECTIVES,
    TITLE_NOUNS,
    TITLE_PATTERNS,
    TOPICS,
)

DEMO_PREFIX = "demo-"
DEFAULT_BIG_FILM_FACTS = 1_000
# Roughly how many facts draw on one source, as a real film's trivia page or book chapter would.
FACTS_PER_SOURCE = 25
SENTENCES_PER_PARAGRAPH = (3, 6)
DRAWS_FOR_A_NEW_CLAIM = 20


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


class SourceBody:
    """Sentences gathered into paragraphs of random length, as a source document reads."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.paragraphs: list[list[str]] = [[]]
        self.length = rng.randint(*SENTENCES_PER_PARAGRAPH)

    def add(self, sentence: str) -> tuple[int, int]:
        """Append `sentence`; its (paragraph, sentence) index."""
        if len(self.paragraphs[-1]) >= self.length:
            self.paragraphs.append([])
            self.length = self.rng.randint(*SENTENCES_PER_PARAGRAPH)
        self.paragraphs[-1].append(sentence)
        return len(self.paragraphs) - 1, len(self.paragraphs[-1]) - 1


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
        body = SourceBody(rng)
        placed = [self.plan_fact(context, body, positions) for _ in range(fact_total)]
        if not placed:
            body.add(rng.choice(FILLER))  # a source is never empty
        content, offsets = render_source(body.paragraphs)
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

    def plan_fact(self, context: dict, body: "SourceBody", positions) -> tuple[PlannedFact, list]:
        """One new claim for the film, its sentence (and maybe a corroboration) added to `body`."""
        rng = self.rng
        # A film's trivia does not repeat itself: draw again when the claim is already made
        # (a thousand facts from a few dozen templates would otherwise repeat several).
        for _draw in range(DRAWS_FOR_A_NEW_CLAIM):
            topic = rng.choices(self.topics, weights=self.topic_weights)[0]
            sentence, fact_text = rng.choice(topic["templates"])
            slots, people = self.slots_for(context)
            if fact_text.format(**slots) not in context["claims"]:
                break
        context["claims"].add(fact_text.format(**slots))
        sentences = [body.add(sentence.format(**slots))]
        if rng.random() < 0.12:
            sentences.append(body.add(rng.choice(CORROBORATIONS).format(**slots)))
        if rng.random() < 0.25:
            body.add(rng.choice(FILLER))
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
        return fact, sentences
