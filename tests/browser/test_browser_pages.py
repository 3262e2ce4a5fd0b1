"""Every page, as the roles that use it, through the page guards (axe-core, no third-party
requests, no CSP violations), plus the organisation boundary seen from a browser."""

from __future__ import annotations

import json
import random

import pytest

from harborlight.accounts.models import Role
from harborlight.demo.records import create_providers

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("role", Role.values)
def test_it_serves_every_page_in_a_roles_navigation_accessibly(signed_in, cast, role):
    site = signed_in(cast.role(role))
    links = site.page.locator("header nav a")
    targets = [(links.nth(i).inner_text(), links.nth(i).get_attribute("href"))
               for i in range(links.count())]
    assert ("Dashboard", "/dashboard/") in targets
    for label, href in targets:
        site.goto(href)  # status 200 and axe-core on each
        assert site.page.locator("h1").count() == 1, f"{label} ({href}) needs one h1"


def test_it_lets_a_caseworker_open_their_case(signed_in, cast):
    site = signed_in(cast.role(Role.CASEWORKER))
    site.goto("/cases/")
    with site.page.expect_navigation():
        site.page.get_by_role("link", name=cast.own_case.reference).click()
    site.check_accessibility()
    assert site.path == f"/cases/{cast.own_case.reference}/"
    assert "Own case summary" in site.text()
    assert "Marisol Quintero-Vance" in site.text(), "names are decrypted for the caseworker"
    assert "First meeting went well." in site.text()


def test_it_shows_tips_and_the_directory_to_a_caseworker(signed_in, cast):
    create_providers(cast.own, 3, random.Random(7))
    site = signed_in(cast.role(Role.CASEWORKER))
    site.goto("/tips/")
    assert cast.own_tip.reference in site.text()
    assert cast.other_tip.reference not in site.text()
    site.goto(f"/tips/{cast.own_tip.reference}/")
    assert "Own tip narrative" in site.text()
    site.goto("/directory/")
    assert "(demo)" in site.text(), "the organisation's providers are listed"


def test_it_answers_404_for_another_organisations_records(signed_in, cast):
    site = signed_in(cast.outsiders[Role.CASEWORKER])
    site.goto(f"/cases/{cast.own_case.reference}/", status=404)
    assert "Own case summary" not in site.page.content()
    site.goto(f"/tips/{cast.own_tip.reference}/", status=404)
    assert "Own tip narrative" not in site.page.content()
    site.goto(f"/cases/{cast.other_case.reference}/")
    assert "Other organisation's case" in site.text()


def test_it_serves_the_openapi_description_from_its_own_host(signed_in, cast):
    site = signed_in(cast.role(Role.CASEWORKER))
    response = site.goto("/api/v1/openapi.json", accessibility=False)
    site.exempt_from_accessibility("JSON, not a web page")
    assert response.headers["content-type"].startswith("application/json")
    description = json.loads(response.text())
    assert description["info"]["title"] == "Harborlight API"
    assert description["paths"], "the API describes its endpoints"
