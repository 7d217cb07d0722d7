"""`manage.py check --deploy` passes with no warnings under the production settings.

It runs in a subprocess with a production environment (debug off, a real-looking
secret, a host name), not the test settings, so what is checked is what ships.
"""

import os
import secrets
import subprocess
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent


def production_env(**overrides) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "REDSHOES_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="redshoes.settings",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="trivia.example.org",
    )
    env.pop("DATABASE_URL", None)
    env.update(overrides)
    return env


def run_deploy_check(env) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_pass_the_deploy_check_with_no_warnings():
    result = run_deploy_check(production_env())

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_deploy_check_flags_a_production_run_with_the_https_redirect_switched_off():
    """The benchmark switch must not silently pass for a production set-up."""
    result = run_deploy_check(production_env(DJANGO_SECURE_SSL_REDIRECT="0"))

    assert result.returncode != 0
    assert "security.W008" in result.stdout + result.stderr
