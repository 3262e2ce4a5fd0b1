"""De-identified data sharing in the CTDC layouts. A pure library: never imports Django.

Public API
----------
export(...)
    One complete export (k-anonymity or DP synthesis) with its utility and risk report,
    from a CSV file or from HTCDS-named records (the database path).
prepare(frame, layout)
    Detect the layout, apply consent, map to a CTDC layout; raises InputProblems.
KAnonymizer, DPSynthesizer
    The two protection steps, usable on their own.
dp_counts, protect_small_cells
    Noisy count tables and "<k" small-cell display for dashboards.
frame_from_records, read_table
    Input helpers.

Data: CTDC layouts and codes (Counter Trafficking Data Collaborative, IOM), HTCDS v2.0
fields (IOM and partners, CC BY 4.0), UN M49 regions; see ``data/README.md``.
"""

from harborlight.sharing.aggregates import dp_counts, protect_small_cells
from harborlight.sharing.consent import CONSENT_FIELD
from harborlight.sharing.dp import DPSynthesizer
from harborlight.sharing.errors import (
    DataFileError,
    InputProblems,
    MissingExtra,
    ParameterError,
    SharingError,
)
from harborlight.sharing.export import ExportResult, export, prepare
from harborlight.sharing.kanon import KAnonymizer
from harborlight.sharing.reading import frame_from_records, read_table

__all__ = [
    "CONSENT_FIELD", "DPSynthesizer", "DataFileError", "ExportResult", "InputProblems",
    "KAnonymizer", "MissingExtra", "ParameterError", "SharingError", "dp_counts", "export",
    "frame_from_records", "prepare", "protect_small_cells", "read_table",
]
