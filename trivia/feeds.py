"""Atom feeds of newly published facts: the whole site, and per film, person and topic.

Newest first by first publication (`Fact.published_at`, which republishing never moves,
so an entry never comes back as new), the latest 50. Each entry's id is the fact's
permalink, which never changes; the feed's id is its own address. Every address comes
from `SITE_URL`, never the Host header (the feeds are cached under their ETags like
every public page).

A spoiler's entry does not give the ending away: its title and summary say it is a
spoiler about the film and link to the fact, as the fact page's own title does.
Stored text is made safe for XML 1.0 (control characters become U+FFFD), so no fact
can make a feed fail or come out malformed.
"""

import re

from django.contrib.syndication.views import Feed
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import format_html, format_html_join

from . import text
from .freshness import public_page
from .models import Citation, Fact, Film, Person, Topic
from .templatetags.site_urls import absolute

ENTRIES = 50
# Characters XML 1.0 cannot carry at all: C0 controls but tab and newlines, surrogates, U+FFFE/U+FFFF.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_safe(value: str) -> str:
    return NOT_XML.sub("\ufffd", value)


def newest_facts(facts):
    """The latest published facts with what an entry shows (film, topic, people, citations' sources)."""
    citations = Citation.objects.select_related("source").only(
        "fact_id", "quote", "paragraph", "is_broken", "source__title", "source__slug"
    )
    return (
        facts.published()
        .select_related("film", "topic")
        .defer("search_document")
        .prefetch_related(
            Prefetch("people", queryset=Person.objects.only("id", "name", "slug")),
            Prefetch("citations", queryset=citations.order_by("pk")),
        )
        .order_by("-published_at", "-pk")[:ENTRIES]
    )


class NewFactsFeed(Feed):
    """Every newly published fact; subclasses narrow it to one film, person or topic."""

    feed_type = Atom1Feed
    language = "en-GB"
    author_name = "redshoes"

    def __call__(self, request, *args, **kwargs):
        response = super().__call__(request, *args, **kwargs)
        # The XML writer wrote the body in thousands of small pieces: joined, the page cache
        # keeps (and the server sends) one, instead of pickling and writing each.
        response.content = response.content
        return response

    def author_link(self):
        return absolute("/")

    def feed_url(self, obj):
        return absolute(reverse("trivia:facts_feed"))

    def feed_guid(self, obj):
        return self.feed_url(obj)

    def link(self, obj):
        return absolute(reverse("trivia:home"))

    def title(self, obj):
        return "redshoes: new film trivia, each fact with its source"

    def subtitle(self, obj):
        return "Facts newly published on redshoes, newest first; each cites the exact passage that supports it."

    def facts(self, obj):
        return Fact.objects.all()

    def items(self, obj):
        return newest_facts(self.facts(obj))

    def item_title(self, fact):
        if fact.is_spoiler:
            return xml_safe(f"A spoiler about {fact.film}")
        return xml_safe(text.shorten(fact.text, 100))

    def item_description(self, fact):
        """The entry's summary, as HTML (Atom `type="html"`): every stored string escaped."""
        if fact.is_spoiler:
            return xml_safe(
                format_html("<p>This fact about {} reveals the ending. Read it on its page.</p>", fact.film)
            )
        people = ", ".join(person.name for person in fact.people.all())
        where = format_html("{} · {}", fact.film, fact.topic) + (
            format_html(" · Mentions {}", people) if people else ""
        )
        sources = format_html_join(
            "",
            "<li>“{}” ({}, {})</li>",
            ((c.quote, c.source.title, c.locator) for c in fact.citations.all() if not c.is_broken),
        )
        html = format_html("<p>{}</p><p>{}</p>", fact.text, where)
        if sources:
            html += format_html("<p>Sources:</p><ul>{}</ul>", sources)
        return xml_safe(html)

    def item_link(self, fact):
        return absolute(fact.get_absolute_url())

    def item_guid(self, fact):
        # The permalink: a fact's key never changes, so neither does its entry's id.
        return self.item_link(fact)

    def item_pubdate(self, fact):
        return fact.published_at

    def item_updateddate(self, fact):
        return fact.updated_at

    def item_categories(self, fact):
        return [xml_safe(fact.topic.name)]


class ScopedFeed(NewFactsFeed):
    """The feed of one film, person or topic (`model`, by slug): the facts `fact_filter` names."""

    model = Film
    url_name = ""
    fact_filter = ""
    heading = ""  # str.format with `obj`
    blurb = ""

    def get_object(self, request, slug):
        return get_object_or_404(self.model, slug=slug)

    def facts(self, obj):
        return Fact.objects.filter(**{self.fact_filter: obj})

    def title(self, obj):
        return xml_safe("redshoes: " + self.heading.format(obj=obj))

    def subtitle(self, obj):
        return xml_safe(self.blurb.format(obj=obj))

    def link(self, obj):
        return absolute(obj.get_absolute_url())

    def feed_url(self, obj):
        return absolute(reverse(f"trivia:{self.url_name}", args=[obj.slug]))


class FilmFeed(ScopedFeed):
    model, url_name, fact_filter = Film, "film_feed", "film"
    heading = "new trivia about {obj}"
    blurb = "Facts about {obj} newly published on redshoes, newest first, each with its source."


class PersonFeed(ScopedFeed):
    model, url_name, fact_filter = Person, "person_feed", "people"
    heading = "new trivia mentioning {obj.name}"
    blurb = "Facts mentioning {obj.name} newly published on redshoes, newest first."


class TopicFeed(ScopedFeed):
    model, url_name, fact_filter = Topic, "topic_feed", "topic"
    heading = "new trivia under “{obj.name}”"
    blurb = "Facts under “{obj.name}” newly published on redshoes, across films, newest first."


# ETags, 304s and the page cache, as for every public page.
facts_feed = public_page()(NewFactsFeed())
film_feed = public_page()(FilmFeed())
person_feed = public_page()(PersonFeed())
topic_feed = public_page()(TopicFeed())
