"""Hostile text stored in every field that reaches a page runs nothing and shows literally.

One film's worth of data is built from a corpus of attack strings: script tags,
attribute breakers, `</script>` aimed at the JSON-LD blocks, Django template syntax,
javascript: URLs, very long unbroken text and control characters. Chromium then visits
every page type (and the admin) and the test asserts what a reader would notice:
no dialog opened, no script error or policy violation in the console, the strings
appear as text exactly as typed, no `javascript:` link exists, the JSON-LD still
parses to the original values, and no page scrolls sideways.
"""

import json

import pytest

from tests.e2e.conftest import log_in_through_the_form
from trivia.models import Citation, Credit, Fact, Film, Person, Source, Topic

pytestmark = pytest.mark.django_db(transaction=True)

SCRIPT_TAG = '<script>alert("xss-script")</script>'
ATTRIBUTE_BREAKER = '"><img src=x onerror=alert("xss-attr")>'
SINGLE_QUOTE_BREAKER = "'><svg onload=alert('xss-svg')>"
JSON_LD_BREAKER = '</script><script>alert("xss-jsonld")</script>'
TEMPLATE_SYNTAX = '{{ 7|add:"7" }} {% now "Y" %} {# hidden? #}'
JAVASCRIPT_URL = 'javascript:alert("xss-url")'
LINK_MARKUP = '<a href="javascript:alert(1)">click me</a>'
CONTROL_CHARACTERS = "bell\x07 escape\x1b[31m right-to-left\u202eoverride zero\u200bwidth"
LONG_WORD = "Supercalifragilistic" * 60  # 1,200 characters with no place to break

CORPUS = [
    SCRIPT_TAG,
    ATTRIBUTE_BREAKER,
    SINGLE_QUOTE_BREAKER,
    JSON_LD_BREAKER,
    TEMPLATE_SYNTAX,
    JAVASCRIPT_URL,
    LINK_MARKUP,
    CONTROL_CHARACTERS,
    LONG_WORD,
]


def build_hostile_site():
    """Every text field a page shows, filled from the corpus. Returns the rows by role."""
    film = Film.objects.create(
        title=JSON_LD_BREAKER, year=1948, slug="hostile-1948", description=" ".join([SCRIPT_TAG, TEMPLATE_SYNTAX])
    )
    topic = Topic.objects.create(
        name=ATTRIBUTE_BREAKER, slug="hostile-topic", description=" ".join([SINGLE_QUOTE_BREAKER, CONTROL_CHARACTERS])
    )
    person = Person.objects.create(
        name=SINGLE_QUOTE_BREAKER, slug="hostile-person", description=" ".join([LINK_MARKUP, TEMPLATE_SYNTAX])
    )
    organisation = Person.objects.create(
        name=LONG_WORD[:200], slug="hostile-organisation", kind=Person.Kind.ORGANISATION, description=JSON_LD_BREAKER
    )
    Credit.objects.create(film=film, person=person, role=Credit.Role.DIRECTOR)
    Credit.objects.create(film=film, person=organisation, role=Credit.Role.DISTRIBUTOR)
    paragraphs = CORPUS
    source = Source(
        title=SCRIPT_TAG,
        slug="hostile-source",
        kind=Source.Kind.WEBSITE,
        url=JAVASCRIPT_URL,  # saved without full_clean: as a raw update or an old fixture could
        author=ATTRIBUTE_BREAKER,
        publisher=JSON_LD_BREAKER,
        content="\n\n".join(paragraphs),
    )
    source.save()
    facts = []
    for position, paragraph in enumerate(paragraphs):
        fact = Fact.objects.create(
            key=f"hostile-{position}",
            film=film,
            topic=topic,
            text=f"{paragraph} (fact {position})",
            status=Fact.Status.PUBLISHED,
            is_spoiler=position == 0,
            position=position,
        )
        fact.people.set([person, organisation])
        start = source.content.index(paragraph)
        Citation.objects.create(fact=fact, source=source, quote=paragraph, start=start, end=start + len(paragraph))
        facts.append(fact)
    return {
        "film": film,
        "topic": topic,
        "person": person,
        "organisation": organisation,
        "source": source,
        "facts": facts,
    }


def page_text(page) -> str:
    """All the text of the page as the browser parsed it (closed spoilers included)."""
    return page.evaluate("document.body.textContent")


def assert_shows_literally(page, strings):
    text = page_text(page)
    missing = [value for value in strings if value not in text]
    assert not missing, f"{page.url} does not show these literally: {missing!r}"


def assert_no_javascript_links(page):
    hrefs = page.eval_on_selector_all(
        "[href], [src], [action]",
        "els => els.map(e => e.getAttribute('href') || e.getAttribute('src') || e.getAttribute('action'))",
    )
    bad = [href for href in hrefs if href.strip().lower().startswith(("javascript:", "data:", "vbscript:"))]
    assert not bad, f"{page.url} links {bad!r}"


