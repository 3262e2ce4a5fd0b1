"""Separation of duties in the browser, as the three people involved walk it: the
administrator adds a caseworker and hands on a link; a supervisor approves on their
dashboard and hands on a code; the new caseworker sets their own password and
authenticator with both, signs in and opens a case. Every page goes through the guards
(axe-core, no third-party requests, CSP)."""

from __future__ import annotations

import pytest

from browser_support import sign_in
from harborlight.accounts.models import Authenticator, Role, User
from harborlight.accounts.twofactor import current_code

pytestmark = pytest.mark.browser

OWN_PASSWORD = "my very own passphrase 2026"


def test_it_takes_an_administrator_a_supervisor_and_the_person_to_make_a_caseworker(
        signed_in, new_site, cast):
    admin = signed_in(cast.role(Role.ADMINISTRATOR))
    admin.goto("/accounts/users/")
    admin.page.get_by_label("Role").select_option(label="Caseworker (advocate)")
    admin.submit("Add user", status=201, Username="new.caseworker", Name="Noor Haddad")
    assert "opens only after a supervisor approves" in admin.text()
    link = admin.text("code.setup-link")

    person = new_site()
    person.goto(link.removeprefix(person.base_url))
    assert person.path == "/accounts/setup/"
    assert "waits for a supervisor's approval" in person.text()
    assert person.page.get_by_label("New password").count() == 0

    supervisor = signed_in(cast.role(Role.SUPERVISOR))
    supervisor.goto("/dashboard/")
    panel = supervisor.text("section[aria-labelledby=approvals-heading]")
    assert "new.caseworker" in panel and "Caseworker" in panel
    supervisor.submit("Approve new.caseworker", status=200)
    code = supervisor.text(".approval-code code")
    assert len(code) == 9 and code[4] == "-"

    person.goto("/accounts/setup/")
    person.submit("Continue", Approval_code=code,
                  New_password=OWN_PASSWORD, New_password_confirmation=OWN_PASSWORD)
    assert "authenticator app" in person.text()
    member = User.objects.get(username="new.caseworker")
    device = Authenticator.objects.get(user=member, confirmed=False)
    person.submit("Finish", Verification_code=current_code(device))
    assert person.path == "/accounts/login/"
    assert "Your account is ready" in person.text()

    member.refresh_from_db()
    assert member.is_active and member.role == Role.CASEWORKER
    sign_in(person, member, password=OWN_PASSWORD)
    person.goto(f"/cases/{cast.own_case.reference}/")
    assert cast.own_case.reference in person.text("h1")
    assert code not in admin.page.content() and link not in supervisor.page.content()


def test_it_keeps_the_set_up_page_closed_to_a_refused_request(signed_in, new_site, cast):
    admin = signed_in(cast.role(Role.ADMINISTRATOR))
    admin.goto("/accounts/users/")
    admin.page.get_by_label("Role").select_option(label="Hotline operator")
    admin.submit("Add user", status=201, Username="new.operator")
    link = admin.text("code.setup-link")

    supervisor = signed_in(cast.role(Role.SUPERVISOR))
    supervisor.goto("/accounts/approvals/")
    supervisor.submit("Refuse new.operator")
    assert "Refused" in supervisor.text()

    person = new_site()
    person.goto(link.removeprefix(person.base_url), status=410)
    assert "no longer works" in person.text()
    assert not User.objects.get(username="new.operator").is_active
