"""The trivia data model: films, people, topics, sources, facts and the citations tying facts to passages.

The rules about sources and citations are trivia/integrity.py's; the database keeps what
SQL can say. Every model has a natural key, so fixtures move between databases.
"""

import secrets

import reversion
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, URLValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Length
from django.db.models.lookups import Exact
from django.urls import reverse

from . import integrity, text
from .expressions import TitleInitial

# Only web links: a `javascript:` or `file:` URL must never become a clickable link.
http_url_validator = URLValidator(schemes=["http", "https"])


def _key_of(instance, relation: str) -> tuple:
    """A related row's natural key, or (None,) while unset (a fixture naming a missing row)."""
    related_id = getattr(instance, f"{relation}_id")
    return getattr(instance, relation).natural_key() if related_id is not None else (None,)


class SlugNaturalKeyManager(models.Manager):
    """Manager for models whose natural key is their unique slug."""

    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


class TimeStamped(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


@reversion.register(exclude=("lock_version",))
class Film(TimeStamped):
    title = models.CharField(max_length=200)
    year = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1870), MaxValueValidator(2100)],
        help_text="Year of first release.",
    )
    slug = models.SlugField(max_length=220, unique=True, help_text="e.g. the-red-shoes-1948")
    description = models.TextField(blank=True)

    objects = SlugNaturalKeyManager()

    class Meta:
        ordering = ["title", "year"]
        constraints = [
            models.CheckConstraint(condition=Q(year__gte=1870) & Q(year__lte=2100), name="film_year_plausible"),
            models.CheckConstraint(condition=~Q(slug=""), name="film_slug_not_empty"),
        ]
        # The home page's list by title: by initial (its A–Z index), then title (selectors/home.py), read in order.
        indexes = [
            models.Index(TitleInitial("title"), "title", "year", "id", name="film_by_initial_idx"),
            # A topic page walks the films in title order to the ones its page shows (fact_counts.films_of_topic).
            models.Index(fields=["title", "year", "id"], name="film_by_title_idx"),
        ]

    def __str__(self):
        return f"{self.title} ({self.year})"

    def get_absolute_url(self):
        return reverse("trivia:film_detail", args=[self.slug])

    def natural_key(self):
        return (self.slug,)


@reversion.register()
class Person(TimeStamped):
    class Kind(models.TextChoices):
        PERSON = "person", "Person"
        ORGANISATION = "organisation", "Organisation"

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=220, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.PERSON)
    description = models.CharField(max_length=300, blank=True, help_text="One line: who they are.")

    objects = SlugNaturalKeyManager()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "people"
        constraints = [models.CheckConstraint(condition=~Q(slug=""), name="person_slug_not_empty")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("trivia:person_detail", args=[self.slug])

    def natural_key(self):
        return (self.slug,)


class CreditManager(models.Manager):
    def get_by_natural_key(self, film_slug, person_slug, role):
        return self.get(film__slug=film_slug, person__slug=person_slug, role=role)


@reversion.register()
class Credit(models.Model):
    """A person's role on a film ("production designer", "actor as Victoria Page")."""

    class Role(models.TextChoices):
        DIRECTOR = "director", "Director"
        PRODUCER = "producer", "Producer"
        WRITER = "writer", "Writer"
        ORIGINAL_STORY = "original-story", "Original story"
        ACTOR = "actor", "Actor"
        PRODUCTION_DESIGNER = "production-designer", "Production designer"
        CINEMATOGRAPHER = "cinematographer", "Cinematographer"
        COMPOSER = "composer", "Composer"
        EDITOR = "editor", "Editor"
        CHOREOGRAPHER = "choreographer", "Choreographer"
        FINANCIER = "financier", "Financier"
        DISTRIBUTOR = "distributor", "Distributor"

    film = models.ForeignKey(Film, on_delete=models.CASCADE, related_name="credits")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="credits")
    role = models.CharField(max_length=30, choices=Role.choices)
    character = models.CharField(max_length=200, blank=True, help_text="For actors: the part played.")
    order = models.PositiveSmallIntegerField(default=0)

    objects = CreditManager()

    class Meta:
        ordering = ["film", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["film", "person", "role"], name="credit_unique_role_per_film"),
        ]

    def __str__(self):
        label = self.get_role_display()
        if self.character:
            label = f"{label} ({self.character})"
        return f"{self.person} — {label}, {self.film}"

    def get_absolute_url(self):
        return reverse("trivia:film_detail", args=[self.film.slug])

    def natural_key(self):
        return _key_of(self, "film") + _key_of(self, "person") + (self.role,)

    natural_key.dependencies = ["trivia.film", "trivia.person"]


