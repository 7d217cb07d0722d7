"""Which release of the code a process runs: part of every page's ETag and page-cache key.

During a rolling deploy, hosts on the old and the new release serve side by side and
share one Redis; a page rendered by old templates must never be served by a new host
(or the other way round). `REDSHOES_RELEASE` names the release (a git commit, a build
number); without it, the id is a hash of what makes a page: the code, templates,
static files and the lock file, so two hosts with the same files agree without being
told, and any change to them is a new release.
"""

import hashlib
import re
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

# What decides how a page looks; data files and caches (seed text, __pycache__) do not.
RELEASE_DIRS = ("redshoes", "trivia", "templates", "static")
RELEASE_FILES = ("requirements.lock",)
RELEASE_SUFFIXES = {".py", ".html", ".txt", ".css", ".js", ".json", ".svg", ".toml", ".lock"}
# It goes into cache keys and log lines: keep it to a short, plain token.
RELEASE_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


def code_release(base_dir: Path) -> str:
    """The first 12 hex digits of a SHA-256 over the release files' paths and bytes."""
    digest = hashlib.sha256()
    paths = [base_dir / name for name in RELEASE_FILES if (base_dir / name).is_file()]
    for directory in RELEASE_DIRS:
        paths += [
            path
            for path in (base_dir / directory).rglob("*")
            if path.suffix in RELEASE_SUFFIXES and "__pycache__" not in path.parts and path.is_file()
        ]
    for path in sorted(paths):
        digest.update(path.relative_to(base_dir).as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return "code-" + digest.hexdigest()[:12]


def release_id(configured: str, base_dir: Path) -> str:
    """`REDSHOES_RELEASE` if set (checked), else the hash of the code."""
    configured = configured.strip()
    if not configured:
        return code_release(base_dir)
    if not RELEASE_PATTERN.fullmatch(configured):
        raise ImproperlyConfigured(
            f"REDSHOES_RELEASE must be 1-64 letters, digits, dots, dashes or underscores "
            f"(e.g. a git commit or a build number), not {configured!r}."
        )
    return configured
