"""Screenshots of the editorial screens on a phone and a desktop, for a person to look at.

Saved under the run's output directory (pytest-playwright's --output, default test-results/).
Each page must fit its width without sideways scrolling, and at 1280 px the fact list must show
the Film column and give the claim the widest column.
"""

import pytest
from django.urls import reverse

from tests.e2e.conftest import log_in_through_the_form
from trivia.models import Source
from trivia.services import drafting

pytestmark = pytest.mark.django_db(transaction=True)

WIDTHS = {"phone": 375, "desktop": 1280}


def pages(state) -> dict[str, str]:
    source = Source.objects.get(slug="the-red-shoes-1948-trivia")
    selection = f"?cite_source={source.pk}&cite_start=0&cite_end=36&cite_version={drafting.text_version(source)}"
    return {
        "home": reverse("admin:index"),
        "workbench": reverse("admin:trivia_source_workbench", args=[source.pk]),
        "workbench-draft": reverse("admin:trivia_source_workbench", args=[state["imported"].pk]),
        "fact-list": reverse("admin:trivia_fact_changelist"),
        "fact-from-selection": reverse("admin:trivia_fact_add") + selection,
        "fact-banner": reverse("admin:trivia_fact_change", args=[state["broken"].fact_id]),
        "source-list": reverse("admin:trivia_source_changelist"),
    }


def test_editorial_screens_at_phone_and_desktop_widths(live_server, browser, editor, editorial_state, screenshots):
    shown = pages(editorial_state)
    for width_name, width in WIDTHS.items():
        context = browser.new_context(viewport={"width": width, "height": 900})
        page = context.new_page()
        try:
            log_in_through_the_form(page, live_server, editor.username)
            for name, path in shown.items():
                page.goto(live_server.url + path)
                page.screenshot(path=screenshots / f"{name}-{width}px.png", full_page=True)
                scroll_width = page.evaluate("document.documentElement.scrollWidth")
                assert scroll_width <= width, f"{name} is {scroll_width}px wide on a {width}px {width_name}"
            if width == WIDTHS["desktop"]:
                page.goto(live_server.url + shown["fact-list"])
                film, claim = page.locator("th.column-film"), page.locator("th.column-summary")
                assert film.is_visible() and film.bounding_box()["x"] + film.bounding_box()["width"] <= width
                widths = page.locator("#result_list thead th").evaluate_all("cells => cells.map(c => c.offsetWidth)")
                assert claim.evaluate("cell => cell.offsetWidth") == max(widths)
        finally:
            context.close()
    assert len(list(screenshots.iterdir())) == len(shown) * len(WIDTHS)
