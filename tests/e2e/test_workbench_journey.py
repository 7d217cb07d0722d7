"""Editors in a real browser: a passage selected in the workbench becomes a cited draft; broken citations surface.

First journey: open the seed source's workbench, select words with the mouse across two cited
passages and their ↩ links, choose "New fact from selection", write the claim, pick a topic and
save: the draft cites exactly the selected words, and the editor is back at the paragraph.

Second journey: an edit of the source that would break a published fact's citation is held;
confirmed, it breaks it, and the editorial queue, the fact list's badge, the fact page's banner
and the workbench all point at it.
"""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import log_in_through_the_form
from trivia.models import Citation, Fact, Source

pytestmark = pytest.mark.django_db(transaction=True)

SOURCE_SLUG = "the-red-shoes-1948-trivia"
SELECTED = "six weeks to shoot and employed over 120 paintings"
CLAIM = "Shooting the title ballet took six weeks and used more than 120 paintings."


def drag_select(page, container, first_words, last_words):
    """Select from the first character of `first_words` to the last of `last_words` by dragging the mouse."""
    start, end = page.evaluate(
        """([selector, first, last]) => {
            const root = document.querySelector(selector);
            root.scrollIntoView({block: "center"});
            const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
            const box = (node, offset) => {
                const range = document.createRange();
                range.setStart(node, offset);
                range.setEnd(node, offset + 1);
                const rect = range.getBoundingClientRect();
                return [rect.left, rect.top + rect.height / 2, rect.width];
            };
            let start = null, end = null, node;
            while ((node = walker.nextNode())) {
                const a = node.data.indexOf(first), b = node.data.indexOf(last);
                if (start === null && a >= 0) { const [x, y, w] = box(node, a); start = [x + w / 4, y]; }
                if (b >= 0) { const [x, y, w] = box(node, b + last.length - 1); end = [x + w * 0.9, y]; }
            }
            return [start, end];
        }""",
        [container, first_words, last_words],
    )
    page.mouse.move(*start)
    page.mouse.down()
    page.mouse.move((start[0] + end[0]) / 2, end[1], steps=5)
    page.mouse.move(*end, steps=5)
    page.mouse.up()


def settled(page):
    """Wait until the browser has no request in flight: live_server shares the test's SQLite connection."""
    page.wait_for_load_state("networkidle")


def test_a_selected_passage_becomes_a_draft_citing_exactly_it(live_server, page, problems, seeded, editor):
    source = Source.objects.get(slug=SOURCE_SLUG)
    film_id = Fact.objects.get(key="over-budget").film_id
    log_in_through_the_form(page, live_server, editor.username)
    page.goto(f"{live_server.url}/admin/trivia/source/")
    page.get_by_role("link", name=f"Open the workbench of {source.title}").click()
    expect(page.get_by_role("heading", name=f"Workbench: {source.title}")).to_be_visible()
    expect(page.locator("#wb-film")).to_have_value(str(film_id))

    drag_select(page, "#p2 .wb-passage", "six weeks", "120 paintings")
    panel = page.locator("#wb-selection")
    expect(panel).to_be_visible()
    expect(panel).to_contain_text(f"“{SELECTED}”")
    panel.get_by_role("button", name="New fact from selection").click()

    expect(page.get_by_role("heading", name="New fact from a selected passage")).to_be_visible()
    expect(page.locator("#id_citations-0-quote")).to_have_value(SELECTED)
    page.get_by_label("Text:").fill(CLAIM)
    page.get_by_label("Topic:").select_option(label="Production")
    page.get_by_role("button", name="Save", exact=True).click()

    expect(page).to_have_url(re.compile(r"/admin/trivia/source/\d+/workbench/\?paragraph=2&film=\d+#p2$"))
    expect(page.locator(".messagelist .success")).to_contain_text("was added successfully")
    expect(page.locator("#p2 .wb-citing")).to_contain_text(CLAIM[:60])
    settled(page)
    fact = Fact.objects.get(text=CLAIM)
    citation = fact.citations.get()
    assert fact.status == Fact.Status.DRAFT
    assert citation.quote == SELECTED
    assert (citation.start, citation.end) == (source.content.index(SELECTED), source.content.index(SELECTED) + 50)
    assert fact.key == "shooting-ballet-120-paintings"  # readable, made from the text
    problems.assert_none()


def test_a_held_source_edit_then_the_queue_badge_banner_and_workbench_point_at_the_broken_citation(
    live_server, page, problems, seeded, editor
):
    source = Source.objects.get(slug=SOURCE_SLUG)
    log_in_through_the_form(page, live_server, editor.username)
    expect(page.locator(".editorial-queue")).to_contain_text("0 facts with broken citations")

    page.goto(f"{live_server.url}/admin/trivia/source/{source.pk}/change/")
    content = page.locator("#id_content")
    content.fill(content.input_value().replace("careful cutting and use of wires", "clever editing"))
    page.get_by_role("button", name="Save", exact=True).click()
    hold = page.locator(".ed-hold")
    expect(hold.get_by_role("heading", level=2)).to_contain_text("1 citation of published facts would break")
    expect(hold).to_contain_text("The dancing newspaper was achieved through careful cutting and the use of wires.")
    settled(page)
    assert "clever editing" not in Source.objects.get(pk=source.pk).content
    hold.get_by_role("button", name="Save the new text and break these citations").click()
    expect(page.locator(".messagelist .warning").first).to_contain_text("1 marked broken")

    page.goto(f"{live_server.url}/admin/")
    page.get_by_role("link", name=re.compile("1 fact with broken citations")).click()
    row = page.get_by_role("row", name=re.compile("dancing newspaper"))
    expect(row.locator(".ed-badge-attention")).to_have_text("needs attention")
    row.get_by_role("link", name=re.compile("dancing newspaper")).click()

    banner = page.locator(".ed-banner")
    expect(banner).to_contain_text("This fact needs attention: 1 broken citation")
    expect(banner).to_contain_text("The quote no longer occurs in the source.")
    banner.get_by_role("link", name=re.compile("paragraph 2")).click()
    expect(page).to_have_url(re.compile(r"/workbench/\?paragraph=2#p2$"))
    expect(page.locator("#p2 .wb-broken-here")).to_contain_text("dancing newspaper")
    settled(page)
    broken = Citation.objects.get(is_broken=True)
    assert broken.fact.key == "dancing-newspaper"
    problems.assert_none()