@reversion.register()
class Topic(TimeStamped):
    name = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(max_length=140, unique=True)
    order = models.PositiveSmallIntegerField(default=100, help_text="Topics are shown in ascending order.")
    description = models.TextField(blank=True)

    objects = SlugNaturalKeyManager()

    class Meta:
        ordering = ["order", "name"]
        constraints = [models.CheckConstraint(condition=~Q(slug=""), name="topic_slug_not_empty")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("trivia:topic_detail", args=[self.slug])

    def natural_key(self):
        return (self.slug,)


@reversion.register(exclude=("lock_version",))
class Source(TimeStamped):
    """A document facts are drawn from, kept verbatim so quotes can be checked against it."""

    class Kind(models.TextChoices):
        TRIVIA_PAGE = "trivia-page", "Trivia page"
        BOOK = "book", "Book"
        ARTICLE = "article", "Article"
        INTERVIEW = "interview", "Interview"
        WEBSITE = "website", "Website"
        DOCUMENT = "document", "Document"

    title = models.CharField(max_length=300)
    slug = models.SlugField(max_length=220, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.DOCUMENT)
    url = models.URLField(max_length=500, blank=True, validators=[http_url_validator])
    author = models.CharField(max_length=200, blank=True)
    publisher = models.CharField(max_length=200, blank=True)
    accessed = models.DateField(null=True, blank=True, help_text="When the source was read or retrieved.")
    content = models.TextField(help_text="The verbatim text. Line endings are stored as \\n.")
    sha256 = models.CharField(
        "SHA-256", max_length=64, unique=True, editable=False,
        help_text="Fingerprint of the content; changes whenever the content does.",
    )  # fmt: skip
    # Optimistic locking: bumped on every save so a stale edit form can be refused.
    lock_version = models.PositiveIntegerField(default=1, editable=False)

    objects = SlugNaturalKeyManager()

    class Meta:
        ordering = ["title"]
        constraints = [
            models.CheckConstraint(condition=~Q(slug=""), name="source_slug_not_empty"),
            models.CheckConstraint(condition=Exact(Length("sha256"), 64), name="source_sha256_is_hex_digest"),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        # The fingerprint is part of the content's identity, so it can never drift from it.
        self.content = integrity.normalised_source_text(self.content)
        self.sha256 = integrity.source_fingerprint(self.content)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("trivia:source_detail", args=[self.slug])

    def natural_key(self):
        return (self.slug,)

    def clean(self):
        self.content = integrity.normalised_source_text(self.content)
        if not self.content.strip():
            raise ValidationError({"content": "A source needs some text."})

    def paragraphs(self) -> list[text.Paragraph]:
        return text.paragraphs(self.content)


def new_fact_key() -> str:
    """A short, URL-safe, random key; it is what a fact's permalink is built from."""
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"  # no look-alikes (l/1, o/0, i)
    return "".join(secrets.choice(alphabet) for _ in range(10))


class FactQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=Fact.Status.PUBLISHED)

    def visible_to(self, user):
        """Published facts for readers; drafts too for staff (`sees_drafts`), so editors can preview."""
        return self if sees_drafts(user) else self.published()


def sees_drafts(user) -> bool:
    return user is not None and user.is_active and user.is_staff


class FactManager(models.Manager.from_queryset(FactQuerySet)):
    def get_by_natural_key(self, key):
        return self.get(key=key)


@reversion.register(follow=("citations",), exclude=("lock_version", "search_document"))
class Fact(TimeStamped):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    key = models.SlugField(
        max_length=64, unique=True, default=new_fact_key,
        help_text="Stable identifier used in the fact's permanent URL; never reused.",
    )  # fmt: skip
    film = models.ForeignKey(Film, on_delete=models.PROTECT, related_name="facts")
    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="facts")
    text = models.TextField(help_text="One claim, no more than its citations support.")
    people = models.ManyToManyField(Person, blank=True, related_name="facts", help_text="Who the fact mentions.")
    is_spoiler = models.BooleanField("spoiler", default=False, help_text="Reveals the plot or ending; shown collapsed.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    position = models.PositiveIntegerField(default=0, help_text="Order within its topic on the film page.")
    published_at = models.DateTimeField(  # set once, by trivia/publishing.py
        "first published", null=True, blank=True, editable=False, help_text="Kept if the fact goes back to draft."
    )
    # Optimistic locking: bumped on every save so a stale edit form can be refused.
    lock_version = models.PositiveIntegerField(default=1, editable=False)
    # Derived (trivia/search.py), so not serialised: rebuilt after a fixture load.
    search_document = models.TextField(blank=True, default="", editable=False, serialize=False)

    objects = FactManager()

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(text=""), name="fact_text_not_empty"),
            models.CheckConstraint(condition=~Q(key=""), name="fact_key_not_empty"),
            models.CheckConstraint(condition=Q(status__in=["draft", "published"]), name="fact_status_valid"),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(published_at__isnull=False), name="fact_published_has_published_at"
            ),
        ]
        indexes = [
            # The film page (one film's facts in topic order) and topic pages across films.
            models.Index(fields=["film", "status", "topic", "position"], name="fact_film_page_idx"),
            models.Index(fields=["topic", "status", "position"], name="fact_topic_page_idx"),
            models.Index(fields=["status", "updated_at"], name="fact_status_updated_idx"),
            # The feeds: newest first by first publication.
            models.Index(fields=["status", "published_at"], name="fact_status_published_idx"),
            # /facts/?topic=… without words: a topic's newest facts. With the index above alone, a topic of
            # four facts read every published fact newest first looking for them (29 ms at 100,000 facts).
            models.Index(fields=["topic", "status", "published_at"], name="fact_topic_newest_idx"),
        ]

    def __str__(self):
        return text.shorten(self.text, 70)

    def get_absolute_url(self):
        return reverse("trivia:fact_detail", args=[self.key])

    def natural_key(self):
        return (self.key,)

    @property
    def is_published(self):
        return self.status == self.Status.PUBLISHED


