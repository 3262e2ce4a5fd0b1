"""The one gate every disclosure passes: referral out, transfer, law enforcement, sharing.

Steps, in one transaction with the disclosure itself:

1. find an active :class:`~harborlight.cases.models.Consent` covering the purpose and the
   recipient, for the case (or the tip before a case exists);
2. if there is none, accept only a recorded legal duty (``mandatory_reason``, for example a
   minor in danger where the law requires a report) and only for law enforcement;
3. otherwise refuse with :class:`ConsentRequired`, naming what is missing;
4. write a ``disclose`` entry to the audit chain naming the consent relied on (its id and
   purpose) or the mandatory reason.

Callers never check consent themselves; they call :func:`disclose` and act only if it
returns.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import Model

MIN_MANDATORY_REASON_LENGTH = 15


class ConsentRequired(Exception):
    """No active consent covers this disclosure, and no legal duty was recorded."""


@dataclass(frozen=True)
class DisclosureBasis:
    consent: object | None
    mandatory_reason: str = ""

    def describe(self) -> str:
        if self.consent is not None:
            return f"consent {self.consent.pk} ({self.consent.purpose})"
        return f"mandatory report: {self.mandatory_reason}"


def find_consent(purpose: str, *, case=None, tip=None, recipient: str = "",
                 now: datetime | None = None):
    from harborlight.cases.models import Consent

    if case is None and tip is None:
        raise ValueError("a disclosure concerns a case or a tip")
    consents = Consent.objects.active(now).filter(purpose=purpose)
    consents = consents.filter(case=case) if case is not None else consents.filter(tip=tip)
    for consent in consents.order_by("-given_at"):
        if consent.covers(purpose, recipient, now):
            return consent
    return None


def disclose(user, subject: Model, purpose: str, *, case=None, tip=None, recipient: str = "",
             mandatory_reason: str = "", details: dict | None = None,
             now: datetime | None = None) -> DisclosureBasis:
    """Check the basis for disclosing ``subject`` and audit it; raise ConsentRequired if none."""
    from harborlight.cases.models import ConsentPurpose
    from harborlight.security.audit.log import record

    consent = find_consent(purpose, case=case, tip=tip, recipient=recipient, now=now)
    mandatory_reason = (mandatory_reason or "").strip()
    if consent is None:
        if purpose != ConsentPurpose.LAW_ENFORCEMENT or not mandatory_reason:
            raise ConsentRequired(
                f"No active consent for {ConsentPurpose(purpose).label.lower()}"
                + (f" to {recipient}" if recipient else "")
                + ". Record the person's consent first"
                + (", or the legal duty that requires the report." if purpose ==
                   ConsentPurpose.LAW_ENFORCEMENT else "."))
        if len(mandatory_reason) < MIN_MANDATORY_REASON_LENGTH:
            raise ConsentRequired("Describe the legal duty to report in at least "
                                  f"{MIN_MANDATORY_REASON_LENGTH} characters.")
    basis = DisclosureBasis(consent, "" if consent else mandatory_reason)
    with transaction.atomic():
        record("disclose", actor=user, obj=subject, reason=basis.describe(),
               details={"purpose": purpose, "recipient": recipient,
                        "consent": consent.pk if consent else None,
                        "mandatory_report": consent is None, **(details or {})})
    return basis
