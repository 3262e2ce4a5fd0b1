"""CTDC exports from the database: consented records only, audited as one disclosure.

The command line (``harborlight share export``) and the analysts' export page both call
:func:`export_organisation`. Its steps:

1. ask the disclosure gate which cases hold a consent covering de-identified sharing with
   the hub (:func:`~harborlight.consent.disclosure.sharing_consents`, the rule of
   :meth:`Consent.judge`);
2. read the organisation's victim records (:mod:`harborlight.insights.records`), marked
   shareable only where the gate found a consent;
3. let the sharing engine drop the others, protect the rest (k-anonymity or differential
   privacy) and write data.csv, report.json and report.html;
4. append the release's one ``export`` entry through the gate
   (:func:`~harborlight.consent.disclosure.disclose_release`): the hub as recipient, the
   consents relied on, the method, k or epsilon and delta with the privacy ledger's
   spending, and the counts.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.db import transaction

from harborlight.cases.models import Case
from harborlight.consent.disclosure import disclose_release, sharing_consents
from harborlight.insights.records import CONSENT_ID, victim_records
from harborlight.sharing import export


def export_organisation(organisation, *, out_dir: Path, actor=None, why: str = "",
                        operator: dict | None = None, **options: Any):
    """Export ``organisation``'s consented records into ``out_dir`` and audit the release
    once. ``why`` and ``operator`` (the command line's --reason and operating-system user)
    go into that audit entry."""
    consents = sharing_consents(Case.objects.filter(organisation=organisation))
    rows = list(victim_records(organisation, {case_id: consent.pk
                                              for case_id, consent in consents.items()}))
    relied = {row[CONSENT_ID] for row in rows if row[CONSENT_ID] is not None}
    result = export(out_dir=out_dir, records=[{k: v for k, v in r.items() if k != CONSENT_ID}
                                              for r in rows], **options)
    with transaction.atomic():
        disclose_release(actor, organisation,
                         {case_id: consent for case_id, consent in consents.items()
                          if consent.pk in relied},
                         records=result.report.get("rows_in", 0),
                         object_type="sharing.ctdc", object_id=result.report.get("layout", ""),
                         details={**release_details(result.report), **(operator or {})},
                         why=why)
    return result


def release_details(report: dict) -> dict:
    """What the audit entry says about a release (floats as text, as the chain wants)."""
    privacy = report.get("privacy") or {}
    ledger = {kind: f"{spent:.6g}"
              for kind, spent in (privacy.get("rho_spent_by_measurement") or {}).items()}
    details = {"method": report.get("method"), "layout": report.get("layout"),
               "k": report.get("k"), "rows_in": report.get("rows_in"),
               "rows_out": report.get("rows_out"),
               "excluded": report.get("consent", {}).get("records_excluded")}
    if report.get("epsilon") is not None:
        details.update({"epsilon": f"{report['epsilon']:g}", "delta": f"{report['delta']:g}",
                        "rho_zcdp": f"{privacy.get('rho_zcdp', 0):.6g}",
                        "rho_spent": f"{privacy.get('rho_spent', 0):.6g}",
                        "ledger": ledger})
    return details
