"""What the end of a test run says about tests that could not run here (no Chromium, no Redis)."""

import os
import subprocess
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]


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


def run_pytest(tmp_path, *args: str, unset=(), **env) -> subprocess.CompletedProcess:
    """pytest run in a subprocess from the project's folder, as a machine lacking something runs it: `unset` names
    variables to leave out of this environment (DATABASE_URL always: the default database), `env` sets others.

    Its browser artifacts go under `tmp_path`: pytest-playwright empties its output folder when a run starts,
    and the project's own (test-results/) may be in use by the run that started this one.
    """
    environment = {key: value for key, value in os.environ.items() if key not in {"DATABASE_URL", *unset}}
    environment.update(env)
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", f"--output={tmp_path / 'results'}", *args],
        cwd=PROJECT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )
