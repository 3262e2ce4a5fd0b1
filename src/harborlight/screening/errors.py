"""Exceptions raised by the screening engine.

One base class so callers (the CLI, the web app) can catch everything the engine raises
on purpose, and a few subclasses so they can say precisely what went wrong.
"""

from __future__ import annotations


class ScreeningError(Exception):
    """Base class for every error the screening engine raises on purpose."""


class InputProblem(ScreeningError):
    """An input file is missing, unreadable or in a format the reader does not know."""


class ConfigProblem(ScreeningError):
    """A configuration value is invalid (unknown region, bad weight, bad key)."""


class StateProblem(ScreeningError):
    """Persisted incremental state is unreadable, from another version or another key."""


class CatalogProblem(ScreeningError):
    """A packaged data file (indicator catalog, vocabulary) fails its schema check."""


class MissingExtra(ScreeningError, ImportError):
    """A library of the optional ``screening`` extra (pyarrow, Dask) is not installed."""

    @classmethod
    def because(cls, missing: ImportError) -> "MissingExtra":
        return cls(f"ad screening needs the screening extra ({missing}); install it with: "
                   "pip install 'harborlight[screening]'")
