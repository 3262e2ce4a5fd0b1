"""Screen online ads for trafficking networks: a pure library (no Django).

Pipeline: read -> normalise -> extract -> indicators -> fingerprint -> link -> templates ->
leads, with incremental state and an optional Dask runner. Start with :func:`screen`::

    from harborlight.screening import screen
    result = screen("ads.jsonl", key=my_key, region="US", state_dir="state/")
    result.write("out/")          # ads.csv, networks.csv, leads.json, report.html
    result.to_dict()["networks"]  # ranked leads with reasons

See ``docs/screening.md`` for inputs, outputs, how linking works and its limits.
"""

from harborlight.screening.engine import ScreeningResult, screen
from harborlight.screening.errors import (
    CatalogProblem,
    ConfigProblem,
    InputProblem,
    MissingExtra,
    ScreeningError,
    StateProblem,
)

__all__ = ["screen", "ScreeningResult", "ScreeningError", "InputProblem", "ConfigProblem",
           "StateProblem", "CatalogProblem", "MissingExtra"]
