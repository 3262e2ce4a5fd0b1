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


#: Where de-identified exports go: the global hub. A consent to de-identified sharing
#: that names "any recipient" (the default) covers it; one that names someone else by
#: hand or from the directory does not.
HUB = Recipient("Counter Trafficking Data Collaborative (CTDC, IOM)")


def sharing_consents(cases, *, recipient: Recipient = HUB, now: datetime | None = None
                     ) -> dict[int, Consent]:
    """For a release of de-identified data: each case's consent that covers it, by case id.

    The same rule as one disclosure (:meth:`Consent.judge`, newest covering consent
    first), asked of every case; cases without one are absent and stay out of the release.
    """
    purpose = ConsentPurpose.DEIDENTIFIED_SHARING
    found: dict[int, Consent] = {}
    consents = (Consent.objects.active(now).filter(purpose=purpose, case__in=cases)
                .order_by("case_id", "-given_at"))
    for consent in consents:
        if consent.case_id not in found and consent.judge(purpose, recipient, now):
            found[consent.case_id] = consent
    return found


def disclose_release(user, organisation, consents: dict[int, Consent], *, records: int,
                     object_type: str, object_id: str, details: dict,
                     recipient: Recipient = HUB, why: str = "") -> None:
    """Audit one release of de-identified data: its one ``export`` entry, naming the
    recipient and citing the consent each released record relies on (consent ids, as
    ranges such as ``"3-7,12"``: each consent belongs to one case, whose victims it
    covers), with the caller's details (method, k or epsilon and delta, the ledger)."""
    ids = sorted(consent.pk for consent in consents.values())
    # ``why``: the reason a person gave (the command line asks for one), before the gate's.
    basis = (f"de-identified sharing with {recipient.name}, relying on {len(ids)} consent "
             "record(s)")
    with audited():
        record("export", actor=user, organisation=organisation, object_type=object_type,
               object_id=object_id,
               reason=f"{why}; {basis}" if why else basis,
               details={"purpose": ConsentPurpose.DEIDENTIFIED_SHARING,
                        "recipient": recipient.name, "consents": id_ranges(ids),
                        "consent_count": len(ids), "records": records, **details})


def id_ranges(ids: list[int]) -> str:
    """``[3, 4, 5, 7]`` -> ``"3-5,7"``: many ids in little room (audit details are small)."""
    parts: list[tuple[int, int]] = []
    for value in sorted(set(ids)):
        if parts and parts[-1][1] == value - 1:
            parts[-1] = (parts[-1][0], value)
        else:
            parts.append((value, value))
    return ",".join(f"{a}" if a == b else f"{a}-{b}" for a, b in parts)
