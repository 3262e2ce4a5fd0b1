"""Targets for the HTTP permission matrix (see test_permission_matrix.py)."""

from harborlight.accounts.models import Role


def targets(cast, whose: str) -> dict:
    user = cast.role(Role.CASEWORKER) if whose == "own" else cast.outsiders[Role.CASEWORKER]
    return {
        "accounts:reset_two_factor": {"user_id": user.pk},
        "accounts:unlock": {"user_id": user.pk},
        "security:mark_reviewed": {"grant_id": 0},
    }
