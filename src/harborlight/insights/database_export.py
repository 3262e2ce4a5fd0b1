"""CTDC exports from the database: consented records only, audited as one disclosure.

Steps of :func:`export_organisation`:

1. read the organisation's victim records (:mod:`harborlight.insights.records`), each
   marked with the de-identified-sharing consent it relies on, if any;
2. let the sharing engine drop the unconsented ones, protect the rest (k-anonymity or
   differential privacy) and write data.csv, report.json and report.html;
3. append one ``export`` entry to the audit chain naming the consents relied on, the
   method and the counts.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from harborlight.insights.records import CONSENT_ID, victim_records
from harborlight.security.audit.log import record
from harborlight.sharing import export


def export_organisation(organisation, *, out_dir: Path, actor=None, **options: Any):
    rows = list(victim_records(organisation))
    consents = sorted({r[CONSENT_ID] for r in rows if r[CONSENT_ID] is not None})
    result = export(out_dir=out_dir, records=[{k: v for k, v in r.items() if k != CONSENT_ID}
                                              for r in rows], **options)
    report = result.report
    record("export", actor=actor, organisation=organisation, object_type="sharing.ctdc",
           object_id=report.get("layout", ""),
           reason=f"de-identified sharing relying on {len(consents)} consent record(s)",
           details={"method": report.get("method"), "rows_in": report.get("rows_in"),
                    "rows_out": report.get("rows_out"), "consents": consents,
                    "excluded": report.get("consent", {}).get("records_excluded")})
    return result
