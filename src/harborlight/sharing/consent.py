"""Which records may be shared, and why the others were left out.

Harborlight records consent to de-identified sharing in the column
``consent_deidentified_sharing`` (``true``/``yes``/``1`` = consent given). HTCDS's own
``con_Consent`` is consent to the *interview* and does not cover sharing, so it is not
enough on its own.

* HTCDS input: a record is shared only if the consent column says yes. A missing column,
  an empty cell, ``no``/``false``/``0`` or an unrecognised value all mean "no consent".
* CTDC-layout input is public, already de-identified data published by CTDC under its
  terms of use; its contributors settled consent before publication. Such a file carries
  no per-record consent, so every record is eligible, and the report says that consent
  was not applicable. If the file does carry the consent column, it is honoured.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

CONSENT_FIELD = "consent_deidentified_sharing"
_YES = {"true", "yes", "y", "1", "consent", "given"}
_NO = {"", "false", "no", "n", "0", "withdrawn", "refused"}


@dataclass
class ConsentDecision:
    """How many records were kept and left out, with the reasons, for the report."""

    basis: str
    records_in: int
    records_kept: int
    excluded: dict[str, int] = field(default_factory=dict)

    @property
    def records_excluded(self) -> int:
        return self.records_in - self.records_kept

    def to_dict(self) -> dict:
        return {"consent_field": CONSENT_FIELD, "basis": self.basis,
                "records_in": self.records_in, "records_kept": self.records_kept,
                "records_excluded": self.records_excluded, "excluded_because": self.excluded}


def filter_consented(frame: pd.DataFrame, source: str) -> tuple[pd.Series, ConsentDecision]:
    """Return (boolean mask of shareable rows, decision) for a table from ``source``."""
    total = len(frame)
    if CONSENT_FIELD not in frame.columns:
        if source == "htcds":
            decision = ConsentDecision(
                basis=f"no {CONSENT_FIELD} column: no record has consent to sharing",
                records_in=total, records_kept=0,
                excluded={f"no {CONSENT_FIELD} column": total} if total else {})
            return pd.Series(False, index=frame.index), decision
        return pd.Series(True, index=frame.index), ConsentDecision(
            basis="not applicable: the input is public, de-identified CTDC data "
                  "(Counter Trafficking Data Collaborative, IOM); consent was settled by its "
                  "contributors before publication",
            records_in=total, records_kept=total)
    values = frame[CONSENT_FIELD].astype(str).str.strip().str.lower()
    yes = values.isin(_YES)
    excluded: dict[str, int] = {}
    for label, mask in (("consent not given (empty)", values == ""),
                        ("consent refused or withdrawn", values.isin(_NO - {""})),
                        ("unrecognised consent value", ~values.isin(_YES | _NO))):
        if int(mask.sum()):
            excluded[label] = int(mask.sum())
    return yes, ConsentDecision(basis=f"per record, from the {CONSENT_FIELD} column",
                                records_in=total, records_kept=int(yes.sum()),
                                excluded=excluded)
