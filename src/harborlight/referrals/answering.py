"""Answering a referral and opening a case from it: the calls pages and the API share.

Who may answer is the permission layer's question (:meth:`Referral.allows`, asked by
:func:`~harborlight.security.permissions.fetch` with ``referral.respond``); these
functions check the referral's state and perform the act, audited once:

- :func:`answer`: accept, decline or complete. Accepting writes the receiver's caseworker
  onto the sender's case (HTCDS ``cas_ReferredPrimaryCaseWorker``); accepting a transfer
  also closes the sender's case and opens the receiver's (:mod:`.transfer`). One
  ``update`` entry on the referral, plus one in the sender's trail for its closed case.
  The receiver's notices about it are settled; the sender (and the case's caseworker) get
  a notice of the acceptance or the refusal.
- :func:`open_case`: the receiver of an accepted referral opens a case of its own holding
  the consented fields. One ``create`` entry on the new case.
"""

from __future__ import annotations

from django.utils import timezone

from harborlight.cases.models import Case
from harborlight.notifications.models import Notice, NoticeKind
from harborlight.referrals.htcds import write_to_case
from harborlight.referrals.models import Referral, ReferralError, ReferralStatus
from harborlight.referrals.transfer import build_case, close_sender_case
from harborlight.security.audit.log import audited, record


def answer(referral: Referral, decision: str, *, by, note: str = "", now=None) -> Referral:
    """Move the referral to ``decision`` (accepted, declined or completed) as ``by``."""
    if not referral.allows(by, "referral.respond"):
        raise ReferralError("Only the receiving organisation can answer this referral.")
    now = now or timezone.now()
    extra = {}
    if decision == ReferralStatus.ACCEPTED:
        extra = {"accepted_at": now,
                 "receiver_caseworker": by if referral.is_internal else None}
    elif decision == ReferralStatus.COMPLETED:
        extra = {"completed_at": now}
    with audited():
        source = referral.move_to(decision, by, note, now, **extra)
        details = {"status": decision, "from": source, "kind": referral.kind}
        if decision == ReferralStatus.ACCEPTED:
            if referral.is_internal:
                write_to_case(referral.case, {"cas_ReferredPrimaryCaseWorker": str(by)})
            if referral.is_transfer:
                close_sender_case(referral, by=by, now=now)
                details["received_case"] = build_case(referral, by=by, now=now).reference
        record("update", actor=by, obj=referral, details=details)
        _tell_the_sender(referral, decision, by, now)
    return referral


ANSWER_NOTICES = {ReferralStatus.ACCEPTED: NoticeKind.REFERRAL_ACCEPTED,
                  ReferralStatus.DECLINED: NoticeKind.REFERRAL_DECLINED}


def _tell_the_sender(referral: Referral, decision: str, by, now) -> None:
    """Settle the receiver's notices; tell the sender how a partner answered."""
    Notice.objects.settle(referral.notice_subject, kinds=[NoticeKind.REFERRAL_RECEIVED,
                                                          NoticeKind.TRANSFER_WAITING], now=now)
    kind = ANSWER_NOTICES.get(decision)
    if kind is None or not referral.is_internal:
        return  # an outside provider's answer is recorded by the sender themselves
    Notice.objects.send([referral.sent_by, referral.case.owner], kind,
                        referral.notice_subject, ("referrals:detail", [referral.reference]),
                        exclude=by, now=now, reference=referral.reference,
                        organisation=referral.recipient_organisation.name)


def open_case(referral: Referral, *, by, now=None) -> Case:
    """For the receiver of an accepted referral: a case of its own, holding the
    consented fields and the incoming referral's HTCDS fields."""
    if not referral.is_internal or by.organisation_id != referral.recipient_organisation_id:
        raise ReferralError("Only the receiving organisation can open a case from this "
                            "referral.")
    if referral.is_transfer or referral.status not in (ReferralStatus.ACCEPTED,
                                                       ReferralStatus.COMPLETED):
        raise ReferralError("Accept the referral before opening a case from it.")
    if referral.received_case_id is not None:
        raise ReferralError("A case was already opened from this referral.")
    if not referral.consent_active():
        raise ReferralError("The survivor withdrew the consent this referral relied on; "
                            "open a case only with their new consent.")
    with audited():
        return build_case(referral, by=by, now=now or timezone.now())
