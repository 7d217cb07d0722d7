"""Rows as the API's JSON: plain dicts in the shapes `schemas.py` declares, from rows already loaded.

No function here queries: the endpoints load what these read (people, citations and
their sources' titles for a page of facts; credits for a film) up front.
"""

from .. import annotations
from ..models import Citation, Credit, Fact, Film, Person, Source, Topic
from ..structured_data import is_web_url
from . import links


def film_ref(film: Film) -> dict:
    return {
        "slug": film.slug,
        "title": film.title,
        "year": film.year,
        "api_url": links.api("film_detail", slug=film.slug),
    }


def person_ref(person: Person) -> dict:
    return {
        "slug": person.slug,
        "name": person.name,
        "kind": person.kind,
        "api_url": links.api("person_detail", slug=person.slug),
    }


def topic_ref(topic: Topic) -> dict:
    return {"slug": topic.slug, "name": topic.name, "api_url": links.api("topic_detail", slug=topic.slug)}


def source_ref(source: Source) -> dict:
    return {"slug": source.slug, "title": source.title, "api_url": links.api("source_detail", slug=source.slug)}


def film(film: Film) -> dict:
    return {
        **film_ref(film),
        "description": film.description,
        "page_url": links.page(film),
        "facts_url": links.api_query("fact_list", film=film.slug),
        "feed_url": links.feed("film_feed", slug=film.slug),
    }


def credit_role(credit: Credit) -> dict:
    return {"role": credit.role, "role_label": credit.get_role_display(), "character": credit.character}


def film_detail(film_row: Film, credits: list[Credit]) -> dict:
    return {**film(film_row), "credits": [{"person": person_ref(c.person), **credit_role(c)} for c in credits]}


def person(person: Person) -> dict:
    return {
        **person_ref(person),
        "description": person.description,
        "page_url": links.page(person),
        "facts_url": links.api_query("fact_list", person=person.slug),
        "feed_url": links.feed("person_feed", slug=person.slug),
    }


def person_detail(person_row: Person, credits: list[Credit]) -> dict:
    return {**person(person_row), "credits": [{"film": film_ref(c.film), **credit_role(c)} for c in credits]}


def topic(topic: Topic) -> dict:
    return {
        **topic_ref(topic),
        "order": topic.order,
        "description": topic.description,
        "page_url": links.page(topic),
        "facts_url": links.api_query("fact_list", topic=topic.slug),
        "feed_url": links.feed("topic_feed", slug=topic.slug),
    }


def source(source: Source, length: int) -> dict:
    """A source without its text (`source_detail` adds it): a list of 100 sources stays light."""
    return {
        **source_ref(source),
        "kind": source.kind,
        "author": source.author,
        "publisher": source.publisher,
        # Only web addresses, as on the source page: a `javascript:` URL is never handed on as a link.
        "original_url": source.url if is_web_url(source.url) else None,
        "accessed": source.accessed,
        "sha256": source.sha256,
        "length": length,
        "page_url": links.page(source),
        "facts_url": links.api_query("fact_list", source=source.slug),
        "annotations_url": links.api("source_annotations", slug=source.slug),
    }


def source_detail(source_row: Source) -> dict:
    return {**source(source_row, len(source_row.content)), "text": source_row.content}


def annotation_url(fact_key: str, citation: Citation) -> str:
    return links.api(
        "citation_annotation", key=fact_key, source=citation.source.slug, start=citation.start, end=citation.end
    )


def citation(fact: Fact, citation: Citation) -> dict:
    return {
        "source": source_ref(citation.source),
        "quote": citation.quote,
        "start": citation.start,
        "end": citation.end,
        "paragraph": citation.paragraph,
        "locator": citation.locator,
        "source_page_url": links.absolute(citation.get_absolute_url()),
        "is_broken": citation.is_broken,
        "broken_reason": citation.broken_reason,
        # A broken citation's offsets no longer hold its quote: no annotation points at them.
        "annotation_url": None if citation.is_broken else annotation_url(fact.key, citation),
    }


def fact(fact: Fact) -> dict:
    """A published fact with its film, topic, people and citations (all prefetched)."""
    return {
        "key": fact.key,
        "text": fact.text,
        "film": film_ref(fact.film),
        "topic": topic_ref(fact.topic),
        "people": [person_ref(p) for p in fact.people.all()],
        "is_spoiler": fact.is_spoiler,
        "published_at": fact.published_at,
        "updated_at": fact.updated_at,
        "permalink": links.page(fact),
        "api_url": links.api("fact_detail", key=fact.key),
        "annotations_url": links.api("fact_annotations", key=fact.key),
        "citations": [citation(fact, c) for c in fact.citations.all()],
    }


def annotation(citation: Citation, fact_key: str, content: str) -> dict:
    """A sound citation as a W3C Web Annotation (trivia/annotations.py); `content` is its source's text."""
    return annotations.citation_annotation(
        citation,
        content=content,
        annotation_id=annotation_url(fact_key, citation),
        source_page=links.page(citation.source),
        permalink=links.absolute(Fact(key=fact_key).get_absolute_url()),
        site=links.absolute("/"),
    )
