"""Transfers: consent-gated, a new case for the receiver, a closed record for the sender."""

from __future__ import annotations

import pytest

from harborlight.cases.models import Case, CaseStatus
from harborlight.consent.disclosure import ConsentRequired
from harborlight.consent.models import ConsentPurpose
from harborlight.referrals.answering import answer
from harborlight.referrals.models import ReferralError, ReferralKind, ReferralStatus
from harborlight.referrals.sending import send
from tests_support import assert_audited, assert_trail, audit_mark


def transfer(cast, by, entry, case=None):
    return send(case or cast.own_case, by=by, provider=entry, kind=ReferralKind.TRANSFER,
                reason="MigrationOrChangeOfLocation", details="Moving to Houston.")


def test_it_needs_a_transfer_consent_not_a_referral_one(cast, caseworker, partner_entry,
                                                        give_consent):
    give_consent(ConsentPurpose.REFERRAL, [])
    mark = audit_mark()
    with pytest.raises(ConsentRequired, match="ransfer"):
        transfer(cast, caseworker, partner_entry)
    assert_trail(mark)


def test_it_transfers_only_to_an_organisation_on_harborlight(cast, caseworker, outside_entry,
                                                             give_consent):
    give_consent(ConsentPurpose.TRANSFER, [])
    with pytest.raises(ReferralError, match="uses Harborlight"):
        transfer(cast, caseworker, outside_entry)


def test_it_opens_a_case_for_the_receiver_and_closes_the_senders(cast, caseworker, receiver,
                                                                 partner_entry, give_consent):
    give_consent(ConsentPurpose.TRANSFER, [])  # a transfer consent: the whole case
    referral = transfer(cast, caseworker, partner_entry)
    assert Case.objects.get(pk=cast.own_case.pk).status == CaseStatus.ACTIVE
    mark = audit_mark()
    answer(referral, ReferralStatus.ACCEPTED, by=receiver)
    old = Case.objects.get(pk=cast.own_case.pk)
    assert old.status == CaseStatus.CLOSED_REFERRED
    assert old.closed_at is not None
    assert referral.reference in old.reason_for_closure
    assert old.persons.count() == 1 and old.notes.count() == 1, "the sender keeps its record"
    new = referral.received_case
    assert new.organisation == cast.other and new.owner == receiver
    assert new.status == CaseStatus.ACTIVE and new.reference != old.reference
    person = new.persons.get()
    assert (person.first_name, person.second_name, person.mobile_phone) == (
        "Marisol", "Quintero-Vance", "+1 202-555-0143")
    assert person.organisation == cast.other
    bodies = [note.body for note in new.notes.all()]
    assert any("First meeting went well." in body for body in bodies)
    assert any("Own case summary" in body for body in bodies)
    assert referral.status == ReferralStatus.ACCEPTED
    # The answer on the referral, the case it opened, and the sender's case it closed:
    # each once, the last in the sender's own trail. People and notes copied into the new
    # case are part of opening it.
    assert_trail(mark, ("update", referral), ("create", new), ("update", old))
    [closed] = assert_audited("update", old)
    assert closed.organisation_id == cast.own.pk and closed.details["change"] == "transferred"
    [opened] = assert_audited("create", new)
    assert opened.organisation_id == cast.other.pk
    assert opened.details["referral"] == referral.reference


def test_it_transfers_only_the_named_fields_when_the_consent_names_some(
        cast, caseworker, receiver, partner_entry, give_consent):
    give_consent(ConsentPurpose.TRANSFER, ["prs_FirstName"])
    referral = transfer(cast, caseworker, partner_entry)
    answer(referral, ReferralStatus.ACCEPTED, by=receiver)
    person = referral.received_case.persons.get()
    assert person.first_name == "Marisol"
    assert person.second_name == "" and person.mobile_phone == ""
    assert not referral.received_case.notes.exists()


