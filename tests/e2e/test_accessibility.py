"""axe-core (the copy shipped in axe-playwright-python) finds no violations on any page type.

Every public page type, the 404 page and the admin's fact change page are scanned in
Chromium with the site's real stylesheet and Content-Security-Policy, so contrast,
landmarks, labels and headings are checked as a reader's browser renders them.
"""

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.e2e.conftest import log_in_through_the_form

pytestmark = pytest.mark.django_db(transaction=True)

AXE = Axe()

PUBLIC_PAGES = {
    "home": "/",
    "film": "/films/the-red-shoes-1948/",
    "fact permalink": "/facts/over-budget/",
    "source": "/sources/the-red-shoes-1948-trivia/",
    "person": "/people/hein-heckroth/",
    "topic": "/topics/production/",
    "search results": "/facts/?q=ballet",
    "open data guide": "/api/",
    "404": "/facts/no-such-fact/",
}


def assert_no_axe_violations(page):
    results = AXE.run(page)
    assert results.violations_count == 0, f"{page.url}\n{results.generate_report()}"


@pytest.mark.parametrize("path", PUBLIC_PAGES.values(), ids=PUBLIC_PAGES.keys())
def test_public_page_has_no_accessibility_violations(live_server, page, problems, seeded, path):
    url = live_server.url + path
    response = page.goto(url)

    expected_status = 404 if path == PUBLIC_PAGES["404"] else 200
    assert response.status == expected_status
    assert_no_axe_violations(page)
    problems.assert_none(expected_failed_loads=[url] if expected_status == 404 else [])


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
