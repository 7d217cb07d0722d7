"""`/api/`: the open-data API explained to people, with examples taken from the live data."""

import json

from django.core.serializers.json import DjangoJSONEncoder
from django.shortcuts import render

from ..freshness import public_page
from ..models import Film, Source
from ..selectors import facts as reading
from . import links, represent
from .catalogue import DEFAULT_LIMIT, MAX_LIMIT


def pretty(document) -> str:
    return json.dumps(document, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False)


def example_fact():
    """The newest published fact that is not a spoiler, with what `represent.fact` reads."""
    return reading.reading_facts(None).filter(is_spoiler=False).order_by("-published_at", "-pk").first()


@public_page()
def api_guide(request):
    fact = example_fact()
    film = fact.film if fact else Film.objects.order_by("title", "year").first()
    source = fact.citations.all()[0].source if fact and fact.citations.all() else Source.objects.first()
    examples = {
        "index": links.api("index"),
        "facts": links.api("fact_list"),
        "films": links.api("film_list"),
        "openapi": links.api("openapi-json"),
        "site_feed": links.feed("facts_feed"),
    }
    if film:
        examples["film"] = links.api("film_detail", slug=film.slug)
        examples["film_facts"] = links.api_query("fact_list", film=film.slug, limit=5)
        examples["film_feed"] = links.feed("film_feed", slug=film.slug)
    if fact:
        examples["fact"] = links.api("fact_detail", key=fact.key)
        examples["fact_annotations"] = links.api("fact_annotations", key=fact.key)
        examples["fact_json"] = pretty(represent.fact(fact))
        citation = next((c for c in fact.citations.all() if not c.is_broken), None)
        if citation is not None:
            citation.source = Source.objects.get(pk=citation.source_id)  # the annotation quotes its text
            examples["annotation_json"] = pretty(represent.annotation(citation, fact.key, citation.source.content))
    if source:
        examples["source"] = links.api("source_detail", slug=source.slug)
        examples["source_annotations"] = links.api("source_annotations", slug=source.slug)
    examples["search"] = links.api_query("fact_list", q="ballet", ordering="film")
    examples["bad"] = links.api_query("fact_list", film="no-such-film")
    return render(
        request,
        "trivia/api.html",
        {"examples": examples, "default_limit": DEFAULT_LIMIT, "max_limit": MAX_LIMIT},
    )
