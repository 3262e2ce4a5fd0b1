"""Control characters are refused where text comes in (issue 12, Medium 9): every API
body and query, every form, naming the field; ordinary line breaks and tabs stay."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from harborlight.accounts.models import Role
from harborlight.accounts.tokens import create_token
from harborlight.cases.models import Case, CaseNote
from harborlight.intake.models import Tip
from tests_support import verify_session

pytestmark = pytest.mark.django_db


def bearer(cast, role=Role.CASEWORKER) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {create_token(cast.role(role), label='t')}"}


def post_json(client, url, payload, **extra):
    return client.post(url, json.dumps(payload), content_type="application/json", **extra)


@pytest.mark.parametrize("character", ["\x07", "\x1b", "\x0b", "\x7f", "\x00"])
def test_it_refuses_a_case_summary_with_a_control_character_naming_the_field(
        cast, character):
    before = Case.objects.count()

    response = post_json(Client(), "/api/v1/cases",
                         {"summary": f"met at the{character} station"}, **bearer(cast))

    assert response.status_code == 400, response.content
    [error] = response.json()["errors"]
    assert error["field"] == "summary" and error["code"] == "control_character"
    assert "control character" in error["message"]
    assert Case.objects.count() == before


def test_it_names_a_nested_field(cast):
    response = post_json(Client(), "/api/v1/tips", {
        "narrative": "A man keeps their passports.", "answers": {"danger_now": "ye\x1bs"}})

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "answers.danger_now"


def test_it_refuses_a_control_character_in_a_query_naming_the_parameter(cast):
    response = Client().get("/api/v1/cases", {"limit": "5\x00"}, **bearer(cast))

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "limit"


def test_it_keeps_line_breaks_and_tabs_in_bodies(cast):
    response = post_json(Client(), "/api/v1/cases",
                         {"summary": "first line\nsecond\tline\r\n"}, **bearer(cast))

    assert response.status_code == 201, response.content


def test_it_refuses_a_staff_form_with_a_control_character(cast):
    client = verify_session(Client(), cast.role(Role.CASEWORKER))
    before = CaseNote.objects.count()

    response = client.post(f"/cases/{cast.own_case.reference}/notes/",
                           {"body": "called her \x08 back"})

    assert response.status_code == 400
    assert "control character" in response.content.decode()
    assert "body" in response.content.decode()
    assert CaseNote.objects.count() == before


def test_it_refuses_the_public_form_with_a_control_character(cast):
    response = Client().post("/report/", {"narrative": "They\x1b[31m hold her ID card",
                                          "lang": "en"})

    assert response.status_code == 400
    assert not Tip.objects.filter(submitted_publicly=True).exists()
    body = response.content.decode()
    assert "control characters" in body and "Quick exit" in body  # beside the field
    assert 'name="narrative"' in body
