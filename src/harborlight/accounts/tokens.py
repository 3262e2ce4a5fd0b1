"""Create, check and revoke API bearer tokens.

Token format: ``hlt_<prefix>_<secret>``. The prefix finds the row (and names the token in
lists, the audit trail and ``harborlight token revoke``); the HMAC of the whole token under
the server secret is compared in constant time. A token works until it expires (90 days by
default) or is revoked, and never while its user is deactivated or held back by the
sign-in lockout. Creation and revocation are audited; each use updates ``last_used_at``.
"""

from __future__ import annotations

import hmac
import secrets
from datetime import timedelta

from django.http import HttpRequest
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from harborlight.accounts import lockout
from harborlight.accounts.models import ApiToken, User
from harborlight.errors import DomainError
from harborlight.security.audit.log import audited, record

_SALT = "harborlight.accounts.tokens"
DEFAULT_DAYS = 90
MAX_DAYS = 366


class TokenError(DomainError):
    code = "token"


def _digest(token: str) -> str:
    return salted_hmac(_SALT, token, algorithm="sha256").hexdigest()


def create_token(user: User, label: str = "", *, days: int = DEFAULT_DAYS, by=None) -> str:
    """Create a token for ``user`` and return it; it cannot be shown again."""
    if not 1 <= days <= MAX_DAYS:
        raise TokenError(_("A token lasts from 1 to %(max)d days.") % {"max": MAX_DAYS},
                         field="days")
    if not user.is_active:
        raise TokenError(_("%(user)s is deactivated.") % {"user": user.username})
    prefix = secrets.token_hex(6)
    token = f"hlt_{prefix}_{secrets.token_urlsafe(32)}"
    with audited():
        row = ApiToken.objects.create(user=user, prefix=prefix, digest=_digest(token),
                                      label=label,
                                      expires_at=timezone.now() + timedelta(days=days))
        record("token_create", actor=by, obj=row, organisation=user.organisation_id,
               details={"user": user.username, "days": days})
    return token


def prefix_of(token_or_prefix: str) -> str:
    """The prefix of a whole token (``hlt_<prefix>_...``), or the text itself."""
    parts = token_or_prefix.strip().split("_")
    return parts[1] if len(parts) >= 3 and parts[0] == "hlt" else token_or_prefix.strip()


def revoke(row: ApiToken, *, by=None) -> None:
    if row.revoked_at is not None:
        raise TokenError(_("Token %(prefix)s is already revoked.") % {"prefix": row.prefix})
    with audited():
        row.revoked_at = timezone.now()
        row.save(update_fields=["revoked_at"])
        record("token_revoke", actor=by, obj=row, organisation=row.user.organisation_id,
               details={"user": row.user.username})


def user_for_token(token: str, request: HttpRequest | None = None) -> User | None:
    """The user a presented token stands for, or None (unknown, expired, revoked, user
    deactivated or held back by the lockout)."""
    parts = token.split("_")
    if len(parts) < 3 or parts[0] != "hlt":
        return None
    row = ApiToken.objects.active().select_related("user").filter(prefix=parts[1]).first()
    if row is None or not hmac.compare_digest(row.digest, _digest(token)):
        return None
    if request is not None and lockout.refuses_token(request, row.user):
        return None
    ApiToken.objects.filter(pk=row.pk).update(last_used_at=timezone.now())
    return row.user
