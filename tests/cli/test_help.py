"""Every command's help reads as a person would type it: no "<bool>" beside a flag."""

from __future__ import annotations

import click
import typer
from typer.testing import CliRunner

from harborlight.cli import app


def _commands(command: click.Command, path: tuple[str, ...] = ()):
    yield path
    for name, sub in getattr(command, "commands", {}).items():
        yield from _commands(sub, (*path, name))


def test_it_shows_no_bool_placeholder_on_flags():
    root = typer.main.get_command(app)
    runner = CliRunner()
    checked = 0
    for path in _commands(root):
        result = runner.invoke(app, [*path, "--help"], env={"COLUMNS": "120"})
        assert result.exit_code == 0, (path, result.output)
        assert "<bool>" not in result.output, f"harborlight {' '.join(path)} --help"
        checked += 1
    assert checked > 10
    flagged = runner.invoke(app, ["screen", "--help"], env={"COLUMNS": "120"}).output
    assert "--reveal-contacts" in flagged and "<path>" in flagged  # values keep theirs
