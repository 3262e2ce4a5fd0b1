"""The API validates strictly and answers 400 naming the field, never 500 (issue 12,
Low): paging parameters, a line break in a search, loose bodies; and its error page
holds for token users."""

from __future__ import annotations

import json

import pytest
from django.test import Client, RequestFactory

from harborlight.accounts.models import Role
from harborlight.accounts.tokens import create_token
from harborlight.cases.models import Case
from harborlight.web.views import server_error

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(cast):
    client = Client(raise_request_exception=False)
    token = create_token(cast.role(Role.SUPERVISOR), label="t")
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    return client


def fields(response) -> list[str]:
    return [error["field"] for error in response.json()["errors"]]


@pytest.mark.parametrize("url", ["/api/v1/cases", "/api/v1/referrals"])
@pytest.mark.parametrize("query, field", [
    ("offset=-1", "offset"), (f"offset={10 ** 20}", "offset"), ("offset=abc", "offset"),
    ("limit=0", "limit"), ("limit=-5", "limit"), ("limit=501", "limit"),
])
def test_it_refuses_paging_out_of_range_naming_the_parameter(api, url, query, field):
    response = api.get(f"{url}?{query}")

    assert response.status_code == 400, response.content
    assert fields(response) == [field]


def test_it_pages_within_range(api, cast):
    response = api.get("/api/v1/cases?offset=0&limit=500")

    assert response.status_code == 200
    assert api.get(f"/api/v1/cases?offset=100000").json() == []


def test_it_refuses_a_line_break_in_near(api):
    response = api.get("/api/v1/providers", {"near": "Spring\nfield", "radius_miles": "5"})

    assert response.status_code == 400
    assert fields(response) == ["near"]


@pytest.mark.parametrize("body", ["[null, null]", "[]", "null", '"case"', "1",
                                  '{"summary": null}', '{"restricted": "yes please"}',
                                  '{"status": "Active", "surprise": 1}'])
def test_it_refuses_loose_bodies_naming_the_field(api, body):
    before = Case.objects.count()

    response = api.post("/api/v1/cases", body, content_type="application/json")

    assert response.status_code == 400, response.content
    assert fields(response) and all(fields(response))
    assert Case.objects.count() == before


def test_its_error_page_holds_for_a_token_user(cast):
    request = RequestFactory().get("/api/v1/cases")
    request.user = cast.role(Role.CASEWORKER)  # as the bearer token sets it: no OTP wrapper

    response = server_error(request)

    assert response.status_code == 500
    assert json.loads(response.content)["errors"][0]["message"]


def test_its_error_page_for_pages_holds_without_a_second_factor_wrapper(cast):
    request = RequestFactory().get("/cases/")
    request.user = cast.role(Role.CASEWORKER)

    response = server_error(request)

    assert response.status_code == 500
    assert b"Something went wrong" in response.content
