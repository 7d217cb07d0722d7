"""axe-core (the copy shipped in axe-playwright-python) finds no violations on any page type, light or dark.

Every public page type, the 404 page and the admin's fact change page are scanned in
Chromium with the site's real stylesheet and Content-Security-Policy, so contrast,
landmarks, labels, headings and target sizes (WCAG 2.2's 2.5.8, switched on explicitly)
are checked as a reader's browser renders them, in both colour schemes, with every
spoiler folded and then opened. The tap targets the issue named ([n] markers, back
links, ¶ permalinks) are also measured directly.
"""

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.e2e.conftest import log_in_through_the_form

pytestmark = pytest.mark.django_db(transaction=True)

AXE = Axe()
AXE_OPTIONS = {"resultTypes": ["violations"], "rules": {"target-size": {"enabled": True}}}

PUBLIC_PAGES = {
    "home": "/",
    "home by year": "/?order=year",
    "film": "/films/the-red-shoes-1948/",
    "fact permalink": "/facts/over-budget/",
    "spoiler permalink": "/facts/heckroth-defends-grim-ending/",
    "source": "/sources/the-red-shoes-1948-trivia/",
    "source, arriving from a note": "/sources/the-red-shoes-1948-trivia/?for=rank-tried-to-bury-it&note=8&from=film",
    "source, arriving from a spoiler": (
        "/sources/the-red-shoes-1948-trivia/?for=heckroth-defends-grim-ending&note=22&from=film"
    ),
    "person": "/people/hein-heckroth/",
    "topic": "/topics/the-ending/",
    "search results": "/facts/?q=ballet",
    "open data guide": "/api/",
    "search, a name to choose": "/facts/?person=moira",
    "404": "/facts/no-such-fact/",
}
STATUS = {"404": 404, "search, a name to choose": 400}
SCHEMES = ["light", "dark"]
# Links the issue found too small to tap: footnote markers, back-links, arrows, ¶ permalinks.
TAP_TARGETS = ".fn a, .backlinks a, a.backlink, a.permalink, a.back-link, a.paragraph-number, .jump-index a"


def assert_no_axe_violations(page):
    results = AXE.run(page, options=AXE_OPTIONS)
    assert results.violations_count == 0, f"{page.url}\n{results.generate_report()}"


def open_every_details(page):
    page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("path", PUBLIC_PAGES.values(), ids=PUBLIC_PAGES.keys())
def test_public_page_has_no_accessibility_violations(live_server, browser, problems, seeded, path, scheme):
    from trivia.models import Person

    Person.objects.create(name="Moira Lister", slug="moira-lister")  # so "moira" fits two people
    context = browser.new_context(color_scheme=scheme)
    page = problems.watch(context.new_page())
    url = live_server.url + path
    response = page.goto(url)

    expected_status = next((code for name, code in STATUS.items() if PUBLIC_PAGES[name] == path), 200)
    assert response.status == expected_status
    assert page.evaluate("matchMedia('(prefers-color-scheme: dark)').matches") == (scheme == "dark")
    assert_no_axe_violations(page)
    open_every_details(page)
    assert_no_axe_violations(page)
    problems.assert_none(expected_failed_loads=[url] if expected_status != 200 else [])
    context.close()


@pytest.mark.parametrize("width", [375, 1280])
def test_footnote_markers_back_links_and_permalinks_are_at_least_24_px(live_server, browser, seeded, width):
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    measured = 0
    for name in ("film", "fact permalink", "source, arriving from a note", "person", "topic", "search results"):
        page.goto(live_server.url + PUBLIC_PAGES[name])
        open_every_details(page)
        sizes = page.eval_on_selector_all(
            TAP_TARGETS,
            """els => els.filter(el => el.getClientRects().length).map(el => {
                const box = el.getBoundingClientRect();
                return [el.outerHTML.slice(0, 80), box.width, box.height];
            })""",
        )
        small = [size for size in sizes if size[1] < 24 or size[2] < 24]
        assert not small, f"{name}: {small}"
        measured += len(sizes)
    assert measured > 100  # markers, arrows and permalinks on every page were found and measured
    context.close()


def test_search_page_really_lists_results_when_scanned(live_server, page, seeded):
    """The /facts/ scan above is only worth something if the page it scanned had results."""
    page.goto(live_server.url + PUBLIC_PAGES["search results"])

    assert page.locator("main li.fact").count() > 0


def test_admin_fact_change_page_has_no_accessibility_violations(live_server, page, problems, seeded, editor):
    from trivia.models import Fact

    fact = Fact.objects.get(key="over-budget")
    log_in_through_the_form(page, live_server, editor.username)
    page.goto(f"{live_server.url}/admin/trivia/fact/{fact.pk}/change/")

    assert page.get_by_role("heading", level=1).count() == 1
    assert_no_axe_violations(page)
    problems.assert_none()
