"""Referrals: the consent gate, the consented copy, status moving one way, the audit."""

from __future__ import annotations

import pytest

from harborlight.consent.disclosure import ConsentRequired
from harborlight.consent.models import ConsentPurpose
from harborlight.errors import InputError
from harborlight.referrals.answering import answer
from harborlight.referrals.models import Referral, ReferralError, ReferralStatus
from harborlight.referrals.sending import send
from tests_support import assert_audited, assert_trail, audit_mark


def refer(cast, caseworker, entry, **kwargs):
    return send(cast.own_case, by=caseworker, provider=entry,
                reason="AdditionalServicesRequired", details="Needs a bed tonight.",
                services=["shelter"], **kwargs)


def test_it_refuses_to_send_without_consent_and_saves_nothing(cast, caseworker, partner_entry):
    mark = audit_mark()
    with pytest.raises(ConsentRequired):
        refer(cast, caseworker, partner_entry)
    assert not Referral.objects.exists()
    assert_trail(mark)


def test_it_refuses_a_consent_for_another_purpose_or_recipient(cast, caseworker, partner_entry,
                                                               give_consent):
    give_consent(ConsentPurpose.LAW_ENFORCEMENT, ["prs_FirstName"])
    give_consent(ConsentPurpose.REFERRAL, ["prs_FirstName"], recipient="Someone Else")
    with pytest.raises(ConsentRequired):
        refer(cast, caseworker, partner_entry)


def test_it_refuses_after_the_consent_is_withdrawn(cast, caseworker, partner_entry,
                                                   give_consent):
    consent = give_consent(ConsentPurpose.REFERRAL, ["prs_FirstName"])
    consent.withdraw(by=caseworker, note="Changed her mind")
    with pytest.raises(ConsentRequired):
        refer(cast, caseworker, partner_entry)


def test_it_copies_exactly_the_consented_fields(cast, caseworker, partner_entry, give_consent):
    consent = give_consent(ConsentPurpose.REFERRAL, ["prs_FirstName", "cas_Status"],
                           recipient="Other Shelter")
    referral = refer(cast, caseworker, partner_entry)
    assert referral.consent == consent
    assert referral.recipient_organisation == cast.other
    assert referral.fields_shared == ["prs_FirstName", "cas_Status"]  # the standard's order
    record = Referral.objects.get(pk=referral.pk).shared_record
    assert record["case"] == {"cas_Status": {"value": "Active", "display": "Active"}}
    assert [p["fields"] for p in record["persons"]] == [
        {"prs_FirstName": {"value": "Marisol", "display": "Marisol"}}]
    flat = repr(record)
    for withheld in ("Quintero-Vance", "555-0143", "Own case summary", "First meeting"):
        assert withheld not in flat


def test_it_shares_only_the_minimum_when_the_consent_names_no_fields(cast, caseworker,
                                                                     partner_entry,
                                                                     give_consent):
    give_consent(ConsentPurpose.REFERRAL, [])
    referral = refer(cast, caseworker, partner_entry)
    assert referral.fields_shared == []
    assert referral.shared_record["case"] == {}
    assert all(not person["fields"] for person in referral.shared_record["persons"])


def test_it_never_copies_the_perpetrators_details_in_a_referral(cast, caseworker,
                                                                partner_entry, give_consent):
    from harborlight.cases.models import Person, PersonRole

    Person.objects.create(organisation=cast.own, case=cast.own_case,
                          role=PersonRole.PERPETRATOR, first_name="Dorian")
    give_consent(ConsentPurpose.REFERRAL, ["prs_FirstName"])
    referral = refer(cast, caseworker, partner_entry)
    assert "Dorian" not in repr(referral.shared_record)


def test_it_encrypts_the_shared_record_at_rest(cast, caseworker, partner_entry, give_consent):
    from django.db import connection

    give_consent(ConsentPurpose.REFERRAL, ["prs_FirstName"])
    referral = refer(cast, caseworker, partner_entry)
    with connection.cursor() as cursor:
        cursor.execute("SELECT shared_record, details FROM referrals_referral WHERE id = %s",
                       [referral.pk])
        raw_record, raw_details = cursor.fetchone()
    assert "Marisol" not in raw_record and "prs_FirstName" not in raw_record
    assert "bed tonight" not in raw_details


def test_it_audits_the_disclosure_naming_the_consent(cast, caseworker, partner_entry,
                                                     give_consent):
    consent = give_consent(ConsentPurpose.REFERRAL, ["prs_FirstName"])
    mark = audit_mark()
    referral = refer(cast, caseworker, partner_entry)
    # One disclosure on the case and one new referral: nothing twice (the HTCDS fields
    # copied onto the case are part of sending, not an update of their own).
    assert_trail(mark, ("disclose", cast.own_case), ("create", referral))
    [disclosure] = assert_audited("disclose", cast.own_case)
    assert disclosure.details["consent"] == consent.pk
    assert disclosure.details["referral"] == referral.reference
    assert f"consent {consent.pk}" in disclosure.reason
    [created] = assert_audited("create", referral)
    assert created.details == {"case": cast.own_case.reference, "consent": consent.pk,
                               "fields": ["prs_FirstName"], "kind": "referral",
                               "recipient_organisation": cast.other.pk}


