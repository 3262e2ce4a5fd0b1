"""A transfer brings the sender's own picklist values as the HTCDS value the sender
mapped them to: the receiver cannot read the sender's codes (issue 17)."""

from __future__ import annotations

from harborlight.cases.models import LocalValue
from harborlight.consent.models import ConsentPurpose
from harborlight.referrals.answering import answer
from harborlight.referrals.models import ReferralKind, ReferralStatus
from harborlight.referrals.sending import send


def test_a_transfer_brings_the_senders_own_values_as_their_htcds_value(
        cast, partner_entry, give_consent):
    LocalValue.objects.create(
        organisation=cast.own, field="vic_TypeOfExploitation", code="x-forced-criminal",
        label_en="Forced criminality", label_es="Criminalidad forzada", maps_to="ForcedLabour")
    victim = cast.own_case.persons.get()
    victim.types_of_exploitation = ["x-forced-criminal", "SexualExploitation"]
    victim.save()
    give_consent(ConsentPurpose.TRANSFER, [])
    referral = send(cast.own_case, by=cast.role("caseworker"), provider=partner_entry,
                    kind=ReferralKind.TRANSFER, reason="MigrationOrChangeOfLocation",
                    details="Moving.")
    answer(referral, ReferralStatus.ACCEPTED, by=cast.outsiders["caseworker"])
    moved = referral.received_case.persons.get()
    assert moved.organisation == cast.other
    assert moved.types_of_exploitation == ["ForcedLabour", "SexualExploitation"]
