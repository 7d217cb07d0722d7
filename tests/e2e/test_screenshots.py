"""Screenshots of every public page type on a phone and a desktop, light and dark, for a person to look at.

Saved under the run's output directory (pytest-playwright's --output, default
test-results/), one folder per test. The test also checks what a screenshot would
show at a glance: the page fits the screen without sideways scrolling, and the dark
scheme really is dark (and the light one light).
"""

import pytest

pytestmark = pytest.mark.django_db(transaction=True)

PAGES = {
    "home": "/",
    "film": "/films/the-red-shoes-1948/",
    "fact": "/facts/rank-tried-to-bury-it/",
    "source": "/sources/the-red-shoes-1948-trivia/",
    "source-cited-for": "/sources/the-red-shoes-1948-trivia/?for=rank-tried-to-bury-it&note=8&from=film#c263-335",
    "person": "/people/hein-heckroth/",
    "topic": "/topics/the-ending/",
    "search": "/facts/?q=shoes",
}
WIDTHS = {"phone": 375, "desktop": 1280}


def page_brightness(page) -> float:
    """The body background's relative brightness, 0 (black) to 1 (white)."""
    rgb = page.evaluate("getComputedStyle(document.body).backgroundColor.match(/\\d+/g).slice(0, 3).map(Number)")
    return sum(rgb) / (3 * 255)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_page_type_at_phone_and_desktop_widths(live_server, browser, seeded, screenshots, scheme):
    for width_name, width in WIDTHS.items():
        context = browser.new_context(viewport={"width": width, "height": 800}, color_scheme=scheme)
        page = context.new_page()
        try:
            for page_name, path in PAGES.items():
                page.goto(live_server.url + path)
                page.screenshot(path=screenshots / f"{page_name}-{width}px-{scheme}.png", full_page=True)

                scroll_width = page.evaluate("document.documentElement.scrollWidth")
                assert scroll_width <= width, f"{page_name} page is {scroll_width}px wide on a {width}px {width_name}"
                brightness = page_brightness(page)
                assert brightness < 0.2 if scheme == "dark" else brightness > 0.9, (page_name, brightness)
        finally:
            context.close()

    assert len(list(screenshots.iterdir())) == len(PAGES) * len(WIDTHS)
