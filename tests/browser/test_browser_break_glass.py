"""Break-glass in the browser: a supervisor opens a restricted case with a reason, and the
access shows up for review."""

from __future__ import annotations

import pytest
from browser_support import give_password, sign_in

from harborlight.accounts.models import Role
from harborlight.security.breakglass import MIN_REASON_LENGTH

pytestmark = pytest.mark.browser

REASON = "Caller in danger tonight; the assigned caseworker is unreachable."


def test_it_opens_a_restricted_case_only_with_a_reason_and_lists_it_for_review(
        signed_in, new_site, cast):
    restricted = cast.own_restricted_case
    supervisor = cast.role(Role.SUPERVISOR)
    site = signed_in(supervisor)

    site.goto(f"/cases/{restricted.reference}/")
    assert site.path == "/security/break-glass/"
    assert restricted.reference in site.text("h1")
    assert "Restricted case summary" not in site.page.content()

    site.submit("Open with this reason", status=400, Reason="because")
    assert site.path == "/security/break-glass/"
    assert f"at least {MIN_REASON_LENGTH} characters" in site.text()
    assert "Restricted case summary" not in site.page.content()

    site.submit("Open with this reason", status=200, Reason=REASON)
    assert site.path == f"/cases/{restricted.reference}/"
    assert "Restricted case summary" in site.text()
    assert "Break-glass access granted" in site.text()

    for reviewer_role in (Role.AUDITOR, Role.ADMINISTRATOR):
        reviewer = give_password(cast.role(reviewer_role))
        review = new_site()
        sign_in(review, reviewer)
        review.goto("/security/break-glass/review/")
        pending = review.page.locator("table").first.inner_text()
        assert REASON in pending
        assert supervisor.username in pending or str(supervisor) in pending

    review.submit("Mark reviewed", Review_note="Checked with the caseworker.")
    assert "Marked as reviewed" in review.text()
    assert "Nothing is waiting for review." in review.text()


def test_it_refuses_break_glass_to_a_caseworker(signed_in, cast):
    site = signed_in(cast.teammate)
    site.goto(f"/cases/{cast.own_restricted_case.reference}/", status=403)
    assert "Restricted case summary" not in site.page.content()
