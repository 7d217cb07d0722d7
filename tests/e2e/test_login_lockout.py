"""The admin log-in lockout as an editor meets it in the browser: a clear, accessible page."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)


def test_five_wrong_passwords_lead_to_a_clear_lockout_page(live_server, page, problems, editor, screenshots):
    page.goto(f"{live_server.url}/admin/login/")
    for attempt in range(1, 6):
        page.get_by_label("Username").fill(editor.username)
        page.get_by_label("Password").fill(f"wrong guess {attempt}")
        response_info = page.expect_response(lambda r: r.url.endswith("/admin/login/") and r.request.method == "POST")
        with response_info as info:
            page.get_by_role("button", name="Log in").click()
        if attempt < 5:
            assert info.value.status == 200
            expect(page.locator(".errornote")).to_contain_text("Please enter the correct username and password")

    assert info.value.status == 429
    expect(page.get_by_role("heading", name="Too many failed log-in attempts")).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text("after 5 wrong passwords")
    expect(page.get_by_text("Try again in 15 minutes")).to_be_visible()
    page.screenshot(path=screenshots / "lockout.png")
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()
    problems.assert_none(expected_failed_loads=[f"{live_server.url}/admin/login/"])
