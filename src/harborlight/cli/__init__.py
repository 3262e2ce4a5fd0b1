"""The ``harborlight`` command line.

Each command group lives in its own module in this package and only parses arguments,
calls library code and prints counts. Errors the user can fix are raised as
:class:`harborlight.cli.errors.UsageProblem` and end the process with a one-line reason
and a non-zero exit code, never a traceback.
"""

from __future__ import annotations

import typer
import typer.core

from harborlight.cli import (audit, backup, generate, insights, keys, organisations, screen,
                             share, sso, web)
from harborlight.cli import cases as cases_cli

_option_type_for_help = typer.core.TyperOption.display_type_rich


def _no_type_for_flags(option: typer.core.TyperOption, ctx) -> str | None:
    """Typer 0.29 prints "<bool>" beside every flag (--help, --reveal-contacts) as if it
    took a value; a flag takes none, so its type column stays empty."""
    return None if option.is_flag else _option_type_for_help(option, ctx)


typer.core.TyperOption.display_type_rich = _no_type_for_flags  # type: ignore[method-assign]

app = typer.Typer(
    name="harborlight",
    help="Harborlight: tips, cases, ad screening and de-identified sharing, self-hosted.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)

web.register(app)
organisations.register(app)
app.add_typer(generate.app, name="generate")
screen.register(app)
app.add_typer(share.app, name="share")
app.add_typer(keys.app, name="keys")
app.add_typer(audit.app, name="audit")
app.add_typer(backup.app, name="backup")
cases_cli.register(app)
app.add_typer(insights.app, name="insights")
app.add_typer(sso.app, name="sso")


def main() -> None:
    from harborlight.cli.errors import run_app

    run_app(app)
