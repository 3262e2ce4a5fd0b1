"""Recording and withdrawing consent: informed or refused, belonging to one's own
organisation's case or tip, each act audited once."""

from __future__ import annotations

import pytest

from harborlight.accounts.models import Role
from harborlight.consent.models import (ANYONE, Consent, ConsentError, ConsentMethod,
                                        ConsentPurpose, Recipient, RecipientKind)
from harborlight.referrals.models import ServiceProvider
from tests_support import assert_audited, assert_trail, audit_mark


def _record(cast, by=None, **extra):
    values = {"purpose": ConsentPurpose.REFERRAL, "method": ConsentMethod.VERBAL,
              "retention_explained": True, "withdrawal_explained": True,
              "case": cast.own_case, "recipient": ANYONE, **extra}
    return Consent.objects.record(by=by or cast.role(Role.CASEWORKER), **values)


@pytest.fixture
def shelter(cast):
    return ServiceProvider.objects.create(organisation=cast.own, name="Shelter intake desk",
                                          partner=cast.other)


def test_it_records_a_consent_once_with_its_purpose(cast):
    mark = audit_mark()
    consent = _record(cast, fields_allowed=["prs_FirstName"], recipient=" Other  Shelter ")
    assert consent.organisation == cast.own and consent.recipient == "Other Shelter"
    assert consent.recipient_kind == RecipientKind.NAMED
    assert consent.recorded_by == cast.role(Role.CASEWORKER) and consent.is_active()
    assert_trail(mark, ("create", consent))
    [entry] = assert_audited("create", consent)
    assert entry.details == {"purpose": "referral", "about": cast.own_case.reference,
                             "fields": 1, "recipient": "named"}


def test_it_refuses_a_consent_that_names_no_recipient(cast):
    """An empty recipient never means "anyone": that is a choice of its own."""
    for nobody in (None, "", "   "):
        with pytest.raises(ConsentError, match="Say who may receive") as refused:
            _record(cast, recipient=nobody)
        assert refused.value.field == "recipient"
    assert not Consent.objects.exists()
    assert _record(cast, recipient=ANYONE).recipient_kind == RecipientKind.ANY
    sharing = _record(cast, purpose=ConsentPurpose.DEIDENTIFIED_SHARING, recipient=None)
    assert sharing.recipient_kind == RecipientKind.ANY, "de-identified data names nobody"


def test_it_records_a_directory_entry_with_the_partner_it_stands_for(cast, shelter):
    consent = _record(cast, recipient=Recipient(provider_id=shelter.pk))
    assert consent.recipient_kind == RecipientKind.DIRECTORY
    assert consent.recipient_provider == shelter
    assert consent.recipient_organisation == cast.other
    assert consent.recipient == "Other Shelter", "the partner's own name"


def test_it_refuses_another_organisations_directory_entry(cast):
    theirs = ServiceProvider.objects.create(organisation=cast.other, name="Their entry")
    with pytest.raises(ConsentError, match="directory") as refused:
        _record(cast, recipient=Recipient(provider_id=theirs.pk))
    assert refused.value.field == "recipient" and not Consent.objects.exists()