def test_it_moves_sent_accepted_completed_and_records_the_htcds_fields(
        cast, caseworker, receiver, partner_entry, give_consent):
    give_consent(ConsentPurpose.REFERRAL, [])
    referral = refer(cast, caseworker, partner_entry)
    mark = audit_mark()
    answer(referral, ReferralStatus.ACCEPTED, by=receiver, note="Bed ready at 6 pm.")
    assert_trail(mark, ("update", referral))
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.ACCEPTED
    assert referral.receiver_caseworker == receiver
    incoming = referral.htcds_incoming()
    assert incoming["cas_ReferringOrganisation"] == "Own Hotline"
    assert incoming["cas_IncomingReferralDate"] == referral.accepted_at.date().isoformat()
    assert incoming["cas_ReasonForIncomingReferral"] == "AdditionalServicesRequired"
    outgoing = referral.htcds_outgoing()
    assert outgoing["cas_ReferredOrganisation"] == "Other Shelter"
    assert outgoing["cas_ReferredPrimaryCaseWorker"] == str(receiver)
    assert outgoing["cas_OutgoingReferralDetails"] == "Needs a bed tonight."
    answer(referral, ReferralStatus.COMPLETED, by=receiver)
    assert Referral.objects.get(pk=referral.pk).status == ReferralStatus.COMPLETED
    statuses = [e.details["status"] for e in assert_audited("update", referral, times=2)]
    assert statuses == ["accepted", "completed"]


def test_it_lets_only_the_receiver_answer_an_internal_referral(cast, caseworker, receiver,
                                                              partner_entry, give_consent):
    give_consent(ConsentPurpose.REFERRAL, [])
    referral = refer(cast, caseworker, partner_entry)
    with pytest.raises(ReferralError, match="receiving organisation"):
        answer(referral, ReferralStatus.ACCEPTED, by=caseworker)
    assert Referral.objects.get(pk=referral.pk).status == ReferralStatus.SENT
    assert_audited("update", referral, times=0)


def test_it_lets_the_sender_record_an_outside_providers_answer(cast, caseworker, receiver,
                                                              outside_entry, give_consent):
    give_consent(ConsentPurpose.REFERRAL, [])
    referral = refer(cast, caseworker, outside_entry)
    assert not referral.is_internal
    with pytest.raises(ReferralError):
        answer(referral, ReferralStatus.DECLINED, by=receiver)
    answer(referral, ReferralStatus.DECLINED, by=caseworker, note="No capacity this month.")
    assert Referral.objects.get(pk=referral.pk).status == ReferralStatus.DECLINED
    assert_audited("update", referral)


def test_it_refuses_a_second_answer(cast, caseworker, receiver, partner_entry, give_consent):
    give_consent(ConsentPurpose.REFERRAL, [])
    referral = refer(cast, caseworker, partner_entry)
    stale = Referral.objects.get(pk=referral.pk)
    answer(referral, ReferralStatus.DECLINED, by=receiver)
    with pytest.raises(ReferralError, match="already declined"):
        answer(stale, ReferralStatus.ACCEPTED, by=receiver)
    with pytest.raises(ReferralError):
        answer(Referral.objects.get(pk=referral.pk), ReferralStatus.COMPLETED, by=receiver)
    with pytest.raises(InputError):
        answer(Referral.objects.get(pk=referral.pk), ReferralStatus.SENT, by=receiver)
    assert Referral.objects.get(pk=referral.pk).status == ReferralStatus.DECLINED
    assert_audited("update", referral)  # the one answer that happened


def test_it_hides_the_shared_record_once_consent_is_withdrawn(cast, caseworker, receiver,
                                                              partner_entry, give_consent):
    consent = give_consent(ConsentPurpose.REFERRAL, ["prs_FirstName"])
    referral = refer(cast, caseworker, partner_entry)
    assert referral.visible_record()["persons"]
    consent.withdraw(by=caseworker)
    assert Referral.objects.get(pk=referral.pk).visible_record() == {}


def test_it_refuses_a_provider_from_another_directory(cast, caseworker, give_consent):
    from harborlight.referrals.models import ServiceProvider

    foreign = ServiceProvider.objects.create(organisation=cast.other, name="Theirs")
    give_consent(ConsentPurpose.REFERRAL, [])
    with pytest.raises(ReferralError, match="your organisation's directory"):
        refer(cast, caseworker, foreign)