def test_it_lets_the_receiver_decline_and_the_sender_keeps_the_case_open(
        cast, caseworker, receiver, partner_entry, give_consent):
    give_consent(ConsentPurpose.TRANSFER, [])
    referral = transfer(cast, caseworker, partner_entry)
    mark = audit_mark()
    answer(referral, ReferralStatus.DECLINED, by=receiver, note="We cannot take it.")
    assert_trail(mark, ("update", referral))
    assert Case.objects.get(pk=cast.own_case.pk).status == CaseStatus.ACTIVE
    assert not Case.objects.filter(organisation=cast.other).exclude(
        pk=cast.other_case.pk).exists()


def test_it_refuses_a_second_transfer_while_one_waits(cast, caseworker, partner_entry,
                                                     give_consent):
    give_consent(ConsentPurpose.TRANSFER, [])
    transfer(cast, caseworker, partner_entry)
    with pytest.raises(ReferralError, match="already waiting"):
        transfer(cast, caseworker, partner_entry)


def test_it_refuses_to_transfer_a_closed_case(cast, caseworker, partner_entry, give_consent):
    Case.objects.filter(pk=cast.own_case.pk).update(status=CaseStatus.CLOSED)
    cast.own_case.refresh_from_db()
    give_consent(ConsentPurpose.TRANSFER, [])
    with pytest.raises(ReferralError, match="open case"):
        transfer(cast, caseworker, partner_entry)


def test_it_creates_nothing_if_the_sender_closed_the_case_meanwhile(
        cast, caseworker, receiver, partner_entry, give_consent):
    give_consent(ConsentPurpose.TRANSFER, [])
    referral = transfer(cast, caseworker, partner_entry)
    Case.objects.filter(pk=cast.own_case.pk).update(status=CaseStatus.CLOSED)
    before, mark = Case.objects.count(), audit_mark()
    with pytest.raises(ReferralError, match="closed this case"):
        answer(referral, ReferralStatus.ACCEPTED, by=receiver)
    assert Case.objects.count() == before
    assert_trail(mark)  # nothing happened, so nothing is recorded
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.SENT


def test_it_moves_events_and_plans_with_their_people(cast, caseworker, receiver,
                                                     partner_entry, give_consent):
    import datetime

    from harborlight.cases.models.records import SupportPlan, TraffickingEvent

    survivor = cast.own_case.persons.get()
    TraffickingEvent.objects.create(organisation=cast.own, case=cast.own_case,
                                    person=survivor, type="Transit", city="Laredo",
                                    date=datetime.date(2025, 4, 2), street="1 Hidden Rd")
    SupportPlan.objects.create(organisation=cast.own, case=cast.own_case, type="Other",
                               objectives="Safe housing by spring.")
    give_consent(ConsentPurpose.TRANSFER, [])
    referral = transfer(cast, caseworker, partner_entry)
    answer(referral, ReferralStatus.ACCEPTED, by=receiver)
    new = referral.received_case
    event = TraffickingEvent.objects.get(case=new)
    assert (event.type, event.city, event.street, event.date) == (
        "Transit", "Laredo", "1 Hidden Rd", datetime.date(2025, 4, 2))
    assert event.person == new.persons.get() and event.organisation == cast.other
    plan = SupportPlan.objects.get(case=new)
    assert plan.objectives == "Safe housing by spring." and plan.person is None
    assert TraffickingEvent.objects.filter(case=cast.own_case).count() == 1, \
        "the sender keeps its own"


def test_it_lets_the_database_refuse_a_second_waiting_transfer(cast, caseworker, receiver,
                                                               partner_entry, give_consent):
    from django.db import IntegrityError, transaction

    from harborlight.referrals.models import Referral

    give_consent(ConsentPurpose.TRANSFER, [])
    first = transfer(cast, caseworker, partner_entry)
    with pytest.raises(IntegrityError), transaction.atomic():
        Referral.objects.create(organisation=cast.own, reference="R-RACE-0001",
                                kind=ReferralKind.TRANSFER, case=cast.own_case,
                                recipient_name="x", reason="Other", sent_by=caseworker)
    answer(first, ReferralStatus.DECLINED, by=receiver)
    transfer(cast, caseworker, partner_entry)  # allowed again once the first is answered