def test_it_judges_each_recipient_with_a_reason(cast, shelter):
    """One rule decides and explains: the gate's verdict carries its sentence."""
    other_entry = ServiceProvider.objects.create(organisation=cast.own, name="Second desk",
                                                 partner=cast.other)
    clinic = ServiceProvider.objects.create(organisation=cast.own, name="Bayou Clinic")
    by_entry = _record(cast, recipient=Recipient(provider_id=shelter.pk))
    typed = _record(cast, recipient="Other Shelter (typed)")
    anyone = _record(cast, recipient=ANYONE)
    as_sent = Recipient("Other Shelter", shelter.pk, cast.other.pk)

    verdict = by_entry.judge(ConsentPurpose.REFERRAL, as_sent)
    assert verdict.covers and "chosen from the directory" in verdict.reason
    verdict = by_entry.judge(ConsentPurpose.REFERRAL,
                             Recipient("Other Shelter", other_entry.pk, cast.other.pk))
    assert verdict.covers and "stands for" in verdict.reason
    verdict = by_entry.judge(ConsentPurpose.REFERRAL, Recipient("Bayou Clinic", clinic.pk))
    assert not verdict.covers and verdict.reason == \
        "It names Other Shelter, not Bayou Clinic."
    verdict = typed.judge(ConsentPurpose.REFERRAL, as_sent)
    assert not verdict.covers and "typed by hand" in verdict.reason
    assert "choosing Other Shelter from the directory" in verdict.reason
    assert typed.judge(ConsentPurpose.REFERRAL, Recipient("other shelter  (TYPED)")).covers
    assert anyone.judge(ConsentPurpose.REFERRAL, as_sent).covers
    verdict = anyone.judge(ConsentPurpose.TRANSFER, as_sent)
    assert not verdict.covers and "transfer" not in verdict.reason and "referral" in \
        verdict.reason
    anyone.withdraw(by=cast.role(Role.CASEWORKER))
    assert "withdrawn on" in anyone.judge(ConsentPurpose.REFERRAL, as_sent).reason


def test_it_stops_covering_when_its_directory_entry_is_removed(cast, shelter):
    """Removing the entry never widens the consent to anyone; a partner stays named."""
    clinic = ServiceProvider.objects.create(organisation=cast.own, name="Bayou Clinic")
    consent = _record(cast, recipient=Recipient(provider_id=clinic.pk))
    partner_consent = _record(cast, recipient=Recipient(provider_id=shelter.pk))
    clinic.delete()
    shelter.delete()
    consent.refresh_from_db()
    partner_consent.refresh_from_db()
    verdict = consent.judge(ConsentPurpose.REFERRAL, Recipient("Bayou Clinic"))
    assert not verdict.covers and "since removed" in verdict.reason
    assert consent.recipient_kind == RecipientKind.DIRECTORY
    new_entry = ServiceProvider.objects.create(organisation=cast.own, name="New desk",
                                               partner=cast.other)
    assert partner_consent.judge(ConsentPurpose.REFERRAL,
                                 Recipient("Other Shelter", new_entry.pk, cast.other.pk))


@pytest.mark.parametrize("missing", ["retention_explained", "withdrawal_explained"])
def test_it_refuses_consent_that_was_not_informed(cast, missing):
    mark = audit_mark()
    with pytest.raises(ConsentError, match="only informed once") as refused:
        _record(cast, **{missing: False})
    assert refused.value.field == missing
    assert not Consent.objects.exists()
    assert_trail(mark)


def test_it_refuses_a_consent_on_another_organisations_record(cast):
    with pytest.raises(ConsentError):
        _record(cast, case=cast.other_case)
    with pytest.raises(ConsentError):
        _record(cast, case=None, tip=cast.other_tip)
    assert not Consent.objects.exists()


def test_it_withdraws_once_and_keeps_the_row(cast):
    consent = _record(cast)
    consent.withdraw(by=cast.role(Role.CASEWORKER), note="Changed her mind")
    consent.withdraw(by=cast.role(Role.CASEWORKER), note="again")  # already withdrawn
    consent.refresh_from_db()
    assert not consent.is_active() and consent.withdrawal_note == "Changed her mind"
    assert_audited("update", consent)


def test_it_follows_its_cases_restriction_in_lists(cast):
    from harborlight.security.permissions import scope

    visible = _record(cast)
    hidden = _record(cast, case=cast.own_restricted_case)
    on_tip = _record(cast, case=None, tip=cast.own_tip, by=cast.role(Role.HOTLINE_OPERATOR))
    listed = set(scope(cast.teammate, "case.view", Consent.objects.all()))
    assert listed == {visible, on_tip}
    owner = set(scope(cast.role(Role.CASEWORKER), "case.view", Consent.objects.all()))
    assert owner == {visible, hidden, on_tip}
