"""A reader checking a fact, in a real browser: note → passage → back, spoilers, and the note previews.

The click-through must work without JavaScript (the link carries the fact and the way
back; CSS `:target` picks out the passage), so the main journey runs both ways.
"""

import re

import pytest
from playwright.sync_api import expect

from trivia.models import Source

pytestmark = pytest.mark.django_db(transaction=True)

FILM = "/films/the-red-shoes-1948/"
SOURCE = "/sources/the-red-shoes-1948-trivia/"
TRANSPARENT = "rgba(0, 0, 0, 0)"


def background(locator) -> str:
    return locator.evaluate("el => getComputedStyle(el).backgroundColor")


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_a_note_opens_its_passage_named_and_picked_out_and_leads_back_to_the_fact(
    live_server, browser, seeded, javascript
):
    context = browser.new_context(java_script_enabled=javascript)
    page = context.new_page()
    try:
        page.goto(live_server.url + FILM)
        page.locator("#ref-8").get_by_role("link", name="Trivia notes, ¶1").click()

        expect(page).to_have_url(re.compile(r"\?for=rank-tried-to-bury-it&note=8&from=film#c\d+-\d+$"))
        banner = page.locator("aside.cited-for")
        expect(banner).to_have_text(re.compile(r"^\s*Cited for: Rank tried to bury the film.*back to The Red Shoes"))
        expect(banner).to_be_in_viewport()  # it stays at the top while the page scrolls to the passage
        target = page.locator("mark:target")
        expect(target).to_have_text("by just letting it quietly show at late screenings at a cinema in London")
        expect(target).to_be_in_viewport()
        # The passage stands out; the fact's other passage is marked more lightly; the rest only underlined.
        other_of_fact = page.locator("mark.is-cited-for:not(:target)")
        expect(other_of_fact).to_have_text("It tried to bury the film by not giving it a premiere")
        unrelated = page.locator("mark.citation:not(.is-cited-for)").first
        assert len({background(target), background(other_of_fact), background(unrelated)}) == 3
        assert background(unrelated) == TRANSPARENT
        assert target.evaluate("el => el.getBoundingClientRect().top") > banner.evaluate(
            "el => el.getBoundingClientRect().bottom"
        )

        banner.get_by_role("link", name="— back to The Red Shoes (1948) [8]").click()
        expect(page).to_have_url(live_server.url + FILM + "#fact-rank-tried-to-bury-it")
        fact = page.locator("#fact-rank-tried-to-bury-it")
        expect(fact).to_be_in_viewport()
        assert fact.evaluate("el => el.matches(':target')")
    finally:
        context.close()


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_spoilers_on_the_source_page_open_only_for_a_reader_who_came_from_one(live_server, browser, seeded, javascript):
    context = browser.new_context(java_script_enabled=javascript)
    page = context.new_page()
    try:
        page.goto(live_server.url + SOURCE)
        complaint = page.get_by_text("When people complained to Hein Heckroth")
        expect(complaint).to_be_hidden()
        expect(page.get_by_text("There is a frequent complaint")).to_be_hidden()
        page.locator("#p6 summary").click()
        expect(complaint).to_be_visible()
        # Opened, it reads word for word as the source does (the back arrows aside).
        words = page.locator("#p6 .source-words").evaluate(
            "el => { const c = el.cloneNode(true); c.querySelectorAll('sup').forEach(s => s.remove()); "
            "return c.textContent; }"
        )
        assert words == Source.objects.get(slug="the-red-shoes-1948-trivia").paragraphs()[5].text

        # A note that is not a spoiler's: the passage shows, the spoiler around it does not.
        page.goto(live_server.url + FILM)
        page.locator("#ref-23").get_by_role("link", name="Trivia notes, ¶6").click()
        expect(page.locator("mark:target")).to_be_in_viewport()
        expect(page.locator("mark:target")).to_contain_text("the ballerina had her feet hacked off")
        expect(page.get_by_text("When people complained to Hein Heckroth")).to_be_hidden()

        # A spoiler's note: its paragraph opens on arrival.
        page.goto(live_server.url + FILM)
        page.locator("#topic-the-ending ~ details summary").click()
        quote = page.locator("#ref-22 q")
        expect(quote).to_be_hidden()  # a note quoting only a spoiler stays folded too
        page.locator("#ref-22 summary").click()
        expect(quote).to_be_visible()
        page.locator("#ref-22").get_by_role("link", name="Trivia notes, ¶6").click()
        target = page.locator("mark:target")
        expect(target).to_have_text(re.compile(r"^When people complained to Hein Heckroth about the grim ending"))
        expect(target).to_be_in_viewport()

        # Back: the fact sits inside the ending's folded spoilers, which open to show it.
        page.locator("aside.cited-for a").click()
        expect(page).to_have_url(re.compile(r"#fact-heckroth-defends-grim-ending$"))
        expect(page.locator("#fact-heckroth-defends-grim-ending")).to_be_in_viewport()
    finally:
        context.close()


def test_hovering_or_tapping_a_note_marker_shows_its_quote(live_server, browser, seeded, problems):
    page = browser.new_page()
    problems.watch(page)
    page.goto(live_server.url + FILM)
    marker = page.locator("#cite-over-budget-1")

    marker.hover()
    preview = page.get_by_role("tooltip")
    expect(preview).to_have_text("[1] Trivia notes, ¶1: The film went massively over budget")
    assert marker.get_attribute("aria-describedby") == "fn-preview"
    page.keyboard.press("Escape")
    expect(preview).to_have_count(0)
    page.close()

    phone = browser.new_context(viewport={"width": 375, "height": 800}, has_touch=True, is_mobile=True)
    page = phone.new_page()
    page.goto(live_server.url + FILM)
    page.locator("#cite-over-budget-1").tap()
    expect(page.get_by_role("tooltip")).to_contain_text("The film went massively over budget")
    assert not page.url.endswith("#ref-1")  # the first tap shows the note in place
    page.locator("#cite-over-budget-1").tap()
    expect(page).to_have_url(re.compile(r"#ref-1$"))  # the second follows the link
    phone.close()
    problems.assert_none()
