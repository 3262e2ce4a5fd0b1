"""Start Django for commands that need the database, with one-line errors."""

from __future__ import annotations

import os

from harborlight.cli.errors import UsageProblem

CONFIG_EXIT_CODE = 78


SECRET_SETTINGS = ("HARBORLIGHT_SECRET_KEY", "HARBORLIGHT_SECRET_KEY_FILE")


def setup_django(settings_module: str = "harborlight.settings") -> None:
    """Configure Django, turning configuration problems into a one-line UsageProblem.

    With no secret configured at all, a command run beside the demo (``./harborlight-data``
    made by ``./scripts/demo``, or $HARBORLIGHT_DATA_DIR) works on the demo's data and
    says so in one line on standard error; it never creates a demo or keys.
    """
    import django
    from django.core.exceptions import ImproperlyConfigured

    if settings_module == "harborlight.settings" and not any(
            os.environ.get(name) for name in SECRET_SETTINGS):
        _use_demo_if_here()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", settings_module)
    try:
        django.setup()
    except ImproperlyConfigured as problem:
        raise UsageProblem(f"configuration: {problem}", CONFIG_EXIT_CODE) from None


def _use_demo_if_here() -> None:
    import typer

    from harborlight.demo import environment

    folder = environment.find_demo()
    if folder is not None:
        environment.use_demo(folder)
        typer.echo(f"harborlight: using the demo's data in {folder} (no "
                   "HARBORLIGHT_SECRET_KEY set)", err=True)
