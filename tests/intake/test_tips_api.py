"""POST /api/v1/tips (public) and GET /api/v1/tips/{reference} (staff)."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from harborlight.intake.models import Tip
from harborlight.intake.triage import create_tip
from tests_support import assert_audited

URL = "/api/v1/tips"


def _post(client, payload, **extra):
    body = payload if isinstance(payload, (bytes, str)) else json.dumps(payload)
    return client.post(URL, body, content_type="application/json", **extra)


def test_it_accepts_a_public_report_without_credentials(cast):
    response = _post(Client(), {"narrative": "They took her passport and she owes a debt.",
                                "answers": {"happening_now": "yes"}, "language": "es"})
    assert response.status_code == 201, response.content
    data = response.json()
    tip = Tip.objects.get(reference=data["reference"])
    assert_audited("create", tip)
    assert tip.submitted_publicly and tip.language == "es"
    assert data["passphrase"] and data["follow_up_url"] == "/report/follow-up/"
    assert not response.cookies


def test_it_documents_the_public_operation_in_the_openapi_schema(cast):
    schema = Client().get("/api/v1/openapi.json").json()
    operation = schema["paths"]["/api/v1/tips"]["post"]
    assert "security" not in operation
    assert "201" in operation["responses"] and "400" in operation["responses"]
    get_operation = schema["paths"]["/api/v1/tips/{reference}"]["get"]
    assert get_operation["security"]


@pytest.mark.parametrize("payload, field", [
    ({}, "narrative"),
    ({"narrative": ""}, "narrative"),
    ({"narrative": "   "}, "narrative"),
    ({"narrative": "x" * 10_001}, "narrative"),
    ({"narrative": "ok", "location": "y" * 501}, "location"),
    ({"narrative": "ok", "answers": {"danger_now": "maybe"}}, "answers.danger_now"),
    ({"narrative": "bad \ud800 surrogate"}, "narrative"),
    ({"narrative": "nul \x00 char"}, "narrative"),
])
def test_it_refuses_bad_input_with_one_error_shape_and_stores_nothing(cast, payload, field):
    response = _post(Client(), json.dumps(payload))
    assert response.status_code == 400, response.content
    errors = response.json()["errors"]
    assert any(error["field"] == field for error in errors), errors
    assert all(error["message"] for error in errors)
    assert not Tip.objects.filter(submitted_publicly=True).exists()


def test_it_refuses_a_body_that_is_not_json(cast):
    response = _post(Client(), b"\xff\xfe not json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "body"
    assert not Tip.objects.filter(submitted_publicly=True).exists()


def test_it_keeps_html_as_text(cast):
    response = _post(Client(), {"narrative": "<img src=x onerror=alert(1)>"})
    tip = Tip.objects.get(reference=response.json()["reference"])
    assert tip.narrative == "<img src=x onerror=alert(1)>"


def test_it_returns_emergency_guidance_for_an_emergency(cast):
    data = _post(Client(), {"narrative": "A man is hitting her now",
                            "answers": {"danger_now": "yes"}}).json()
    assert any("911" in step for step in data["emergency_guidance"])
    assert any("1-888-373-7888" in step for step in data["emergency_guidance"])


def test_it_gives_staff_the_tip_with_reasons_and_spans(cast, signed_in_client):
    narrative = ("My 15-year-old cousin is posted online for dates with men; she is at a motel "
                 "with one right now. They took her phone.")
    tip, _ = create_tip(cast.own, narrative=narrative, channel="call")
    client = signed_in_client(cast.role("hotline_operator"))
    response = client.get(f"{URL}/{tip.reference}")
    assert response.status_code == 200
    data = response.json()
    assert data["triage_level"] == "emergency"
    assert data["triage_reasons"][0]["level"] == "emergency"
    assert data["triage_reasons"][0]["evidence"]
    assert "SexualExploitation" in data["codings"]["vic_TypeOfExploitation"]
    assert data["codings"]["minor_involved"] == ["Yes"]
    for suggestion in data["suggestions"]:
        span = suggestion["span"]
        assert narrative[span["start"]:span["end"]] == span["text"]
    assert_audited("read", tip)


def test_it_hides_other_organisations_tips_from_the_api(cast, signed_in_client):
    client = signed_in_client(cast.role("hotline_operator"))
    assert client.get(f"{URL}/{cast.other_tip.reference}").status_code == 404


def test_it_refuses_the_staff_read_to_roles_without_tip_view(cast, signed_in_client):
    client = signed_in_client(cast.role("analyst"))
    assert client.get(f"{URL}/{cast.own_tip.reference}").status_code == 403
    assert Client().get(f"{URL}/{cast.own_tip.reference}").status_code == 401


def test_it_refuses_a_body_over_the_upload_limit_and_stores_nothing(cast, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = _post(Client(), {"narrative": "x" * 2000})
    assert response.status_code == 400
    assert not Tip.objects.filter(submitted_publicly=True).exists()


def test_it_runs_the_public_endpoint_in_its_own_short_transaction_only():
    from django.urls import resolve

    assert resolve("/api/v1/tips").func._non_atomic_requests == {"default"}
    assert not hasattr(resolve("/api/v1/tips/T-XXXX-XXXX").func, "_non_atomic_requests")
