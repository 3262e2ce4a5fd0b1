"""Create and check API bearer tokens.

Token format: ``hlt_<prefix>_<secret>``. The prefix finds the row; the HMAC of the whole
token under the server secret is compared in constant time.
"""

from __future__ import annotations

import hmac
import secrets

from django.utils import timezone
from django.utils.crypto import salted_hmac

from harborlight.accounts.models import ApiToken, User

_SALT = "harborlight.accounts.tokens"


def _digest(token: str) -> str:
    return salted_hmac(_SALT, token, algorithm="sha256").hexdigest()


def create_token(user: User, label: str = "") -> str:
    """Create a token for ``user`` and return it; it cannot be shown again."""
    prefix = secrets.token_hex(6)
    token = f"hlt_{prefix}_{secrets.token_urlsafe(32)}"
    ApiToken.objects.create(user=user, prefix=prefix, digest=_digest(token), label=label)
    return token


def user_for_token(token: str) -> User | None:
    parts = token.split("_")
    if len(parts) < 3 or parts[0] != "hlt":
        return None
    row = ApiToken.objects.active().select_related("user").filter(prefix=parts[1]).first()
    if row is None or not hmac.compare_digest(row.digest, _digest(token)):
        return None
    ApiToken.objects.filter(pk=row.pk).update(last_used_at=timezone.now())
    return row.user
