"""Break-glass: opening a restricted record outside one's normal scope.

Steps, each of which must happen for access to be granted:

1. the user's role allows ``breakglass.use`` (policy.toml) and the record belongs to their
   organisation (break-glass never crosses organisations);
2. the user types a reason of at least ``MIN_REASON_LENGTH`` characters;
3. a :class:`BreakGlassGrant` is stored and the audit trail records it, with the reason;
4. every read under the grant is audited as a break-glass read until the grant expires;
5. the grant stays on the review list until someone with ``breakglass.review`` signs it off.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.db.models import Model

from harborlight.security.models import BreakGlassGrant

MIN_REASON_LENGTH = 15


class BreakGlassRefused(Exception):
    """The request for break-glass access cannot be granted; the message says why."""


def view_action_for(obj: Model) -> str:
    """The policy action that reading ``obj`` needs (models declare ``view_action``)."""
    action = getattr(obj, "view_action", None)
    if action is None:
        raise BreakGlassRefused(f"{obj._meta.label} records cannot be opened by break-glass.")
    return action


def active_grant(user, obj: Model, now: datetime | None = None) -> BreakGlassGrant | None:
    return (BreakGlassGrant.objects.for_object(obj).active(now)
            .filter(user=user).order_by("-expires_at").first())


def break_glass(user, obj: Model, reason: str, now: datetime | None = None) -> BreakGlassGrant:
    """Grant ``user`` time-limited access to restricted ``obj`` for the stated ``reason``."""
    from harborlight.security.audit.log import record
    from harborlight.security.permissions import decide

    reason = (reason or "").strip()
    if len(reason) < MIN_REASON_LENGTH:
        raise BreakGlassRefused(
            f"Give a reason of at least {MIN_REASON_LENGTH} characters; it is kept for review."
        )
    decision = decide(user, view_action_for(obj), obj, now=now)
    if decision.allowed:
        raise BreakGlassRefused("You can already open this record; break-glass is not needed.")
    if not decision.break_glass_available:
        raise BreakGlassRefused("Your role may not use break-glass access for this record.")
    with transaction.atomic():
        grant = BreakGlassGrant.open(user, obj, reason, now=now)
        record("break_glass", actor=user, obj=obj, reason=reason,
               details={"grant": grant.pk, "expires_at": grant.expires_at.isoformat()})
    return grant
