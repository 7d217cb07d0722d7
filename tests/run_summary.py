"""What the end of a test run says about tests that could not run here (no Chromium, no Redis)."""


def skipped_because(terminalreporter, reason: str) -> int:
    """How many tests the run skipped with a reason starting `reason`.

    Read from the skip reports the terminal shows, which are the whole run's also when its tests
    ran in worker processes (pytest-xdist, `make test` runs `-n 2`): a counter kept where a test
    was skipped would stay in that worker and never reach the summary.
    """
    return sum(
        1
        for report in terminalreporter.stats.get("skipped", [])
        if isinstance(report.longrepr, tuple) and report.longrepr[2].removeprefix("Skipped: ").startswith(reason)
    )
