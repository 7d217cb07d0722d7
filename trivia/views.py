"""Public pages. Thin: parse the request, call a selector, render.

Each `@public_page(reads=[…])` names the query parameters its page reads; any other
is dropped before the view runs (trivia/page_cache.py), so it can neither change the
page nor make a new page-cache entry.
"""

from functools import partial

from django.conf import settings
from django.shortcuts import get_object_or_404, render

from . import filters, fragments, page_renders, structured_data
from .freshness import public_page
from .models import Film, Person, Source, Topic
from .selectors import citing, clickthrough, facts, films, listings, search, sources
from .selectors.home import ORDERS, home_page
from .templatetags.site_urls import absolute


def _listed(page) -> list:
    """Every fact of a person's or topic's page, for one fragment-cache lookup (trivia/fragments.py)."""
    return [fact for group in page.groups for fact in group.facts + group.spoilers]


@public_page(reads=["order", "page"])
def home(request):
    page = home_page(request.GET.get("order"), request.GET.get("page"))

    def render_page():
        return render(request, "trivia/home.html", {"page": page, "orders": ORDERS})

    return page_renders.kept_or_rendered(request, page.inputs, render_page)


@public_page(reads=["page"])
def film_detail(request, slug):
    film = get_object_or_404(Film, slug=slug)
    raw_page = request.GET.get("page")
    credits = films.film_credits(film)
    toc = films.film_table_of_contents(film, request.user)

    def render_page():
        page = films.film_page(film, request.user, raw_page, toc)
        fragments.prefetch(
            [fact for section in page.sections for fact in section.facts + section.spoilers], page.references
        )
        data = structured_data.movie(film, credits, absolute(film.get_absolute_url()), absolute)
        context = {"film": film, "page": page, "credits": credits, "structured_data": structured_data.json_ld(data)}
        return render(request, "trivia/film_detail.html", context)

    inputs = partial(films.film_page_inputs, film, credits, toc, request.user, raw_page)
    return page_renders.kept_or_rendered(request, inputs, render_page)


@public_page()
def fact_detail(request, key):
    def render_page():
        # Drafts are simply not in a reader's queryset, so they 404 like a missing key.
        fact = get_object_or_404(facts.reading_facts(request.user), key=key)
        page = citing.fact_page(fact, settings.SITE_URL + fact.get_absolute_url())
        fragments.prefetch([], page.references)
        return render(request, "trivia/fact_detail.html", {"fact": fact, "page": page})

    return page_renders.kept_or_rendered(request, partial(facts.fact_inputs, request.user, key), render_page)


@public_page(reads=clickthrough.PARAMETERS)
def source_detail(request, slug):
    source = get_object_or_404(Source, slug=slug)

    def render_page():
        page = sources.source_page(source, request.user, request.GET)
        data = structured_data.creative_work(source, settings.SITE_URL + source.get_absolute_url())
        context = {"source": source, "page": page, "structured_data": structured_data.json_ld(data)}
        return render(request, "trivia/source_detail.html", context)

    return page_renders.kept_or_rendered(request, partial(sources.source_inputs, source, request), render_page)


@public_page(reads=["page"])
def person_detail(request, slug):
    person = get_object_or_404(Person, slug=slug)
    chosen = listings.person_facts(person, request.user, request.GET.get("page"))
    credits = listings.person_credits(person)

    def render_page():
        page = listings.person_page(person, chosen)
        fragments.prefetch(_listed(page), page.references, show_topic=True, page_person=True)
        data = structured_data.person(person, settings.SITE_URL + person.get_absolute_url())
        context = {"person": person, "page": page, "credits": credits, "structured_data": structured_data.json_ld(data)}
        return render(request, "trivia/person_detail.html", context)

    def inputs():
        rows = [page_renders.row(credit) + page_renders.row(credit.film) for credit in credits]
        return page_renders.row(person), rows, chosen.window.number, chosen.window.total, chosen.tokens()

    return page_renders.kept_or_rendered(request, inputs, render_page)


@public_page(reads=["page"])
def topic_detail(request, slug):
    topic = get_object_or_404(Topic, slug=slug)
    chosen = listings.topic_facts(topic, request.user, request.GET.get("page"))

    def render_page():
        page = listings.topic_page(topic, chosen)
        fragments.prefetch(_listed(page), page.references)
        return render(request, "trivia/topic_detail.html", {"topic": topic, "page": page})

    def inputs():
        return page_renders.row(topic), chosen.window.number, chosen.window.total, chosen.tokens()

    return page_renders.kept_or_rendered(request, inputs, render_page)


@public_page(reads=[*filters.FactFilter.base_filters, "page"])
def fact_list(request):
    """Search and filter the published facts; a value that cannot be used gets the form back with HTTP 400."""
    filterset = filters.FactFilter(request.GET)
    context = {"filter": filterset, "suggestions": search.name_suggestions(filterset)}
    if not filterset.is_valid():
        return render(request, "trivia/fact_list.html", {**context, "results": None}, status=400)
    chosen = search.choose_results(filterset, request.GET.get("page"))

    def render_page():
        results = search.search_results(filterset, chosen)
        canonical = filterset.canonical_query(results.window.number)
        return render(request, "trivia/fact_list.html", {**context, "results": results, "canonical": canonical})

    # The form shows the query (the path and query string are in the key), the names it suggests and its topics.
    def inputs():
        return context["suggestions"], search.form_inputs(filterset), chosen.inputs()

    return page_renders.kept_or_rendered(request, inputs, render_page)
