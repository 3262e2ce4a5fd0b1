"""The optional libraries of the screening engine, imported where they are first needed.

A missing one is one :class:`~harborlight.screening.errors.MissingExtra` naming the extra
to install, wherever it is hit (the CLI prints it, the upload page shows it beside the
file), never an ImportError traceback.
"""

from __future__ import annotations

from typing import Any

from harborlight.screening.errors import MissingExtra


def pyarrow() -> Any:
    """``pyarrow``; MissingExtra without it."""
    try:
        import pyarrow as pa
    except ImportError as missing:
        raise MissingExtra.because(missing) from None
    return pa


def parquet() -> Any:
    """``pyarrow.parquet``; MissingExtra without it."""
    try:
        import pyarrow.parquet as pq
    except ImportError as missing:
        raise MissingExtra.because(missing) from None
    return pq
