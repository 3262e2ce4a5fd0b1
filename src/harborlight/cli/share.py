"""``harborlight share ...``: de-identified exports in the CTDC layout (issue 6)."""

from __future__ import annotations

import typer

app = typer.Typer(help="De-identified data sharing (k-anonymity, differential privacy).",
                  no_args_is_help=True)
