"""Reading settings from the environment: a bad value is a configuration error that names the variable.

Used by `redshoes/settings.py` and `redshoes/gunicorn.conf.py`; `manage.py` prints an
`ImproperlyConfigured` as one line and exits 1.
"""

import os

from django.core.exceptions import ImproperlyConfigured


def env_bool(name: str, default: bool = False) -> bool:
    """Read a yes/no switch: `1`/`true`/`yes`/`on` are on; unset, `0`/`false` are off."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be 1/true/yes/on or 0/false/no/off, not {raw!r}.")


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_number(name: str, default, *, minimum=0, kind=int):
    """A whole (or, with `kind=float`, decimal) number of at least `minimum`; anything else is a configuration error."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = kind(raw.strip())
    except ValueError:
        value = None
    if value is None or value < minimum:
        noun = "a whole number" if kind is int else "a number"
        raise ImproperlyConfigured(f"{name} must be {noun} of at least {minimum}, not {raw!r}.")
    return value
