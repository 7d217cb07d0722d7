"""Screenshots of the film and source pages on a phone and a desktop, for a person to look at.

Saved under the run's output directory (pytest-playwright's --output, default
test-results/), one folder per test. The test also checks what a screenshot would
show at a glance: the page fits the screen without sideways scrolling.
"""

import pytest

pytestmark = pytest.mark.django_db(transaction=True)

PAGES = {"film": "/films/the-red-shoes-1948/", "source": "/sources/the-red-shoes-1948-trivia/"}
WIDTHS = {"phone": 375, "desktop": 1280}


def test_film_and_source_pages_at_phone_and_desktop_widths(live_server, browser, seeded, screenshots):
    for width_name, width in WIDTHS.items():
        context = browser.new_context(viewport={"width": width, "height": 800})
        page = context.new_page()
        try:
            for page_name, path in PAGES.items():
                page.goto(live_server.url + path)
                page.screenshot(path=screenshots / f"{page_name}-{width}px.png", full_page=True)

                scroll_width = page.evaluate("document.documentElement.scrollWidth")
                assert scroll_width <= width, f"{page_name} page is {scroll_width}px wide on a {width}px {width_name}"
        finally:
            context.close()

    saved = sorted(path.name for path in screenshots.iterdir())
    assert saved == ["film-1280px.png", "film-375px.png", "source-1280px.png", "source-375px.png"]
