"""The one gate every disclosure passes: referral out, transfer, law enforcement, sharing.

Steps, in one transaction with the disclosure itself:

1. find an active :class:`~harborlight.consent.models.Consent` covering the purpose and
   the recipient, for the case (or the tip before a case exists);
2. if there is none, accept only a recorded legal duty (``mandatory_reason``, for example a
   minor in danger where the law requires a report) and only for law enforcement;
3. otherwise refuse with :class:`ConsentRequired`, naming what is missing;
4. write the act's one ``disclose`` entry to the audit chain, on the record whose data
   leaves, naming the consent relied on (its id and purpose) or the mandatory reason.

Callers never check consent themselves; they call :func:`disclose` inside the
transaction of the disclosure and act only if it returns.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Model
from django.utils.translation import gettext

from harborlight.consent.models import Consent, ConsentPurpose, Recipient
from harborlight.errors import DomainError
from harborlight.security.audit.log import audited, record

MIN_MANDATORY_REASON_LENGTH = 15


class ConsentRequired(DomainError):
    """No active consent covers this disclosure, and no legal duty was recorded."""

    code = "consent_required"
    status = 400
    field = "case"


@dataclass(frozen=True)
class DisclosureBasis:
    consent: Consent | None
    mandatory_reason: str = ""

    def describe(self) -> str:
        if self.consent is not None:
            return f"consent {self.consent.pk} ({self.consent.purpose})"
        return f"mandatory report: {self.mandatory_reason}"


def basis_for(purpose: str, *, case=None, tip=None, recipient: Recipient | str | None = None,
              mandatory_reason: str = "", now: datetime | None = None) -> DisclosureBasis:
    """The consent (or legal duty) a disclosure would rely on; raise ConsentRequired.

    The refusal says why in the words of :meth:`Consent.judge` on the newest consent for
    the purpose, so the person acting reads the same reason the referral page shows.
    """
    recipient = Recipient.of(recipient)
    consent = Consent.objects.covering(purpose, case=case, tip=tip, recipient=recipient,
                                       now=now)
    if consent is not None:
        return DisclosureBasis(consent)
    mandatory_reason = (mandatory_reason or "").strip()
    if purpose != ConsentPurpose.LAW_ENFORCEMENT or not mandatory_reason:
        raise ConsentRequired(_refusal(purpose, case, tip, recipient, now))
    if len(mandatory_reason) < MIN_MANDATORY_REASON_LENGTH:
        raise ConsentRequired(gettext("Describe the legal duty to report in at least "
                                      "%(count)d characters.")
                              % {"count": MIN_MANDATORY_REASON_LENGTH})
    return DisclosureBasis(None, mandatory_reason)


def _refusal(purpose: str, case, tip, recipient: Recipient | None, now) -> str:
    what = ConsentPurpose(purpose).label.lower()
    target = {"purpose": what, "recipient": recipient.name if recipient else ""}
    if recipient is not None and recipient.name:
        message = gettext("No active consent for %(purpose)s to %(recipient)s.") % target
    else:
        message = gettext("No active consent for %(purpose)s.") % target
    verdicts = Consent.objects.explain(purpose, case=case, tip=tip, recipient=recipient,
                                       now=now, limit=1)
    if verdicts:
        message += " " + gettext("The latest consent for this purpose: %(reason)s") % {
            "reason": verdicts[0][1].reason}
    if purpose == ConsentPurpose.LAW_ENFORCEMENT:
        return message + " " + gettext("Record the person's consent first, or the legal "
                                       "duty that requires the report.")
    return message + " " + gettext("Record the person's consent first.")


def disclose(user, subject: Model, purpose: str, *, case=None, tip=None,
             recipient: Recipient | str | None = None,
             mandatory_reason: str = "", details: dict | None = None,
             now: datetime | None = None) -> DisclosureBasis:
    """Check the basis for disclosing ``subject`` and audit it; raise ConsentRequired if none.

    The ``disclose`` entry is the disclosure's one audit entry: the caller performs the
    rest of the act (copying the consented fields, saving a referral) in the same
    :func:`~harborlight.security.audit.log.audited` block, without entries of its own.
    """
    recipient = Recipient.of(recipient)
    basis = basis_for(purpose, case=case, tip=tip, recipient=recipient,
                      mandatory_reason=mandatory_reason, now=now)
    consent = basis.consent
    with audited():
        record("disclose", actor=user, obj=subject, reason=basis.describe(),
               details={"purpose": purpose, "recipient": recipient.name if recipient else "",
                        "consent": consent.pk if consent else None,
                        "mandatory_report": consent is None, **(details or {})})
    return basis
