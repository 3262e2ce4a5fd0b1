"""Start Django for commands that need the database, with one-line errors."""

from __future__ import annotations

import os

from harborlight.cli.errors import UsageProblem

CONFIG_EXIT_CODE = 78


def setup_django(settings_module: str = "harborlight.settings") -> None:
    """Configure Django, turning configuration problems into a one-line UsageProblem."""
    import django
    from django.core.exceptions import ImproperlyConfigured

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", settings_module)
    try:
        django.setup()
    except ImproperlyConfigured as problem:
        raise UsageProblem(f"configuration: {problem}", CONFIG_EXIT_CODE) from None
