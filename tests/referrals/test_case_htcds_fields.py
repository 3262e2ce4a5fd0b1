"""The HTCDS referral fields reach the cases: outgoing on the sender's, incoming on the
receiver's new case after a transfer (for the fields the case model holds)."""

from __future__ import annotations

import pytest

from harborlight.cases.models import Case
from harborlight.consent.models import ConsentPurpose
from harborlight.referrals.answering import answer
from harborlight.referrals.models import ReferralKind, ReferralStatus
from harborlight.referrals.sending import send
from harborlight.referrals.snapshot import REFERRAL_FIELDS, model_field_for


def held(names) -> dict:
    """The case fields holding these HTCDS names: the map gives every one a home there."""
    fields = {name: model_field_for(Case, name) for name in names}
    assert None not in fields.values(), "htcds_map.json must put every referral field on Case"
    return fields


def as_text(value) -> str:
    return "" if value is None else (value.isoformat() if hasattr(value, "isoformat")
                                     else str(value))


def test_it_writes_the_outgoing_fields_on_the_senders_case(cast, caseworker, receiver,
                                                           partner_entry, give_consent):
    give_consent(ConsentPurpose.REFERRAL, [])
    referral = send(cast.own_case, by=caseworker, provider=partner_entry,
                    reason="MigrationOrChangeOfLocation", details="Moving next week.")
    answer(referral, ReferralStatus.ACCEPTED, by=receiver)
    expected = referral.htcds_outgoing()
    fields = held(expected)
    case = Case.objects.get(pk=cast.own_case.pk)
    for name, field in fields.items():
        assert as_text(getattr(case, field.name)) == expected[name], name
    assert expected["cas_ReferredPrimaryCaseWorker"] == str(receiver)


def test_it_writes_the_incoming_fields_on_the_receivers_new_case(cast, caseworker, receiver,
                                                                 partner_entry, give_consent):
    give_consent(ConsentPurpose.TRANSFER, [])
    referral = send(cast.own_case, by=caseworker, provider=partner_entry,
                    kind=ReferralKind.TRANSFER, reason="Other", details="By train.")
    answer(referral, ReferralStatus.ACCEPTED, by=receiver)
    expected = referral.htcds_incoming()
    fields = held(expected)
    new = Case.objects.get(pk=referral.received_case_id)
    for name, field in fields.items():
        assert as_text(getattr(new, field.name)) == expected[name], name
    assert expected["cas_ReferringOrganisation"] == "Own Hotline"


def test_it_knows_every_htcds_referral_field():
    from harborlight.vocab.loader import htcds_fields

    standard = {field["field"] for field in htcds_fields() if field["section"] == "Referral"}
    assert standard == set(REFERRAL_FIELDS)


def test_it_refuses_a_field_that_the_map_gives_no_home():
    from harborlight.vocab.loader import VocabularyError

    with pytest.raises(VocabularyError, match="no home"):
        model_field_for(Case, "cas_NotAField")
