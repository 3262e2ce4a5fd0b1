"""Read configuration from the environment, failing closed with a clear message.

Every Harborlight setting comes from a ``HARBORLIGHT_*`` variable. A bad value raises
``ImproperlyConfigured`` naming the variable and what it expects, which ``harborlight
check`` and every other command turn into a one-line error.
"""

from __future__ import annotations

import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def env_str(name: str, default: str) -> str:
    value = os.environ.get(name, "").strip()
    return value or default


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name, "").strip().lower()
    if not raw:
        return default
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}")


def env_int(name: str, default: int, minimum: int | None = None) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, not {value}")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return list(default)
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_secret(name: str, required: bool) -> str:
    """Return the secret in ``name``, or in the file that ``name + '_FILE'`` points to."""
    value = os.environ.get(name, "").strip()
    file_name = os.environ.get(f"{name}_FILE", "").strip()
    if value and file_name:
        raise ImproperlyConfigured(f"set {name} or {name}_FILE, not both")
    if file_name:
        path = Path(file_name)
        if not path.is_file():
            raise ImproperlyConfigured(f"{name}_FILE points to {path}, which is not a file")
        value = path.read_text(encoding="utf-8").strip()
        if not value:
            raise ImproperlyConfigured(f"{name}_FILE points to {path}, which is empty")
    if required and not value:
        raise ImproperlyConfigured(
            f"{name} is not set. Set it (or {name}_FILE) to a long random value; "
            "`harborlight demo` sets one for its local demo."
        )
    return value
