"""Single sign-on in Chromium, against the local OpenID Connect provider of
tests/oidc_provider.py: the sign-in page's button, the provider's round trip (its session
cookie is SameSite=Strict, so a page of Harborlight's takes the step after the provider),
Harborlight's own code, then the dashboard. With HARBORLIGHT_TOUR_DIR set, the sign-in page
is saved as a screenshot (docs/single-sign-on.md)."""

from __future__ import annotations


import pytest
from browser_support import give_password, next_code

from harborlight.accounts import oidc
from harborlight.accounts.models import Role
from oidc_provider import configured_provider

pytestmark = pytest.mark.browser


@pytest.fixture
def provider(settings):
    with configured_provider(settings, "Harbor Hotline ID") as running:
        yield running


def test_a_caseworker_signs_in_through_the_organisation_s_provider(site, cast, provider):
    caseworker = give_password(cast.role(Role.CASEWORKER))
    oidc.link(caseworker, provider.person["sub"], by=None)

    site.goto("/accounts/login/")
    site.save_for_tour("sso-sign-in")
    site.page.get_by_role("link", name="Sign in with Harbor Hotline ID").click()
    site.page.wait_for_url("**/accounts/two-factor/")
    site.check_accessibility()
    assert "Verification code" in site.text("h1")

    site.submit("Sign in", status=200, Verification_code=next_code(caseworker))
    site.goto("/dashboard/")
    assert site.path == "/dashboard/"
    assert caseworker.username in site.text("header")
    # The provider is this test's own server; the page that hands over to the next
    # step refreshes at once, before axe-core could look at it (its words are checked
    # in tests/accounts/test_sso.py).
    site.requests = [url for url in site.requests if not url.startswith(provider.issuer)]
    site.exempt.update(url for url in site.loaded if "/accounts/sso/callback/" in url)


def test_an_unlinked_person_is_told_what_to_do(site, cast, provider):
    provider.person = {"sub": "00u9z8y7x6w5v4"}
    site.goto("/accounts/login/")
    with site.page.expect_navigation(url="**/accounts/sso/callback/**") as navigation:
        site.page.get_by_role("link", name="Sign in with Harbor Hotline ID").click()
    assert navigation.value.status == 403
    site.check_accessibility()
    assert "is not linked to a Harborlight account" in site.text()
    assert site.page.locator("main code").inner_text() == "00u9z8y7x6w5v4"
    site.save_for_tour("sso-not-linked")
    site.requests = [url for url in site.requests if not url.startswith(provider.issuer)]
