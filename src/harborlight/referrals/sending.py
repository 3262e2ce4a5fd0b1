"""Sending a referral or a transfer: the consent gate, the shared record, the audit trail.

Steps, in one transaction (if any step fails, nothing is saved and nothing disclosed):

1. check the case can be referred (a transfer needs an open case, a partner that uses
   Harborlight, and no other transfer waiting for an answer);
2. ask the consent gate (:func:`~harborlight.consent.disclosure.disclose`) for the
   kind's purpose (referral or transfer) and the recipient's name; it raises
   ``ConsentRequired`` when no active consent covers them, and writes the ``disclose``
   entry on the case, naming the consent relied on;
3. copy the consented fields into the referral's encrypted shared record
   (:mod:`harborlight.referrals.snapshot`);
4. save the referral (its one ``create`` entry) and copy its HTCDS outgoing-referral
   fields onto the case (:mod:`harborlight.referrals.htcds`, bookkeeping of this act);
5. a partner on Harborlight gets a notice for everyone there who may answer it.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone

from harborlight.accounts.models import User
from harborlight.cases.references import random_reference
from harborlight.consent.disclosure import disclose
from harborlight.consent.models import Recipient
from harborlight.referrals import snapshot
from harborlight.notifications.models import Notice, NoticeKind
from harborlight.referrals.htcds import write_to_case
from harborlight.referrals.models import (
    Referral,
    ReferralError,
    ReferralKind,
    ReferralStatus,
    ServiceProvider,
)
from harborlight.security.audit.log import audited, record


def recipient_name(provider: ServiceProvider) -> str:
    """The name a referral is sent to: the Harborlight organisation's name for a partner,
    the directory entry's name otherwise."""
    return provider.partner.name if provider.partner_id else provider.name


def recipient_of(provider: ServiceProvider) -> Recipient:
    """The directory entry as the consent gate compares it (entry, partner, name)."""
    return Recipient(recipient_name(provider), provider.pk, provider.partner_id)


def send(case, *, by, provider: ServiceProvider, reason: str, details: str = "",
         services: list[str] | None = None, kind: str = ReferralKind.REFERRAL,
         now=None) -> Referral:
    """Refer (or transfer) ``case`` to ``provider``; see the module docstring for steps."""
    kind = ReferralKind(kind)
    now = now or timezone.now()
    _check_can_send(case, provider, kind)
    name = recipient_name(provider)
    reference = random_reference("R")
    with audited():
        basis = disclose(by, case, kind.consent_purpose, case=case,
                         recipient=recipient_of(provider), now=now,
                         details={"referral": reference, "kind": kind.value})
        consent = basis.consent
        shared = snapshot.take(case, list(consent.fields_allowed or []),
                               kind.consent_purpose, consent)
        try:
            with transaction.atomic():
                referral = Referral.objects.create(
                    organisation=case.organisation, reference=reference, kind=kind,
                    case=case, provider=provider, recipient_name=name,
                    recipient_organisation_id=provider.partner_id, reason=reason,
                    details=(details or "").strip(), services=list(services or []),
                    fields_shared=snapshot.fields_in(shared), shared_record=shared,
                    consent=consent, sent_by=by, sent_at=now)
        except IntegrityError:
            raise ReferralError("A transfer of this case is already waiting for an "
                                "answer.") from None
        write_to_case(case, referral.htcds_outgoing())
        record("create", actor=by, obj=referral,
               details={"case": case.reference, "kind": kind.value, "consent": consent.pk,
                        "fields": referral.fields_shared,
                        "recipient_organisation": provider.partner_id})
        if referral.is_internal:
            Notice.objects.send(
                User.objects.allowed_to("referral.respond", provider.partner),
                NoticeKind.TRANSFER_WAITING if kind == ReferralKind.TRANSFER
                else NoticeKind.REFERRAL_RECEIVED, referral.notice_subject,
                ("referrals:detail", [reference]), now=now, reference=reference,
                organisation=case.organisation.name)
    return referral


def _check_can_send(case, provider: ServiceProvider, kind: ReferralKind) -> None:
    if provider.organisation_id != case.organisation_id:
        raise ReferralError("Choose a provider from your organisation's directory.",
                            field="provider")
    if kind != ReferralKind.TRANSFER:
        return
    if not provider.partner_id:
        raise ReferralError("A case can be transferred only to an organisation that uses "
                            "Harborlight; refer it to this provider instead.", field="provider")
    if provider.partner_id == case.organisation_id:
        raise ReferralError("A case cannot be transferred to its own organisation.",
                            field="provider")
    if not case.is_open:
        raise ReferralError("Only an open case can be transferred.")
    if case.referrals_out.filter(kind=ReferralKind.TRANSFER,
                                 status=ReferralStatus.SENT).exists():
        raise ReferralError("A transfer of this case is already waiting for an answer.")
