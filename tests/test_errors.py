"""Domain errors: one base with a code, mapped once to the API's error body."""

from __future__ import annotations

from harborlight.cases.models import WorkflowError
from harborlight.consent.disclosure import ConsentRequired
from harborlight.errors import DomainError, InputError
from harborlight.intake.models import TipStateError
from harborlight.referrals.models import ReferralError
from harborlight.security.breakglass import BreakGlassRefused


def test_it_gives_every_domain_error_one_base_and_its_own_code():
    kinds = [WorkflowError, TipStateError, ReferralError, ConsentRequired,
             BreakGlassRefused, InputError]
    assert all(issubclass(kind, DomainError) for kind in kinds)
    codes = [kind.code for kind in kinds]
    assert len(set(codes)) == len(codes) and "domain" not in codes


def test_it_describes_itself_in_the_api_error_shape():
    error = ConsentRequired("No active consent for referral.")
    assert error.as_api_error() == {"field": "case", "code": "consent_required",
                                    "message": "No active consent for referral."}
    assert (error.status, WorkflowError("x").status, InputError("y").status) == (400, 409, 400)
    assert WorkflowError("Closed.", field="reason").as_api_error()["field"] == "reason"
