"""Without Chromium the browser tests are skipped out loud, and CI cannot skip them at all.

Each case runs pytest on one browser test in a subprocess, pointing REDSHOES_CHROMIUM
at a file that does not exist, the way a machine without Chromium looks.
"""

import pytest

from tests.run_summary import run_pytest


def run_browser_test_without_chromium(tmp_path, *args, **env):
    return run_pytest(
        tmp_path,
        "tests/e2e/test_screenshots.py",
        "-k",
        "light",
        *args,
        unset={"REDSHOES_REQUIRE_BROWSER"},
        REDSHOES_CHROMIUM=str(tmp_path / "no-chromium-here"),
        **env,
    )


@pytest.mark.parametrize("workers", [[], ["-n", "2"]], ids=["one process", "two workers"])
def test_without_chromium_browser_tests_are_skipped_and_the_summary_says_so(tmp_path, workers):
    result = run_browser_test_without_chromium(tmp_path, *workers)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 skipped" in result.stdout
    assert "BROWSER TESTS SKIPPED" in result.stdout
    assert "no Chromium found" in result.stdout


def test_without_chromium_a_run_that_requires_the_browser_fails(tmp_path):
    result = run_browser_test_without_chromium(tmp_path, REDSHOES_REQUIRE_BROWSER="1")

    assert result.returncode != 0
    assert "REDSHOES_REQUIRE_BROWSER=1 but no Chromium found" in result.stdout
    assert "BROWSER TESTS SKIPPED" not in result.stdout
