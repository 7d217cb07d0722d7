"""Without Redis the shared-cache tests are skipped out loud, with or without worker processes (`-n 2`).

Each case runs pytest on two shared-cache tests in a subprocess, pointing the test Redis at a
port where nothing answers, the way a machine without Redis looks. (The browser tests' summary
is checked the same way in tests/e2e/test_browser_gate.py.)
"""

import pytest

from tests.run_summary import run_pytest


def run_redis_tests_without_redis(tmp_path, *args, **env):
    return run_pytest(
        tmp_path,
        "tests/test_shared_cache.py",
        "-k",
        "rendered_once_then or another_release",
        *args,
        unset={"REDSHOES_REQUIRE_REDIS"},
        REDSHOES_TEST_REDIS_URL="redis://127.0.0.1:1/15",
        **env,
    )


@pytest.mark.parametrize("workers", [[], ["-n", "2"]], ids=["one process", "two workers"])
def test_without_redis_its_tests_are_skipped_and_the_summary_says_so(tmp_path, workers):
    result = run_redis_tests_without_redis(tmp_path, *workers)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 skipped" in result.stdout
    assert "REDIS TESTS SKIPPED" in result.stdout
    assert "2 test(s) of the shared cache did not run" in result.stdout


def test_without_redis_a_run_that_requires_it_fails(tmp_path):
    result = run_redis_tests_without_redis(tmp_path, "-n", "2", REDSHOES_REQUIRE_REDIS="1")

    assert result.returncode != 0
    assert "REDSHOES_REQUIRE_REDIS=1 but no Redis answers" in result.stdout
    assert "REDIS TESTS SKIPPED" not in result.stdout
