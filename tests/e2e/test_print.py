"""The film and source pages printed to PDF by Chromium, read back with poppler's pdftotext.

On paper a reader has no links to follow and no controls to open: the site's furniture
and the ¶ permalinks are gone, every spoiler is printed open and labelled (so the notes
that quote them point at something), and the sources carry their full address. The
first page is also saved as a PNG beside the screenshots, for a person to look at.
"""

import os
import shutil
import subprocess

import pytest
from django.conf import settings

from tests.e2e.conftest import REQUIRE_BROWSER

pytestmark = pytest.mark.django_db(transaction=True)

POPPLER = shutil.which("pdftotext") and shutil.which("pdftoppm")


@pytest.fixture
def poppler():
    if not POPPLER:
        message = "poppler-utils (pdftotext, pdftoppm) is not installed: apt-get install poppler-utils"
        if REQUIRE_BROWSER:
            pytest.fail(message, pytrace=False)
        pytest.skip(message)


def printed(page, url, pdf_path) -> str:
    """The page at `url` printed to `pdf_path`, and the text of the PDF in reading order."""
    page.goto(url)
    page.pdf(path=str(pdf_path), format="A4", print_background=False)
    first_page = ["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(pdf_path), str(pdf_path)[:-4]]
    subprocess.run(first_page, check=True)
    result = subprocess.run(["pdftotext", "-layout", str(pdf_path), "-"], check=True, capture_output=True, text=True)
    return " ".join(result.stdout.split())


def test_the_film_page_prints_with_spoilers_open_and_full_addresses(live_server, browser, seeded, screenshots, poppler):
    page = browser.new_page(color_scheme="dark")  # what the screen shows must not matter on paper
    text = printed(page, live_server.url + "/films/the-red-shoes-1948/", screenshots / "film-print.pdf")

    # Every spoiler printed open and labelled, and the notes quoting them with them.
    assert "The ending [Spoilers: they reveal the ending] Viewers often ask why" in text
    assert "Vicky's dresser is seen carrying" in text and "the ballerina had her feet hacked off" in text
    assert "19. Trivia notes, ¶3: [Spoiler] “There is a frequent complaint" in text
    for note in range(20, 23):
        assert f"{note}. Trivia notes, ¶" in text
    # The source's full address, not a relative path; no site furniture or permalinks.
    assert f"Full text: {settings.SITE_URL}/sources/the-red-shoes-1948-trivia/" in text.replace("- ", "-")
    for furniture in ("Skip to content", "Search facts", "Contents", "Show 4 spoilers", "¶ "):
        assert furniture not in text.replace("Trivia notes, ¶", ""), furniture
    assert os.path.getsize(screenshots / "film-print-1.png") > 10_000


def test_the_source_page_prints_every_paragraph_word_for_word(live_server, browser, seeded, screenshots, poppler):
    page = browser.new_page()
    text = printed(page, live_server.url + "/sources/the-red-shoes-1948-trivia/", screenshots / "source-print.pdf")

    assert "[Spoiler: reveals the ending] There is a frequent complaint that comes up by viewers" in text
    assert "When people complained to Hein Heckroth about the grim ending" in text
    assert text.count("the ballerina had her feet hacked off") == 1  # the excerpt is not printed twice
