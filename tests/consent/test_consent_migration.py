"""Moving consent out of the cases app keeps every row, on SQLite and PostgreSQL.

The migration changes only Django's picture of the models (the table stays
``cases_consent``), so a database made before it keeps its consents, and the referrals
that relied on them still point at them. This walks the real migrations backwards to
before the move, writes rows with the models as they were, and forwards again.
"""

from __future__ import annotations

import pytest

from tests_support import migrate_to

BEFORE_THE_MOVE = [("consent", None), ("cases", "0005_person_search_indexes"),
                   ("referrals", "0003_one_waiting_transfer_per_case")]


def _old_rows(apps) -> tuple[int, int]:
    """An organisation, a user, a case with a consent, and a referral relying on it."""
    organisation = apps.get_model("accounts", "Organisation").objects.create(
        name="Before", slug="before")
    user = apps.get_model("accounts", "User").objects.create(
        username="before-caseworker", organisation=organisation, role="caseworker")
    case = apps.get_model("cases", "Case").objects.create(
        organisation=organisation, reference="C-BEFO-0001")
    consent = apps.get_model("cases", "Consent").objects.create(
        organisation=organisation, case=case, purpose="referral", method="verbal",
        retention_explained=True, withdrawal_explained=True, wording="Yes, to the shelter",
        fields_allowed=["prs_FirstName"], recorded_by=user)
    referral = apps.get_model("referrals", "Referral").objects.create(
        organisation=organisation, reference="R-BEFO-0001", case=case, consent=consent,
        recipient_name="Shelter", reason="Other", sent_by=user)
    return consent.pk, referral.pk


@pytest.mark.django_db(transaction=True)
def test_it_keeps_every_consent_and_the_referrals_that_rely_on_them():
    try:
        consent_pk, referral_pk = _old_rows(migrate_to(BEFORE_THE_MOVE))
        apps = migrate_to(None)
        consent = apps.get_model("consent", "Consent").objects.get(pk=consent_pk)
        assert consent.wording == "Yes, to the shelter"  # still decrypts
        assert consent.fields_allowed == ["prs_FirstName"]
        assert consent.case.reference == "C-BEFO-0001"
        referral = apps.get_model("referrals", "Referral").objects.get(pk=referral_pk)
        assert referral.consent_id == consent_pk
        content_types = apps.get_model("contenttypes", "ContentType").objects
        assert content_types.filter(app_label="consent", model="consent").exists()
        assert not content_types.filter(app_label="cases", model="consent").exists()
    finally:
        migrate_to(None)
