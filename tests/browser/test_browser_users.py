"""The users page in the browser: an administrator adds people; bad input gets a message
next to the field it concerns; the set-up link is shown once, on the page itself."""

from __future__ import annotations

import pytest

from harborlight.accounts.models import Role, User

pytestmark = pytest.mark.browser


def test_it_asks_for_a_role_next_to_the_role_field(signed_in, cast):
    site = signed_in(cast.role(Role.ADMINISTRATOR))
    site.goto("/accounts/users/")
    assert site.page.get_by_label("Role").input_value() == ""  # no default role
    site.submit("Add user", status=400, Username="new.caseworker")

    role = site.page.get_by_label("Role")
    assert role.get_attribute("aria-invalid") == "true"
    assert "required" in site.page.locator("#id_role_error").inner_text()
    assert site.page.get_by_label("Username").get_attribute("aria-invalid") is None
    assert not User.objects.filter(username="new.caseworker").exists()


def test_it_adds_an_analyst_and_shows_the_set_up_link_once(signed_in, cast):
    site = signed_in(cast.role(Role.ADMINISTRATOR))
    site.goto("/accounts/users/")
    site.page.get_by_label("Role").select_option(label="Analyst")
    site.submit("Add user", status=201, Username="new.analyst")
    link = site.text("code.setup-link")
    assert "/accounts/setup/" in link
    created = User.objects.get(username="new.analyst")
    assert created.organisation == cast.own and not created.is_active
    site.goto("/accounts/users/")
    assert "new.analyst" in site.text("main table") and link not in site.text()


def test_it_keeps_other_roles_out_of_the_users_page(signed_in, cast):
    site = signed_in(cast.role(Role.CASEWORKER))
    site.goto("/accounts/users/", status=403)
