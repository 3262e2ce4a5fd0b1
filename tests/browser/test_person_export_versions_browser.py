"""A person's own data export, printable page, shows their earlier versions (issue 17).
With HARBORLIGHT_TOUR_DIR set, the page is saved as a screenshot."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from harborlight.accounts.models import Role
from harborlight.security.audit.log import audited, record

pytestmark = pytest.mark.browser


def test_the_printable_export_lists_the_persons_earlier_versions(signed_in, cast):
    person = cast.own_case.persons.get()
    supervisor = cast.role(Role.SUPERVISOR)
    for phone in ("+1 202-555-0101", "+1 202-555-0199"):
        with audited():
            person.mobile_phone = phone
            person.save()
            record("update", actor=supervisor, obj=person, organisation=cast.own.pk,
                   details={"fields": ["mobile_phone"]})
    site = signed_in(supervisor)
    site.goto(f"/cases/{cast.own_case.reference}/people/{person.pk}/export/")
    text = site.text()
    assert "Earlier versions" in text and "Person, version 2" in text
    assert "+1 202-555-0101" in text and "+1 202-555-0199" in text
    folder = os.environ.get("HARBORLIGHT_TOUR_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        site.page.screenshot(path=str(Path(folder) / "person-export.png"), full_page=True)
