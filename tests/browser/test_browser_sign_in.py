"""Signing in through the browser: password, then a TOTP code, enrolment, lockout, sign-out."""

from __future__ import annotations

import base64

import pytest
from browser_support import PASSWORD, give_password, next_code, sign_in
from django_otp.oath import TOTP

from harborlight.accounts.models import Role
from harborlight.accounts.twofactor import confirmed_device, pending_device

pytestmark = pytest.mark.browser


def test_it_signs_in_with_password_and_code(site, cast):
    caseworker = give_password(cast.role(Role.CASEWORKER))
    site.goto("/dashboard/")
    assert site.path == "/accounts/login/"

    site.submit("Continue", Username=caseworker.username, Password=PASSWORD)
    assert site.path == "/accounts/two-factor/"
    assert "Verification code" in site.text("h1")

    site.submit("Sign in", status=200, Verification_code=next_code(caseworker))
    assert site.path == "/dashboard/"
    assert caseworker.username in site.text("header")
    assert site.page.get_by_role("link", name="Cases").is_visible()


def test_it_keeps_the_session_cookie_secure_httponly_and_same_site(signed_in, cast):
    site = signed_in(cast.role(Role.CASEWORKER))
    cookies = {cookie["name"]: cookie for cookie in site.page.context.cookies()}
    session = cookies["harborlight_session"]
    assert session["secure"] and session["httpOnly"]
    assert session["sameSite"] == "Strict"
    assert session["expires"] == -1, "the session cookie ends with the browser"


def test_it_refuses_a_wrong_password_without_saying_which_part_was_wrong(site, cast):
    caseworker = give_password(cast.role(Role.CASEWORKER))
    site.goto("/accounts/login/")
    site.submit("Continue", Username=caseworker.username, Password="not the password 123")
    assert site.path == "/accounts/login/"
    assert "That username and password do not match" in site.text()


def test_it_refuses_a_wrong_code_with_a_message(site, cast):
    caseworker = give_password(cast.role(Role.CASEWORKER))
    right = next_code(caseworker)
    wrong = f"{(int(right) + 500_000) % 1_000_000:06d}"
    site.goto("/accounts/login/")
    site.submit("Continue", Username=caseworker.username, Password=PASSWORD)

    site.submit("Sign in", status=400, Verification_code=wrong)
    assert site.path == "/accounts/two-factor/"
    assert "That code is not right" in site.text()
    site.goto("/dashboard/")
    assert site.path == "/accounts/two-factor/", "a wrong code must not let anyone in"


def test_it_enrols_a_first_time_user_with_the_key_shown_on_the_page(site, cast):
    newcomer = cast.role(Role.SUPERVISOR)
    newcomer.set_password(PASSWORD)
    newcomer.save(update_fields=["password"])
    assert confirmed_device(newcomer) is None

    site.goto("/accounts/login/")
    site.submit("Continue", Username=newcomer.username, Password=PASSWORD)
    assert site.path == "/accounts/two-factor/enrol/"
    key = site.page.locator("code.secret").inner_text().strip()
    assert site.page.locator("img.qr").get_attribute("src").startswith("data:image/svg+xml")

    device = pending_device(newcomer)
    assert key == base64.b32encode(device.bin_key).decode().rstrip("=")
    totp = TOTP(base64.b32decode(key + "=" * (-len(key) % 8)), device.step,
                device.t0, device.digits, device.drift)
    site.submit("Confirm", status=200, Verification_code=f"{totp.token():06d}")

    assert site.page.title().startswith("Dashboard")
    assert "Two-factor sign-in is set up" in site.text()
    assert confirmed_device(newcomer) is not None


def test_it_pauses_sign_in_after_repeated_failures(site, cast, settings):
    caseworker = give_password(cast.role(Role.CASEWORKER))
    site.goto("/accounts/login/")
    for _ in range(settings.LOGIN_MAX_FAILURES):
        site.submit("Continue", Username=caseworker.username, Password="wrong passphrase 000")
        if "Sign-in paused" in site.text("h1"):
            break
    assert "Sign-in paused" in site.text("h1")

    # Even the right password is refused now, and the page still says why.
    site.goto("/accounts/login/")
    site.submit("Continue", Username=caseworker.username, Password=PASSWORD)
    assert "Sign-in paused" in site.text("h1")
    assert site.path == "/accounts/login/"


def test_it_signs_out(signed_in, cast):
    site = signed_in(cast.role(Role.CASEWORKER))
    site.submit("Sign out")
    assert site.path == "/accounts/login/"
    assert "You have signed out" in site.text()

    site.goto("/cases/")
    assert site.path == "/accounts/login/", "after signing out, pages ask for sign-in again"


def test_it_signs_the_same_user_in_twice_in_a_row(new_site, cast):
    caseworker = give_password(cast.role(Role.CASEWORKER))
    for _ in range(2):
        site = new_site()
        sign_in(site, caseworker)
        assert site.page.title().startswith("Dashboard")
