"""``harborlight screen``: screen online ads for trafficking networks (issue 5)."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add the ``screen`` command to ``app``. Filled in by the screening engine."""
