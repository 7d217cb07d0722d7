"""An editor's day in the admin, in a real browser, from log-in to revert.

Log in through the admin's form as an editor (an Editors-group account, as
`manage.py create_editor` makes), correct a fact's text, add a citation by pasting a
quote, publish a draft, see both on the public film page, then revert the correction
from the fact's history. Meanwhile a second browser context that opened the same fact
before the correction tries to save over it and is refused, with nothing written.
"""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import log_in_through_the_form
from tests.factories import CitationFactory, FactFactory
from trivia.models import Fact, Source, Topic

pytestmark = pytest.mark.django_db(transaction=True)

ORIGINAL_TEXT = "The film went massively over budget."
CORRECTED_TEXT = "The film went massively over its budget."
# Part of a passage another fact cites, so on the film page it is a reference of its own.
PASTED_QUOTE = "audiences started to pick up on the film"
DRAFT_TEXT = "Rank's company tried to bury the film by not giving it a premiere."


@pytest.fixture
def draft_fact(red_shoes):
    source = Source.objects.get(slug="the-red-shoes-1948-trivia")
    fact = FactFactory(
        film=red_shoes, topic=Topic.objects.get(slug="release-and-distribution"), text=DRAFT_TEXT, status="draft"
    )
    CitationFactory(fact=fact, source=source, quote="It tried to bury the film by not giving it a premiere")
    return fact


def paste(page, locator, text):
    """Put `text` on the clipboard and paste it into the field with Ctrl+V, as an editor does."""
    page.evaluate("text => navigator.clipboard.writeText(text)", text)
    locator.focus()
    page.keyboard.press("ControlOrMeta+V")


def choose_autocomplete(page, select_id, typed, option_text):
    """Pick an option in one of the admin's autocomplete (select2) widgets."""
    page.locator(f"#{select_id} + .select2 .select2-selection").click()
    # Opening fetches a first page of options; typing before it arrives would send a
    # second request alongside it.
    expect(page.locator(".select2-results__option").first).to_be_visible()
    page.locator(".select2-container--open .select2-search__field").fill(typed)
    page.locator(".select2-results__option", has_text=option_text).click()


def test_editor_corrects_cites_publishes_and_reverts_while_a_stale_save_is_refused(
    live_server, browser, page, problems, editor, draft_fact
):
    fact = Fact.objects.get(key="over-budget")
    change_url = f"{live_server.url}/admin/trivia/fact/{fact.pk}/change/"
    log_in_through_the_form(page, live_server, editor.username)

    # A second editor session opens the same fact before the correction is saved.
    other_context = browser.new_context()
    other = other_context.new_page()
    try:
        log_in_through_the_form(other, live_server, editor.username)
        other.goto(change_url)

        # Correct the text and add a citation by pasting a quote from the source.
        page.goto(change_url)
        page.get_by_label("Text:").fill(CORRECTED_TEXT)
        choose_autocomplete(page, "id_citations-1-source", "trivia notes", "The Red Shoes (1948): trivia notes")
        paste(page, page.locator("#id_citations-1-quote"), PASTED_QUOTE)
        page.get_by_role("button", name="Save and continue editing").click()

        expect(page.locator(".messagelist .success")).to_contain_text("was changed successfully")
        expect(page.get_by_label("Text:")).to_have_value(CORRECTED_TEXT)
        # The form found the pasted words in the source and shows them in context.
        expect(page.locator(".cited-passage").nth(1)).to_contain_text("Paragraph 1")
        expect(page.locator("mark", has_text=PASTED_QUOTE)).to_be_visible()

        # The stale session saves its own edit: refused, with the editor's input kept.
        other.get_by_label("Text:").fill("A stale edit that must not land.")
        other.get_by_role("button", name="Save", exact=True).click()
        expect(other.locator(".errornote, .errorlist").first).to_be_visible()
        expect(other.get_by_text(re.compile("Someone else saved this fact after you opened it"))).to_be_visible()
        expect(other.get_by_label("Text:")).to_have_value("A stale edit that must not land.")
    finally:
        other_context.close()
    fact.refresh_from_db()
    assert fact.text == CORRECTED_TEXT
    assert fact.citations.filter(quote=PASTED_QUOTE).exists()

    # Publish the draft from the fact list.
    page.goto(f"{live_server.url}/admin/trivia/fact/?status__exact=draft")
    page.get_by_role("row", name=re.compile("bury the film")).get_by_role("checkbox").check()
    page.get_by_label("Action:").select_option(label="Publish selected facts")
    page.get_by_role("button", name="Run").or_(page.get_by_role("button", name="Go")).click()
    expect(page.locator(".messagelist .success")).to_contain_text("Published: 1 fact(s).")

    # Readers see the corrected text, the new citation and the published draft.
    page.goto(f"{live_server.url}/films/the-red-shoes-1948/")
    expect(page.get_by_text(CORRECTED_TEXT)).to_be_visible()
    expect(page.get_by_text(DRAFT_TEXT)).to_be_visible()
    expect(page.locator(".references").get_by_text(PASTED_QUOTE, exact=True)).to_have_count(1)

    # Revert the correction from the fact's history: the oldest version is the seeded one.
    page.goto(f"{change_url.removesuffix('change/')}history/")
    page.locator("#change-history tbody tr").last.get_by_role("link").click()
    expect(page.get_by_label("Text:")).to_have_value(ORIGINAL_TEXT)
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist .success")).to_contain_text(f"“{ORIGINAL_TEXT}” was changed successfully")

    page.goto(f"{live_server.url}/films/the-red-shoes-1948/")
    expect(page.get_by_text(ORIGINAL_TEXT)).to_be_visible()
    expect(page.get_by_text(CORRECTED_TEXT)).to_have_count(0)
    expect(page.locator(".references").get_by_text(PASTED_QUOTE, exact=True)).to_have_count(0)

    problems.assert_none()
