"""The shared record: HTCDS fields found through the cases app's map, records about the
consenting person only, and nothing that was not consented."""

from __future__ import annotations

import datetime

import pytest

from harborlight.cases.models import Person, PersonRole
from harborlight.consent.models import ConsentPurpose
from harborlight.cases.models.records import SupportPlan, TraffickingEvent
from harborlight.referrals.snapshot import fields_in, shareable_fields, take


@pytest.fixture
def history(cast):
    survivor = cast.own_case.persons.get()
    other = Person.objects.create(organisation=cast.own, case=cast.own_case,
                                  role=PersonRole.VICTIM, first_name="Yesenia")
    TraffickingEvent.objects.create(organisation=cast.own, case=cast.own_case,
                                    person=survivor, type="Recruitment", city="El Paso",
                                    date=datetime.date(2025, 3, 1),
                                    description="Offered a job by a cousin.")
    TraffickingEvent.objects.create(organisation=cast.own, case=cast.own_case, person=other,
                                    type="Exploitation", city="Denver")
    SupportPlan.objects.create(organisation=cast.own, case=cast.own_case, person=survivor,
                               type="Other", objectives="Finish the GED.")
    return survivor, other


def test_it_shares_events_about_the_consenting_person_only(cast, give_consent, history):
    survivor, _ = history
    consent = give_consent(ConsentPurpose.REFERRAL, ["hte_City", "hte_Type", "prs_FirstName"],
                           person=survivor)
    record = take(cast.own_case, consent.fields_allowed, ConsentPurpose.REFERRAL, consent)
    assert [p["fields"]["prs_FirstName"]["value"] for p in record["persons"]] == ["Marisol"]
    (events,) = record["records"]
    assert events["model"] == "cases.TraffickingEvent"
    assert events["rows"] == [{"person": 0, "fields": {
        "hte_Type": {"value": "Recruitment", "display": "Recruitment"},
        "hte_City": {"value": "El Paso", "display": "El Paso"}}}]
    text = repr(record)
    for withheld in ("Denver", "Yesenia", "Offered a job", "2025-03-01", "GED"):
        assert withheld not in text


def test_it_finds_fields_named_differently_through_the_map(cast, give_consent):
    person = cast.own_case.persons.get()
    person.methods_of_control = ["DebtBondage"]
    person.save()
    consent = give_consent(ConsentPurpose.REFERRAL, ["vic_MethodsOfControl",
                                                     "vic_TraffickingStatus"])
    record = take(cast.own_case, consent.fields_allowed, ConsentPurpose.REFERRAL, consent)
    assert record["persons"][0]["fields"]["vic_MethodsOfControl"]["value"] == ["DebtBondage"]
    assert record["case"]["vic_TraffickingStatus"]["value"] == \
        cast.own_case.trafficking_status
    assert record["missing"] == []


def test_it_offers_no_referral_detail_or_perpetrator_field_for_a_referral():
    names = shareable_fields(ConsentPurpose.REFERRAL)
    assert "prs_FirstName" in names and "hte_City" in names and "spl_Objectives" in names
    assert not any(n.startswith("per_") or "Referr" in n for n in names)
    assert "per_RoleInProcess" in shareable_fields(ConsentPurpose.TRANSFER)


def test_it_ignores_consented_names_that_are_not_shareable(cast, give_consent):
    consent = give_consent(ConsentPurpose.REFERRAL, ["cas_ReferredOrganisation", "nope_Field",
                                                     "per_RoleDetails"])
    record = take(cast.own_case, consent.fields_allowed, ConsentPurpose.REFERRAL, consent)
    assert fields_in(record) == []


def test_it_takes_the_whole_case_for_a_transfer_consent_without_fields(cast, give_consent,
                                                                       history):
    consent = give_consent(ConsentPurpose.TRANSFER, [])
    record = take(cast.own_case, [], ConsentPurpose.TRANSFER, consent)
    text = repr(record)
    for value in ("Marisol", "Quintero-Vance", "Yesenia", "Denver", "Offered a job",
                  "Finish the GED.", "First meeting went well.", "Own case summary"):
        assert value in text


def test_it_never_shares_an_erased_or_merged_person(cast, give_consent):
    from django.utils import timezone

    Person.objects.filter(case=cast.own_case).update(erased_at=timezone.now())
    consent = give_consent(ConsentPurpose.TRANSFER, [])
    record = take(cast.own_case, [], ConsentPurpose.TRANSFER, consent)
    assert record["persons"] == [] and "Marisol" not in repr(record)


def test_it_removes_an_erased_person_from_every_referral_copy(cast, give_consent, history):
    from harborlight.cases.erasure import erase_person
    from harborlight.referrals.models import Referral, ServiceProvider
    from harborlight.referrals.sending import send

    survivor, _ = history
    entry = ServiceProvider.objects.create(organisation=cast.own, name="Clinic")
    give_consent(ConsentPurpose.REFERRAL, ["prs_FirstName", "hte_City"])
    referral = send(cast.own_case, by=cast.teammate, provider=entry, reason="Other")
    assert "Marisol" in repr(referral.shared_record) and "El Paso" in repr(
        referral.shared_record)
    erase_person(survivor, by=cast.teammate, reason="Data-subject request by phone")
    kept = Referral.objects.get(pk=referral.pk)
    assert "Marisol" not in repr(kept.shared_record)
    assert "El Paso" not in repr(kept.shared_record)
    assert "Yesenia" in repr(kept.shared_record), "the other survivor's entry stays"
    assert "source" not in repr(kept.visible_record())
