"""Steps on staff accounts, each one act audited once by the code that performs it:
creating a member, resetting their second factor, lifting a lockout, enrolling and
failing a second factor."""

from __future__ import annotations

from axes.utils import reset as reset_lockout

from harborlight.accounts import twofactor
from harborlight.accounts.models import User
from harborlight.security.audit.log import audited, record


def create_member(organisation, *, by=None, via: str = "", **fields) -> User:
    """A new member of ``organisation`` (who enrols a second factor at first sign-in)."""
    with audited():
        user = User.objects.create_staff_user(organisation=organisation, **fields)
        details = {"role": user.role, **({"via": via} if via else {})}
        record("user_create", actor=by, obj=user, organisation=organisation,
               details=details)
    return user


def reset_two_factor(member: User, *, by) -> None:
    """Remove the member's devices: they enrol a second factor again at next sign-in."""
    with audited():
        twofactor.reset(member)
        record("2fa_reset", actor=by, obj=member)


def unlock(member: User, *, by) -> None:
    """Lift a sign-in lockout before it expires."""
    with audited():
        reset_lockout(username=member.username)
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
