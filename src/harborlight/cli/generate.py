"""``harborlight generate ...``: synthetic data for demos, tests and benchmarks."""

from __future__ import annotations

import typer

app = typer.Typer(help="Write synthetic data (never real people) for demos and benchmarks.",
                  no_args_is_help=True)
