"""Turn problems a user can fix into one-line messages and non-zero exit codes."""

from __future__ import annotations

import sys

import typer


class UsageProblem(Exception):
    """A problem the user can fix: bad arguments, a missing file, a bad configuration.

    ``exit_code`` follows the BSD sysexits convention loosely: 2 for bad usage, 65 for
    bad input data, 78 for bad configuration.
    """

    def __init__(self, message: str, exit_code: int = 2):
        super().__init__(message)
        self.exit_code = exit_code


def fail(message: str, exit_code: int = 2) -> "typer.Exit":
    """Print ``message`` to standard error as one line and return the Exit to raise."""
    typer.echo(f"harborlight: error: {message}", err=True)
    return typer.Exit(code=exit_code)


def run_app(app: typer.Typer) -> None:
    try:
        app(standalone_mode=True)
    except UsageProblem as problem:
        typer.echo(f"harborlight: error: {problem}", err=True)
        sys.exit(problem.exit_code)
