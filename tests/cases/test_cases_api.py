"""The case endpoints of the HTTP API: tokens, scoping, audit, and per-field errors."""

from __future__ import annotations

import json

import pytest
from django.utils import timezone

from harborlight.accounts.models import ApiToken, Role
from harborlight.accounts.tokens import create_token
from harborlight.cases.models import Case
from tests_support import assert_audited, assert_trail, audit_mark


def _auth(token: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


@pytest.fixture
def caseworker_token(cast) -> str:
    return create_token(cast.role(Role.CASEWORKER), label="test")


def test_it_stores_only_a_digest_of_the_token(cast, caseworker_token):
    row = ApiToken.objects.get()
    assert caseworker_token.split("_")[2] not in row.digest
    assert caseworker_token not in json.dumps(list(ApiToken.objects.values()), default=str)


def test_it_lists_only_own_organisation_cases(cast, client, caseworker_token):
    response = client.get("/api/v1/cases", **_auth(caseworker_token))
    assert response.status_code == 200
    references = {item["reference"] for item in response.json()}
    assert cast.own_case.reference in references
    assert cast.other_case.reference not in references


def test_it_audits_reads_of_one_case(cast, client, caseworker_token):
    response = client.get(f"/api/v1/cases/{cast.own_case.reference}", **_auth(caseworker_token))
    assert response.status_code == 200 and response.json()["reference"] == cast.own_case.reference
    [entry] = assert_audited("read", cast.own_case)
    assert entry.actor_id == cast.role(Role.CASEWORKER).pk


def test_it_answers_404_for_another_organisations_case(cast, client, caseworker_token):
    response = client.get(f"/api/v1/cases/{cast.other_case.reference}",
                          **_auth(caseworker_token))
    assert response.status_code == 404
    assert response.json() == {"errors": [{"field": "", "message": "No such record."}]}


def test_it_refuses_roles_without_the_action(cast, client):
    token = create_token(cast.role(Role.ANALYST))
    response = client.get("/api/v1/cases", **_auth(token))
    assert response.status_code == 403 and "case.view" in response.json()["errors"][0]["message"]


@pytest.mark.parametrize("token", ["", "hlt_nope_nope", "Bearer", "hlt_abc"])
def test_it_refuses_bad_tokens(cast, client, token):
    assert client.get("/api/v1/cases", **_auth(token)).status_code == 401


def test_it_refuses_revoked_tokens(cast, client, caseworker_token):
    ApiToken.objects.update(revoked_at=timezone.now())
    assert client.get("/api/v1/cases", **_auth(caseworker_token)).status_code == 401


def test_it_creates_a_case_in_the_callers_organisation(cast, client, caseworker_token):
    mark = audit_mark()
    response = client.post("/api/v1/cases", {"summary": "Opened by phone"},
                           content_type="application/json", **_auth(caseworker_token))
    assert response.status_code == 201
    case = Case.objects.get(reference=response.json()["reference"])
    assert case.organisation == cast.own and case.summary == "Opened by phone"
    assert case.owner == cast.role(Role.CASEWORKER)  # the same rule as the page: open_new
    assert_trail(mark, ("create", case))


def test_it_opens_a_case_nobody_owns_when_the_caller_cannot_hold_cases(cast, client):
    token = create_token(cast.role(Role.HOTLINE_OPERATOR))
    response = client.post("/api/v1/cases", {"summary": "From the hotline"},
                           content_type="application/json", **_auth(token))
    assert response.status_code == 201
    assert Case.objects.get(reference=response.json()["reference"]).owner is None


def test_it_explains_bad_input_field_by_field_and_saves_nothing(cast, client, caseworker_token):
    before = Case.objects.count()
    response = client.post("/api/v1/cases",
                           {"status": "Sleeping", "restricted": "perhaps", "summary": "x" * 20001},
                           content_type="application/json", **_auth(caseworker_token))
    assert response.status_code == 400
    fields = {error["field"] for error in response.json()["errors"]}
    assert fields == {"status", "restricted", "summary"}
    assert Case.objects.count() == before


def test_it_answers_malformed_json_with_400(cast, client, caseworker_token):
    response = client.post("/api/v1/cases", "{not json", content_type="application/json",
                           **_auth(caseworker_token))
    assert response.status_code == 400 and response.json()["errors"]


def test_it_serves_an_openapi_document(client, db):
    document = client.get("/api/v1/openapi.json").json()
    assert document["info"]["title"] == "Harborlight API"
    assert "/api/v1/cases/{reference}" in document["paths"]


def test_it_requests_and_approves_closure_through_the_api(cast, client, caseworker_token):
    url = f"/api/v1/cases/{cast.own_case.reference}/closure"
    response = client.post(url, {"reason": "Goals met"}, content_type="application/json",
                           **_auth(caseworker_token))
    assert response.status_code == 200 and response.json()["closure_requested"] is True
    refused = client.post(url + "/approve", **_auth(caseworker_token))
    assert refused.status_code == 403
    supervisor = create_token(cast.role(Role.SUPERVISOR), label="s")
    approved = client.post(url + "/approve", **_auth(supervisor))
    assert approved.status_code == 200 and approved.json()["status"] == "Closed"
    mark = audit_mark()
    again = client.post(url + "/approve", **_auth(supervisor))
    assert again.status_code == 409
    assert again.json()["errors"] == [{"field": "", "code": "workflow",
                                       "message": "There is no closure request to approve."}]
    assert_trail(mark)
    assert_audited("update", cast.own_case, times=2)


def test_it_lists_a_cases_people_with_htcds_names(cast, client, caseworker_token):
    response = client.get(f"/api/v1/cases/{cast.own_case.reference}/persons",
                          **_auth(caseworker_token))
    assert response.status_code == 200
    assert response.json()[0]["htcds"]["prs_SecondName"] == "Quintero-Vance"
    other = client.get(f"/api/v1/cases/{cast.other_case.reference}/persons",
                       **_auth(caseworker_token))
    assert other.status_code == 404