class CitationManager(models.Manager):
    def get_by_natural_key(self, fact_key, source_slug, start, end):
        return self.get(fact__key=fact_key, source__slug=source_slug, start=start, end=end)


@reversion.register()
class Citation(TimeStamped):
    """The exact passage of a source that supports a fact (`source.content[start:end] == quote`).

    A broken citation (its source changed under it) keeps its last good offsets and a reason.
    """

    fact = models.ForeignKey(Fact, on_delete=models.CASCADE, related_name="citations")
    # PROTECT: a source that facts cite cannot be deleted out from under them.
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="citations")
    quote = models.TextField(help_text="Paste the exact words from the source.")
    start = models.PositiveIntegerField(help_text="Offset of the first character of the quote.")
    end = models.PositiveIntegerField(help_text="Offset just past the last character of the quote.")
    # Derived from `start`, never typed: what "paragraph 3" in a locator says.
    paragraph = models.PositiveIntegerField(default=1, editable=False)
    is_broken = models.BooleanField(
        "broken",
        default=False,
        help_text="The source changed and this quote is no longer found exactly once.",
    )
    broken_reason = models.CharField(max_length=300, blank=True)

    objects = CitationManager()

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(condition=Q(start__lt=models.F("end")), name="citation_start_before_end"),
            models.CheckConstraint(
                condition=Exact(Length("quote"), models.F("end") - models.F("start")),
                name="citation_quote_length_matches_offsets",
            ),
            models.UniqueConstraint(fields=["fact", "source", "start", "end"], name="citation_unique_passage_per_fact"),
        ]
        indexes = [models.Index(fields=["source", "start"], name="citation_source_start_idx")]

    def __str__(self):
        return f"{self.source} — {self.locator}: {text.shorten(self.quote, 50)!r}"

    def save(self, *args, **kwargs):
        # Checked on every save, not only in forms: no code path may store a citation that
        # points at the wrong words (trivia/integrity.py holds the rule).
        self.clean()
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("trivia:source_detail", args=[self.source.slug]) + f"#{self.anchor}"

    def natural_key(self):
        return _key_of(self, "fact") + _key_of(self, "source") + (self.start, self.end)

    natural_key.dependencies = ["trivia.fact", "trivia.source"]

    @property
    def anchor(self) -> str:
        """The id of the highlighted passage on the source page."""
        return f"c{self.start}-{self.end}"

    @property
    def locator(self) -> str:
        return f"paragraph {self.paragraph}"

    def clean(self):
        if self.source_id is None:
            return
        content = self.source.content
        problems = integrity.citation_problems(self, content)
        if problems:
            raise ValidationError(problems)
        if self.start is not None:
            self.paragraph = integrity.paragraph_of(content, self.start)
