"""A person's history in Chromium: the caseworker reads what changed, in words; a
supervisor puts an earlier value back. With HARBORLIGHT_TOUR_DIR set, the pages are saved
as screenshots (docs/history.md)."""

from __future__ import annotations


import pytest

from harborlight.accounts.models import Role
from harborlight.security.audit.context import acting_as

pytestmark = pytest.mark.browser


def test_the_history_shows_changes_in_words_and_a_supervisor_restores_one(signed_in, cast):
    case = cast.own_case
    person = case.persons.get()
    with acting_as(cast.role(Role.CASEWORKER)):  # two edits, as the edit form saves them
        person.mobile_phone, person.mailing_city = "+1 202-555-0101", "Tucson"
        person.methods_of_control = ["DebtBondage", "Threats"]
        person.save()
        person.mobile_phone = "+1 202-555-0199"
        person.methods_of_control = ["DebtBondage"]
        person.save()

    caseworker = signed_in(cast.role(Role.CASEWORKER))
    caseworker.goto(f"/cases/{case.reference}/")
    for link in ("History of this case", "Marisol Quintero-Vance"):
        with caseworker.page.expect_navigation():
            caseworker.page.get_by_role("link", name=link).click()
        caseworker.check_accessibility()
        if link == "History of this case":
            caseworker.save_for_tour("history-case")
    text = caseworker.text()
    assert "History of Marisol Quintero-Vance" in text
    assert "Version 3: Updated" in text and "Debt bondage" in text
    assert "DebtBondage" not in text and "Put this value back" not in text
    caseworker.save_for_tour("history")

    supervisor = signed_in(cast.role(Role.SUPERVISOR))
    supervisor.goto(f"/cases/{case.reference}/history/person/{person.pk}/")
    with supervisor.page.expect_navigation():
        supervisor.page.locator("#version-2 tr", has_text="Mobile phone").get_by_role(
            "button", name="Put this value back").click()
    supervisor.check_accessibility()
    assert "Restored. The record's history keeps it as version 4." in supervisor.text()
    person.refresh_from_db()
    assert person.mobile_phone == "+1 202-555-0101"
    supervisor.save_for_tour("history-restored")