def assert_json_ld_parses(page, expected_values):
    blocks = page.eval_on_selector_all('script[type="application/ld+json"]', "els => els.map(e => e.textContent)")
    found = json.dumps([json.loads(block) for block in blocks], ensure_ascii=False)
    for value in expected_values:
        assert json.dumps(value, ensure_ascii=False)[1:-1] in found, f"{page.url} JSON-LD lost {value!r}"


def assert_fits_the_screen(page):
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    viewport_width = page.viewport_size["width"]
    assert scroll_width <= viewport_width, f"{page.url} is {scroll_width}px wide in a {viewport_width}px window"


def test_hostile_strings_run_nothing_and_show_literally_on_every_public_page(live_server, page, problems):
    site = build_hostile_site()
    film, topic, person, organisation, source = (site[k] for k in ("film", "topic", "person", "organisation", "source"))
    every_fact_text = [fact.text for fact in site["facts"]]
    pages = {
        "home": (film.get_absolute_url().rsplit("films/", 1)[0], [film.title, film.description]),
        "film": (film.get_absolute_url(), [film.title, film.description, topic.name, *every_fact_text, *CORPUS]),
        "fact": (
            site["facts"][1].get_absolute_url(),
            [film.title, topic.name, person.name, site["facts"][1].text, ATTRIBUTE_BREAKER],
        ),
        "spoiler fact": (site["facts"][0].get_absolute_url(), [site["facts"][0].text, SCRIPT_TAG]),
        "source": (source.get_absolute_url(), [source.title, source.author, source.publisher, JAVASCRIPT_URL, *CORPUS]),
        "person": (person.get_absolute_url(), [person.name, person.description, *every_fact_text]),
        "organisation": (organisation.get_absolute_url(), [organisation.name, organisation.description]),
        "topic": (topic.get_absolute_url(), [topic.name, topic.description, *every_fact_text]),
    }

    for name, (path, expected) in pages.items():
        response = page.goto(live_server.url + path)
        assert response.status == 200, f"{name}: {response.status}"
        assert_shows_literally(page, expected)
        assert_no_javascript_links(page)
        assert_fits_the_screen(page)
        # Spoilers open: text hidden in <details> must be just as inert once shown.
        for summary in page.locator("details > summary").all():
            summary.click()
        assert_fits_the_screen(page)

    page.goto(live_server.url + film.get_absolute_url())
    assert_json_ld_parses(page, [film.title, person.name])
    page.goto(live_server.url + source.get_absolute_url())
    assert_json_ld_parses(page, [source.title, source.publisher])
    # The javascript: address is shown as text, never as a link.
    assert page.get_by_role("link", name=JAVASCRIPT_URL, exact=True).count() == 0
    assert page.locator("dd", has_text=JAVASCRIPT_URL).count() == 1

    problems.assert_none()


def test_hostile_search_queries_are_echoed_as_text_and_results_show_literally(live_server, page, problems):
    site = build_hostile_site()

    # Results highlight the matched words with <mark>; the rest of the text stays text.
    page.goto(live_server.url + "/facts/?q=fact&spoilers=include")
    for summary in page.locator("details > summary").all():
        summary.click()
    assert_shows_literally(page, [fact.text for fact in site["facts"]] + CORPUS)
    assert_no_javascript_links(page)
    assert_fits_the_screen(page)

    for query in [SCRIPT_TAG, ATTRIBUTE_BREAKER, TEMPLATE_SYNTAX]:
        page.goto(live_server.url + "/facts/")
        page.get_by_role("searchbox").first.fill(query)
        page.get_by_role("searchbox").first.press("Enter")
        page.wait_for_load_state()

        assert page.get_by_role("searchbox").first.input_value() == query
        assert_no_javascript_links(page)

    problems.assert_none()


def test_hostile_strings_are_inert_in_the_admin(live_server, page, problems, editor):
    site = build_hostile_site()
    fact = site["facts"][2]
    log_in_through_the_form(page, live_server, editor.username)

    for path in [
        "/admin/trivia/fact/",
        f"/admin/trivia/fact/{fact.pk}/change/",
        f"/admin/trivia/source/{site['source'].pk}/change/",
        f"/admin/trivia/person/{site['person'].pk}/change/",
        f"/admin/trivia/fact/{fact.pk}/history/",
    ]:
        response = page.goto(live_server.url + path)
        assert response.status == 200, path
        assert_no_javascript_links(page)

    page.goto(f"{live_server.url}/admin/trivia/fact/{fact.pk}/change/")
    assert page.get_by_label("Text").input_value() == fact.text

    problems.assert_none()
