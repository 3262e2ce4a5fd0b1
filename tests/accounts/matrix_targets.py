"""Targets for the HTTP permission matrix (see tests/security/test_permission_matrix.py):
a person, an API token and an access request of the organisation named by ``whose``."""

from datetime import timedelta

from django.utils import timezone

from harborlight.accounts.models import AccessRequest, ApiToken, Role


def targets(cast, whose: str) -> dict:
    organisation = cast.own if whose == "own" else cast.other
    member = cast.role(Role.CASEWORKER) if whose == "own" else cast.outsiders[Role.CASEWORKER]
    token, _ = ApiToken.objects.get_or_create(
        prefix=f"matrix{whose}"[:12], defaults={
            "user": member, "digest": "0" * 64,
            "expires_at": timezone.now() + timedelta(days=1)})
    asked, _ = AccessRequest.objects.get_or_create(
        organisation=organisation, member=member, kind="role_change", defaults={
            "role": Role.SUPERVISOR, "needs_approval": True, "needs_setup": False,
            "expires_at": timezone.now() + timedelta(days=1)})
    return {
        "accounts:member": {"user_id": member.pk},
        "accounts:change_role": {"user_id": member.pk},
        "accounts:deactivate": {"user_id": member.pk},
        "accounts:reactivate": {"user_id": member.pk},
        "accounts:new_link": {"user_id": member.pk},
        "accounts:revoke_token": {"token_id": token.pk},
        "accounts:approve": {"request_id": asked.pk},
        "accounts:refuse": {"request_id": asked.pk},
    }
