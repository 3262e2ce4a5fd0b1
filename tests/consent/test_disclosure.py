"""The disclosure gate: consent (or a recorded legal duty) first, audited every time."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from harborlight.accounts.models import Role
from harborlight.consent.disclosure import ConsentRequired, disclose
from harborlight.consent.models import Consent, ConsentMethod, ConsentPurpose
from harborlight.security.audit.models import AuditEntry
from tests_support import assert_audited


def _consent(cast, purpose, **extra) -> Consent:
    return Consent.objects.create(
        organisation=cast.own, case=cast.own_case, purpose=purpose,
        method=ConsentMethod.VERBAL, retention_explained=True, withdrawal_explained=True,
        recorded_by=cast.role(Role.CASEWORKER), **extra)


def test_it_refuses_a_disclosure_without_consent(cast):
    with pytest.raises(ConsentRequired, match="No active consent for referral"):
        disclose(cast.role(Role.CASEWORKER), cast.own_case, ConsentPurpose.REFERRAL,
                 case=cast.own_case)
    assert not AuditEntry.objects.filter(action="disclose").exists()


def test_it_names_the_consent_it_relied_on_in_the_audit_trail(cast):
    consent = _consent(cast, ConsentPurpose.REFERRAL)
    basis = disclose(cast.role(Role.CASEWORKER), cast.own_case, ConsentPurpose.REFERRAL,
                     case=cast.own_case, recipient="Safe Passage Shelter")
    assert basis.consent == consent
    [entry] = assert_audited("disclose", cast.own_case)
    assert entry.details["consent"] == consent.pk
    assert entry.reason == f"consent {consent.pk} (referral)"


def test_it_does_not_use_consent_given_for_another_purpose(cast):
    _consent(cast, ConsentPurpose.REFERRAL)
    with pytest.raises(ConsentRequired):
        disclose(cast.role(Role.CASEWORKER), cast.own_case, ConsentPurpose.TRANSFER,
                 case=cast.own_case)


def test_it_stops_at_withdrawn_or_expired_consent(cast):
    consent = _consent(cast, ConsentPurpose.DEIDENTIFIED_SHARING)
    consent.withdraw(by=cast.role(Role.CASEWORKER), note="Changed her mind")
    _consent(cast, ConsentPurpose.DEIDENTIFIED_SHARING,
             expires_at=timezone.now() - timedelta(days=1))
    with pytest.raises(ConsentRequired):
        disclose(cast.role(Role.CASEWORKER), cast.own_case,
                 ConsentPurpose.DEIDENTIFIED_SHARING, case=cast.own_case)
    consent.refresh_from_db()
    assert consent.withdrawn_at is not None and consent.withdrawal_note == "Changed her mind"


def test_it_keeps_consent_to_its_named_recipient(cast):
    _consent(cast, ConsentPurpose.REFERRAL, recipient="Northstar Legal Aid")
    with pytest.raises(ConsentRequired, match="to Other Clinic"):
        disclose(cast.role(Role.CASEWORKER), cast.own_case, ConsentPurpose.REFERRAL,
                 case=cast.own_case, recipient="Other Clinic")
    assert disclose(cast.role(Role.CASEWORKER), cast.own_case, ConsentPurpose.REFERRAL,
                    case=cast.own_case, recipient="Northstar Legal Aid").consent


def test_it_accepts_a_mandatory_report_only_for_law_enforcement(cast):
    reason = "Minor in immediate danger; state law requires a report"
    with pytest.raises(ConsentRequired):
        disclose(cast.role(Role.SUPERVISOR), cast.own_case, ConsentPurpose.REFERRAL,
                 case=cast.own_case, mandatory_reason=reason)
    with pytest.raises(ConsentRequired, match="at least 15 characters"):
        disclose(cast.role(Role.SUPERVISOR), cast.own_case, ConsentPurpose.LAW_ENFORCEMENT,
                 case=cast.own_case, mandatory_reason="minor")
    basis = disclose(cast.role(Role.SUPERVISOR), cast.own_case,
                     ConsentPurpose.LAW_ENFORCEMENT, case=cast.own_case,
                     mandatory_reason=reason)
    assert basis.consent is None
    entry = AuditEntry.objects.get(action="disclose")
    assert entry.details["mandatory_report"] is True and reason in entry.reason


def test_it_gates_tips_before_a_case_exists(cast):
    Consent.objects.create(organisation=cast.own, tip=cast.own_tip,
                           purpose=ConsentPurpose.LAW_ENFORCEMENT, method=ConsentMethod.VERBAL,
                           retention_explained=True, withdrawal_explained=True,
                           recorded_by=cast.role(Role.HOTLINE_OPERATOR))
    assert disclose(cast.role(Role.HOTLINE_OPERATOR), cast.own_tip,
                    ConsentPurpose.LAW_ENFORCEMENT, tip=cast.own_tip).consent is not None
