"""The users page in the browser: an administrator creates users; bad input gets a message
next to the field it concerns."""

from __future__ import annotations

import pytest

from harborlight.accounts.models import Role, User

pytestmark = pytest.mark.browser


def test_it_explains_a_weak_password_next_to_the_password_field(signed_in, cast):
    site = signed_in(cast.role(Role.ADMINISTRATOR))
    site.goto("/accounts/users/")
    site.page.get_by_label("Role").select_option(label="Caseworker (advocate)")
    site.submit("Add user", status=400, Username="new.caseworker", Password="short")

    password = site.page.get_by_label("Password")
    assert password.get_attribute("aria-invalid") == "true"
    message = site.page.locator("#id_password_error").inner_text()
    assert "too short" in message
    assert "id_password_error" in password.get_attribute("aria-describedby")
    assert site.page.get_by_label("Username").get_attribute("aria-invalid") is None
    assert not User.objects.filter(username="new.caseworker").exists()


def test_it_creates_a_user_who_must_enrol_two_factor(signed_in, cast):
    site = signed_in(cast.role(Role.ADMINISTRATOR))
    site.goto("/accounts/users/")
    site.page.get_by_label("Role").select_option(label="Caseworker (advocate)")
    site.submit("Add user", status=200, Username="new.caseworker",
                Password="a sound temporary passphrase")
    assert "Created new.caseworker" in site.text()
    created = User.objects.get(username="new.caseworker")
    assert created.organisation == cast.own
    assert "new.caseworker" in site.text("main table")


def test_it_keeps_other_roles_out_of_the_users_page(signed_in, cast):
    site = signed_in(cast.role(Role.CASEWORKER))
    site.goto("/accounts/users/", status=403)
