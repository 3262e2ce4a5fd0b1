"""Exceptions of the sharing engine.

Every failure a user can fix is a :class:`SharingError`; the CLI maps it to a one-line
message and a non-zero exit code. :class:`InputProblems` carries the whole list of problems
found in an input, so a user fixes a file in one pass instead of one error at a time.
"""

from __future__ import annotations


class SharingError(Exception):
    """Base class: something about the input or the parameters is wrong."""


class ParameterError(SharingError, ValueError):
    """A parameter makes no sense (epsilon <= 0, k < 2, an unknown layout, ...)."""


class DataFileError(SharingError):
    """A package data file (mapping, layout, region table) fails its schema check."""


class InputProblems(SharingError):
    """The input data cannot be exported; ``problems`` lists every reason found.

    ``str()`` joins the first few problems into one line, for the CLI.
    """

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        shown = "; ".join(self.problems[:5])
        more = len(self.problems) - 5
        if more > 0:
            shown += f"; and {more} more problem(s)"
        super().__init__(f"{len(self.problems)} problem(s) in the input: {shown}")


class MissingExtra(SharingError, ImportError):
    """A library of the optional ``sharing`` extra (mbi, JAX, OpenDP) is not installed."""

    @classmethod
    def because(cls, missing: ImportError) -> "MissingExtra":
        return cls(f"differential privacy needs the sharing extra ({missing}); install it "
                   "with: pip install 'harborlight[sharing]'")
