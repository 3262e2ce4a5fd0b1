"""The audit pages in the browser: an auditor searches the trail and verifies the chain."""

from __future__ import annotations

import pytest

from harborlight.accounts.models import Role

pytestmark = pytest.mark.browser


def test_it_shows_an_auditor_the_trail_and_verifies_the_chain(signed_in, cast):
    auditor = cast.role(Role.AUDITOR)
    site = signed_in(auditor)
    site.goto("/audit/")
    assert auditor.username in site.text("main table"), "the auditor's own sign-in is listed"

    site.submit("Verify chain", status=200)
    assert site.path == "/audit/verify/"
    assert "The audit chain is intact" in site.text()


def test_it_keeps_caseworkers_out_of_the_audit_trail(signed_in, cast):
    site = signed_in(cast.role(Role.CASEWORKER))
    site.goto("/audit/", status=403)
