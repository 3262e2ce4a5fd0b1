"""The referral and directory endpoints: consent gate, scoping, audit, one error shape."""

from __future__ import annotations

import pytest

from harborlight.accounts.models import Role
from harborlight.accounts.tokens import create_token
from harborlight.consent.models import ConsentPurpose
from harborlight.referrals.models import Referral, ReferralStatus
from tests_support import assert_audited, assert_trail, audit_mark


def auth(user) -> dict:
    """One token per user for the test (created once, so its audited creation comes
    before the acts a test counts)."""
    if not hasattr(user, "_test_token"):
        user._test_token = create_token(user)
    return {"HTTP_AUTHORIZATION": f"Bearer {user._test_token}"}


def post(client, url, data, user):
    return client.post(url, data, content_type="application/json", **auth(user))


def test_it_refuses_to_refer_without_consent_in_the_error_shape(cast, client, caseworker,
                                                                partner_entry):
    response = post(client, "/api/v1/referrals", {
        "case": cast.own_case.reference, "provider_id": partner_entry.pk,
        "reason": "AdditionalServicesRequired"}, caseworker)
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert error["field"] == "case" and "No active consent" in error["message"]
    assert error["code"] == "consent_required"
    assert not Referral.objects.exists()


@pytest.mark.parametrize("payload, field", [
    ({"reason": "Whim"}, "reason"),
    ({"kind": "gift"}, "kind"),
    ({"details": "x" * 5001}, "details"),
    ({"provider_id": 999999}, "provider_id"),
])
def test_it_names_the_bad_field(cast, client, caseworker, partner_entry, give_consent,
                                payload, field):
    give_consent(ConsentPurpose.REFERRAL, [])
    body = {"case": cast.own_case.reference, "provider_id": partner_entry.pk,
            "reason": "Other", **payload}
    response = post(client, "/api/v1/referrals", body, caseworker)
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == field
    assert not Referral.objects.exists()


def test_it_sends_and_the_receiver_reads_the_consented_fields_and_accepts(
        cast, client, caseworker, receiver, partner_entry, give_consent):
    give_consent(ConsentPurpose.REFERRAL, ["prs_FirstName"])
    auth(caseworker)
    mark = audit_mark()
    response = post(client, "/api/v1/referrals", {
        "case": cast.own_case.reference, "provider_id": partner_entry.pk,
        "reason": "AdditionalServicesRequired", "services": ["shelter"]}, caseworker)
    assert response.status_code == 201
    reference = response.json()["reference"]
    referral = Referral.objects.get(reference=reference)
    assert_trail(mark, ("disclose", cast.own_case), ("create", referral))  # as on the page

    inbox = client.get("/api/v1/referrals?box=incoming", **auth(receiver)).json()
    assert [item["reference"] for item in inbox] == [reference]
    assert "shared_record" not in inbox[0]
    detail = client.get(f"/api/v1/referrals/{reference}", **auth(receiver))
    body = detail.json()
    assert body["shared_record"]["persons"][0]["fields"] == {
        "prs_FirstName": {"value": "Marisol", "display": "Marisol"}}
    assert "Quintero-Vance" not in detail.content.decode()
    assert body["htcds"]["cas_ReferringOrganisation"] == "Own Hotline"
    [read] = assert_audited("read", referral)
    assert read.actor_id == receiver.pk

    answer = post(client, f"/api/v1/referrals/{reference}/answer", {"decision": "accepted"},
                  receiver)
    assert answer.status_code == 200 and answer.json()["status"] == "accepted"
    again = post(client, f"/api/v1/referrals/{reference}/answer", {"decision": "declined"},
                 receiver)
    assert again.status_code == 409 and again.json()["errors"][0]["code"] == "referral"
    assert Referral.objects.get().status == ReferralStatus.ACCEPTED
    assert_audited("update", referral)  # the accept; the refused second answer wrote nothing


def test_it_hides_referrals_from_organisations_not_involved(cast, client, caseworker,
                                                            outside_entry, give_consent):
    give_consent(ConsentPurpose.REFERRAL, [])
    reference = post(client, "/api/v1/referrals", {
        "case": cast.own_case.reference, "provider_id": outside_entry.pk,
        "reason": "Other"}, caseworker).json()["reference"]
    outsider = cast.outsiders[Role.CASEWORKER]
    assert client.get(f"/api/v1/referrals/{reference}", **auth(outsider)).status_code == 404
    assert client.get("/api/v1/referrals?box=incoming", **auth(outsider)).json() == []
    answer = post(client, f"/api/v1/referrals/{reference}/answer", {"decision": "accepted"},
                  outsider)
    assert answer.status_code == 404


def test_it_refuses_roles_without_referral_actions(cast, client):
    response = client.get("/api/v1/referrals", **auth(cast.role(Role.ANALYST)))
    assert response.status_code == 403


def test_it_searches_the_directory_by_distance(cast, client, caseworker, partner_entry,
                                               outside_entry):
    response = client.get("/api/v1/providers?near=77002&radius_miles=10&service=shelter",
                          **auth(caseworker))
    assert response.status_code == 200
    assert [(p["name"], p["on_harborlight"]) for p in response.json()] == [
        ("Other Shelter intake", True)]
    assert response.json()[0]["distance_miles"] < 1
    unknown = client.get("/api/v1/providers?near=Qwertyville", **auth(caseworker))
    assert unknown.status_code == 400 and unknown.json()["errors"][0]["field"] == "near"


def test_it_opens_a_case_from_an_accepted_referral_once(cast, client, caseworker, receiver,
                                                        partner_entry, give_consent):
    from harborlight.cases.models import Case

    give_consent(ConsentPurpose.REFERRAL, ["prs_FirstName"])
    reference = post(client, "/api/v1/referrals", {
        "case": cast.own_case.reference, "provider_id": partner_entry.pk,
        "reason": "Other"}, caseworker).json()["reference"]
    url = f"/api/v1/referrals/{reference}/case"
    early = post(client, url, {}, receiver)
    assert early.status_code == 409 and "Accept" in early.json()["errors"][0]["message"]
    post(client, f"/api/v1/referrals/{reference}/answer", {"decision": "accepted"}, receiver)
    opened = post(client, url, {}, receiver)
    assert opened.status_code == 201
    case = Case.objects.get(reference=opened.json()["case"])
    assert case.organisation == cast.other and case.persons.get().first_name == "Marisol"
    assert post(client, url, {}, receiver).status_code == 409
    assert post(client, url, {}, caseworker).status_code == 403
