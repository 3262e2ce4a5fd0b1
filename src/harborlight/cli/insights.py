"""``harborlight insights ...``: the global comparison layer for the dashboards."""

from __future__ import annotations

from pathlib import Path

import typer

from harborlight.cli.bootstrap import setup_django
from harborlight.cli.errors import UsageProblem

app = typer.Typer(help="Insights dashboards: load the public CTDC data to compare with.",
                  no_args_is_help=True)


@app.command("load-ctdc")
def load_ctdc(path: Path = typer.Argument(..., help="A public CTDC release (CSV, plain or "
                                          "gzipped; 2021 or v2024 layout).")) -> None:
    """Load a public CTDC release as the dashboards' global comparison layer.

    Replaces the previously loaded release in the data folder. The file is converted to
    the CTDC v2024 layout; nothing is written if it has problems.
    """
    setup_django()
    from django.conf import settings

    from harborlight.insights.comparison import load_ctdc as load
    from harborlight.sharing.errors import InputProblems

    typer.echo(f"Reading {path} ...")
    try:
        comparison = load(path, Path(settings.DATA_DIR))
    except InputProblems as problems:
        raise UsageProblem(f"{path.name}: {problems}", 65) from None
    typer.echo(f"Loaded {comparison.rows:,} records from {comparison.source} as the global "
               "comparison layer (Counter Trafficking Data Collaborative, IOM).")
