"""Recording and withdrawing consent: informed or refused, belonging to one's own
organisation's case or tip, each act audited once."""

from __future__ import annotations

import pytest

from harborlight.accounts.models import Role
from harborlight.consent.models import Consent, ConsentError, ConsentMethod, ConsentPurpose
from tests_support import assert_audited, assert_trail, audit_mark


def _record(cast, by=None, **extra):
    values = {"purpose": ConsentPurpose.REFERRAL, "method": ConsentMethod.VERBAL,
              "retention_explained": True, "withdrawal_explained": True,
              "case": cast.own_case, **extra}
    return Consent.objects.record(by=by or cast.role(Role.CASEWORKER), **values)


def test_it_records_a_consent_once_with_its_purpose(cast):
    mark = audit_mark()
    consent = _record(cast, fields_allowed=["prs_FirstName"], recipient=" Other Shelter ")
    assert consent.organisation == cast.own and consent.recipient == "Other Shelter"
    assert consent.recorded_by == cast.role(Role.CASEWORKER) and consent.is_active()
    assert_trail(mark, ("create", consent))
    [entry] = assert_audited("create", consent)
    assert entry.details == {"purpose": "referral", "about": cast.own_case.reference,
                             "fields": 1}


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
