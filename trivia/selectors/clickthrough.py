"""The click-through from a note to its passage: the link a note carries and the "Cited for" it opens.

A note's link names the fact it came from, the note's number and the page it is on
(`/sources/<slug>/?for=<fact key>&note=3&from=film.2#c10-42`). The source page then says
"Cited for: <fact> — back to <film> [3]" and links back to the fact's place on that page.
Nothing comes from cookies or the Referer, so the page stays the same for everyone who
follows the same link (the page cache and ETags key on the full path), and every value is
checked against the database: a fact that does not cite this source, a person the fact
does not mention or a malformed value gives the plain page.
"""

import re
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.db.models import OuterRef, Subquery
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.http import urlencode

from .. import pagination
from ..models import Fact, Source

# A page of the origin and a note number past these are not links the site writes.
MAX_ORIGIN_PAGE = 100_000
MAX_NOTE = 10_000
ORIGIN_KINDS = ("film", "person", "topic", "fact")
# The query parameters a click-through link carries (what the source page reads).
PARAMETERS = ("for", "note", "from")
SLUG = re.compile(r"[-a-zA-Z0-9_]{1,220}")
NUMBER = re.compile(r"[1-9][0-9]{0,5}")


@dataclass(frozen=True)
class Origin:
    """The page a note is on: a film's (its fact's film), a person's, a topic's, or the fact's own page."""

    kind: str
    slug: str = ""  # the person or topic
    page: int = 1

    @property
    def token(self) -> str:
        """`film`, `film.2`, `person.hein-heckroth`, `topic.production.3`, `fact`."""
        parts = [self.kind, self.slug] if self.slug else [self.kind]
        if self.page > 1:
            parts.append(str(self.page))
        return ".".join(parts)

    @classmethod
    def parse(cls, token: str) -> "Origin | None":
        parts = (token or "").split(".")
        kind, rest = parts[0], parts[1:]
        if kind not in ORIGIN_KINDS:
            return None
        slug = ""
        if kind in ("person", "topic"):
            if not rest or not SLUG.fullmatch(rest[0]):
                return None
            slug, rest = rest[0], rest[1:]
        page = 1
        if rest and kind != "fact" and NUMBER.fullmatch(rest[0]) and 1 < int(rest[0]) <= MAX_ORIGIN_PAGE:
            page, rest = int(rest[0]), rest[1:]
        return None if rest else cls(kind, slug, page)

    def url(self, fact: Fact) -> str:
        """The origin page's address (without the fragment)."""
        if self.kind == "film":
            path = fact.film.get_absolute_url()
        elif self.kind == "person":
            path = reverse("trivia:person_detail", args=[self.slug])
        elif self.kind == "topic":
            path = reverse("trivia:topic_detail", args=[self.slug])
        else:
            path = fact.get_absolute_url()
        return path if self.page == 1 else f"{path}?page={self.page}"


def origin_for(kind: str, window: pagination.PageWindow | None = None, slug: str = "") -> Origin:
    return Origin(kind, slug, window.number if window else 1)


@lru_cache(maxsize=4096)
def _source_path(slug: str, prefix: str, urlconf) -> str:
    # A page's notes cite a few sources many times: reverse() once per source, not once per note
    # (~100 calls on a film page). The prefix and URLconf are part of the key, so a test or a
    # request that changes either gets its own entries.
    return reverse("trivia:source_detail", args=[slug], urlconf=urlconf)


def passage_url(citation, fact: Fact, note: int, origin: Origin) -> str:
    """The click-through address of note `note` (cited by `fact`) on the `origin` page."""
    query = urlencode({"for": fact.key, "note": note, "from": origin.token})
    path = _source_path(citation.source.slug, get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF)
    return f"{path}?{query}#{citation.anchor}"


@dataclass(frozen=True)
class CitedFor:
    """What the source page says on arrival from a note: the fact, and the way back to it."""

    fact: Fact
    note: int
    back_url: str
    back_to: str  # "The Red Shoes (1948)", "Hein Heckroth", "Production", "the fact"


def cited_for(source: Source, user, params) -> CitedFor | None:
    """The "Cited for" of a source page request, or None for the plain page.

    One query (the fact, its film and topic, and the person `from` names), only when the
    parameters are well formed.
    """
    key, note, origin = params.get("for", ""), params.get("note", ""), Origin.parse(params.get("from", ""))
    if not (origin and SLUG.fullmatch(key) and NUMBER.fullmatch(note) and int(note) <= MAX_NOTE):
        return None
    facts = Fact.objects.visible_to(user).filter(key=key, citations__source=source).select_related("film", "topic")
    if origin.kind == "person":
        mentioned = Fact.people.through.objects.filter(fact=OuterRef("pk"), person__slug=origin.slug)
        facts = facts.annotate(person_name=Subquery(mentioned.values("person__name")[:1]))
    fact = facts.only("key", "text", "is_spoiler", "status", "film__slug", "film__title", "film__year",
                      "topic__slug", "topic__name").first()  # fmt: skip
    if fact is None:
        return None
    back_to = {"film": str(fact.film), "topic": fact.topic.name, "fact": "the fact"}.get(origin.kind)
    if origin.kind == "person":
        back_to = fact.person_name
    if not back_to or (origin.kind == "topic" and fact.topic.slug != origin.slug):
        return None
    return CitedFor(fact, int(note), f"{origin.url(fact)}#fact-{fact.key}", back_to)
