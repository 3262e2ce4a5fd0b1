"""Fixtures for referral tests: directory entries of the "own" organisation (one for the
"other" organisation, which uses Harborlight, and one outside provider) and consents."""

from __future__ import annotations

import pytest

from harborlight.accounts.models import Role


@pytest.fixture
def partner_entry(cast):
    from harborlight.referrals.models import ServiceProvider

    return ServiceProvider.objects.create(
        organisation=cast.own, name="Other Shelter intake", partner=cast.other,
        services=["shelter", "legal"], languages=["en", "es"], populations=["adults"],
        city="Houston", state="TX", postal_code="77002", latitude=29.7594,
        longitude=-95.3594, phone="+1 713-555-0120")


@pytest.fixture
def outside_entry(cast):
    from harborlight.referrals.models import ServiceProvider

    return ServiceProvider.objects.create(
        organisation=cast.own, name="Bayou Community Clinic", services=["medical"],
        languages=["en", "vi"], populations=["adults", "youth"], street="1 Clinic Way",
        city="Houston", state="TX", postal_code="77004", latitude=29.72,
        longitude=-95.36, phone="+1 713-555-0155", email="intake@example.org")


@pytest.fixture
def give_consent(cast):
    """``give_consent(purpose, fields, recipient="", case=None)`` records a consent."""
    from harborlight.consent.models import Consent, ConsentMethod

    def give(purpose, fields=(), recipient="", case=None, person=None):
        case = case or cast.own_case
        return Consent.objects.create(
            organisation=case.organisation, case=case, person=person, purpose=purpose,
            recipient=recipient, fields_allowed=list(fields), method=ConsentMethod.VERBAL,
            retention_explained=True, withdrawal_explained=True,
            recorded_by=cast.role(Role.CASEWORKER))

    return give


@pytest.fixture
def caseworker(cast):
    return cast.role(Role.CASEWORKER)


@pytest.fixture
def receiver(cast):
    return cast.outsiders[Role.CASEWORKER]
