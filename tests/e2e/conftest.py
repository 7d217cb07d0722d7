"""Real-browser tests: Playwright driving Debian's Chromium against pytest-django's live_server.

One Chromium for the whole run (pytest-playwright's session-scoped `browser`), one
live server, a fresh context per test. Where no Chromium is installed the tests are
skipped and the run says so in its summary; with REDSHOES_REQUIRE_BROWSER=1 (CI) a
missing Chromium fails the run instead, so CI can never pass without running them.
"""

import os
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.run_summary import skipped_because

# Playwright's sync API runs an event loop in the test thread; Django refuses database
# calls from a thread with a running loop unless told the caller knows what it is doing.
# Here it does: the loop only drives the browser, never Django.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

# The machine running CI is shared and slow at times; an assertion that waits for the page
# gets more than Playwright's default 5 seconds before it calls the page broken.
expect.set_options(timeout=15_000)

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
REQUIRE_BROWSER = os.environ.get("REDSHOES_REQUIRE_BROWSER", "").strip().lower() in {"1", "true", "yes", "on"}


def find_chromium() -> str | None:
    """REDSHOES_CHROMIUM if set (and only that), else Debian's `chromium` on PATH or at /usr/bin/chromium."""
    explicit = os.environ.get("REDSHOES_CHROMIUM")
    candidates = [explicit] if explicit else [shutil.which("chromium"), "/usr/bin/chromium"]
    for candidate in candidates:
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    return None


CHROMIUM = find_chromium()
NO_CHROMIUM = "no Chromium found (install Debian's `chromium` package, or set REDSHOES_CHROMIUM)"
SKIPPED_BROWSER = "browser test skipped"
BROWSER_FIXTURES = {"playwright", "browser", "context", "page", "new_context"}


def pytest_collection_modifyitems(config, items):
    # Browser tests are the ones that drive Playwright (directly or through `page`).
    browser_items = [item for item in items if BROWSER_FIXTURES & set(getattr(item, "fixturenames", ()))]
    for item in browser_items:
        item.add_marker(pytest.mark.browser)
        if CHROMIUM is None and not REQUIRE_BROWSER:
            item.add_marker(pytest.mark.skip(reason=f"{SKIPPED_BROWSER}: {NO_CHROMIUM}"))


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    skipped = skipped_because(terminalreporter, SKIPPED_BROWSER)
    if skipped:
        terminalreporter.write_sep("=", "BROWSER TESTS SKIPPED", yellow=True, bold=True)
        terminalreporter.write_line(
            f"{skipped} browser test(s) did not run: {NO_CHROMIUM}. "
            "CI sets REDSHOES_REQUIRE_BROWSER=1, which turns this into a failure."
        )


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if CHROMIUM is None:
        pytest.fail(f"REDSHOES_REQUIRE_BROWSER=1 but {NO_CHROMIUM}.", pytrace=False)
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # The "Cite this fact" copy button writes to the clipboard.
    return {**browser_context_args, "permissions": ["clipboard-read", "clipboard-write"]}


class PageProblems:
    """What went wrong in the browser while a test ran: script errors, console errors
    (a Content-Security-Policy violation is one), dialogs (an injected alert() is one)."""

    def __init__(self):
        self.console_errors: list[str] = []
        self.page_errors: list[str] = []
        self.dialogs: list[str] = []

    def watch(self, page):
        page.on("console", self._on_console)
        page.on("pageerror", lambda error: self.page_errors.append(str(error)))
        page.on("dialog", self._on_dialog)
        return page

    def _on_console(self, message):
        # On admin pages (no icon link) browsers ask for /favicon.ico on their own; a 404 there is no script error.
        if message.type == "error" and not message.location.get("url", "").endswith("/favicon.ico"):
            self.console_errors.append(f"{message.text} ({message.location.get('url', '')})")

    def _on_dialog(self, dialog):
        self.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    def assert_none(self, expected_failed_loads=()):
        """No dialog, no script error, no console error except "failed to load" for the
        `expected_failed_loads` (URLs a test requests knowing they answer 404)."""
        console_errors = [
            error
            for error in self.console_errors
            if not (
                error.startswith("Failed to load resource")
                and error.endswith(tuple(f"({url})" for url in expected_failed_loads))
            )
        ]
        assert self.dialogs == [], f"a dialog opened: {self.dialogs}"
        assert self.page_errors == [], f"a script failed: {self.page_errors}"
        assert console_errors == [], f"console errors: {console_errors}"


@pytest.fixture
def problems(page):
    """The test's `page`, watched; call `problems.assert_none()` at the end of a journey."""
    watcher = PageProblems()
    watcher.watch(page)
    return watcher


@pytest.fixture
def screenshots(output_path):
    """A folder under the run's --output directory (default test-results/) for this test's screenshots."""
    folder = Path(output_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


EDITOR_PASSWORD = "a long editor passphrase 42"


@pytest.fixture
def editor(transactional_db):
    """A staff account in the Editors group, made the way `manage.py create_editor` makes one."""
    from trivia.services.roles import create_editor

    return create_editor("vicky", EDITOR_PASSWORD)


def log_in_through_the_form(page, live_server, username, password=EDITOR_PASSWORD):
    """Log in on the admin's own login page, as an editor would (django-axes watches this form)."""
    page.goto(f"{live_server.url}/admin/login/?next=/admin/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{live_server.url}/admin/")


@pytest.fixture
def editorial_state(seeded):
    """The seed, one broken citation, and an imported document waiting to be split (the editorial screens' tests)."""
    from trivia.models import Citation
    from trivia.services import importing

    broken = Citation.objects.filter(fact__key="dancing-newspaper").first()
    Citation.objects.filter(pk=broken.pk).update(
        is_broken=True, broken_reason="The quote no longer occurs in the source."
    )
    report = importing.import_source_document(
        "The studio doubted it. It was cut twice.\n\nNobody cited this paragraph yet.",
        title="Imported notes",
        film_title="The Red Shoes",
        year=1948,
    )
    return {"broken": broken, "imported": report.source}
