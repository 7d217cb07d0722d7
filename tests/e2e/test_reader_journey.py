"""A reader's visit in a real browser, the way the issue describes it.

Home → the film page → open the ending's spoilers → follow a footnote to the highlighted
passage on the source page and come back → search for a name → filter by topic → page through
the results → open a fact's permalink → copy its "Cite this fact" text.
"""

import re

import pytest
from playwright.sync_api import expect

from tests.factories import CitationFactory, FactFactory
from trivia.models import Person, Source, Topic

pytestmark = pytest.mark.django_db(transaction=True)

SEARCH_PAGE_SIZE = 25


@pytest.fixture
def many_shearer_facts(red_shoes):
    """Enough off-screen facts about Moira Shearer that her search results run to two pages."""
    shearer = Person.objects.get(slug="moira-shearer")
    off_screen = Topic.objects.get(slug="off-screen")
    source = Source.objects.get(slug="the-red-shoes-1948-trivia")
    for number in range(1, SEARCH_PAGE_SIZE + 6):
        fact = FactFactory(
            film=red_shoes,
            topic=off_screen,
            text=f"Moira Shearer anecdote number {number} for the reader journey.",
            position=100 + number,
            people=[shearer],
        )
        CitationFactory(fact=fact, source=source, quote="When Ludovic Kennedy saw Moira Shearer in this film")


def follow_the_first_note_to_its_passage_and_come_back(page):
    """Footnote → its note → the passage on the source page, named and highlighted → back."""
    fact = page.locator("#fact-over-budget")
    fact.locator("sup.fn a").first.click()
    expect(page).to_have_url(re.compile(r"#ref-1$"))
    page.locator("#ref-1").get_by_role("link", name="Trivia notes, ¶1").click()
    expect(page).to_have_url(
        re.compile(r"/sources/the-red-shoes-1948-trivia/\?for=over-budget&note=1&from=film#c\d+-\d+$")
    )
    expect(page.locator(".cited-for")).to_contain_text("Cited for: The film went massively over budget.")
    target = page.locator(":target")
    expect(target).to_have_text("The film went massively over budget")
    assert target.evaluate("el => el.tagName") == "MARK"
    expect(target).to_be_in_viewport()

    # ... and back to the film page, where the reader was.
    page.go_back()
    expect(page).to_have_url(re.compile(r"/films/the-red-shoes-1948/#ref-1$"))
    expect(page.locator("#ref-1")).to_be_in_viewport()


def test_reader_journey_from_home_page_to_a_copied_citation(live_server, page, problems, many_shearer_facts):
    # Home → film page.
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="The Red Shoes").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("The Red Shoes")

    # The ending's spoilers are folded behind one control until the reader opens it.
    spoilers = page.locator("#topic-the-ending ~ details.spoiler-group")
    spoiler_text = page.locator("#fact-heckroth-defends-grim-ending .fact-text")
    expect(spoiler_text).to_be_hidden()
    spoilers.locator("summary").click()
    expect(spoiler_text).to_be_visible()
    expect(spoiler_text).to_contain_text("feet hacked off")

    follow_the_first_note_to_its_passage_and_come_back(page)

    # Search for a name from the header's search box.
    page.get_by_role("searchbox", name="Search facts").first.fill("Shearer")
    page.get_by_role("searchbox", name="Search facts").first.press("Enter")
    expect(page).to_have_url(re.compile(r"/facts/\?q=Shearer"))
    results = page.locator("ol.search-results > li")
    expect(results).to_have_count(SEARCH_PAGE_SIZE)

    # Filter by topic.
    page.get_by_label("Topic").select_option(label="Off screen")
    page.get_by_role("button", name="Search", exact=True).last.click()
    expect(page).to_have_url(re.compile(r"topic="))
    expect(page.locator("#result-summary")).to_contain_text("Page 1 of 2")
    for meta in results.locator(".fact-meta").all():
        expect(meta).to_contain_text("Off screen")

    # Page through the results.
    first_page_texts = results.locator(".fact-text").all_text_contents()
    page.get_by_role("link", name="Next page").click()
    expect(page.locator("#result-summary")).to_contain_text("Page 2 of 2")
    second_page_texts = results.locator(".fact-text").all_text_contents()
    assert second_page_texts and not set(first_page_texts) & set(second_page_texts)

    # Open a fact's permalink and copy its "Cite this fact" text.
    first_result = results.first
    fact_text = first_result.locator(".fact-text").text_content()
    first_result.get_by_role("link", name="Permalink").click()
    expect(page).to_have_url(re.compile(r"/facts/[a-z0-9-]+/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text(fact_text)
    cite_text = page.get_by_label("Plain text to copy").input_value()
    assert page.url.removeprefix(live_server.url) in cite_text
    page.get_by_role("button", name="Copy citation").click()
    expect(page.get_by_role("button", name="Copied")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == cite_text

    problems.assert_none()
