"""Steps on staff accounts that give no access, each one act audited once by the code that
performs it: resetting a second factor, lifting a lockout, enrolling and failing a second
factor. Steps that change who may read what are in :mod:`harborlight.accounts.access`."""

from __future__ import annotations

from harborlight.accounts import lockout, twofactor
from harborlight.accounts.models import User
from harborlight.security.audit.log import audited, record


def reset_two_factor(member: User, *, by) -> None:
    """Remove the member's devices: they enrol a second factor again at next sign-in."""
    with audited():
        twofactor.reset(member)
        record("2fa_reset", actor=by, obj=member)


def unlock(member: User, *, by) -> None:
    """Lift a sign-in lockout before it expires, from every client."""
    with audited():
        lockout.unlock(member.username)
        record("update", actor=by, obj=member, details={"change": "unlock"})


def confirm_enrolment(user: User, device, token: str) -> str | None:
    """Confirm a new device with one code; None when done, else what to tell the user."""
    problem = twofactor.check_code(device, token)
    if problem is not None:
        return problem
    with audited():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        record("2fa_enrol", actor=user)
    return None


def check_second_factor(user: User, device, token: str) -> str | None:
    """Check a sign-in code; a wrong one is audited as a failed sign-in (second factor)."""
    problem = twofactor.check_code(device, token)
    if problem is not None:
        record("login_failed", actor=user, details={"factor": "totp"})
    return problem
