"""Break-glass: opening a restricted record outside one's normal scope.

Steps, each of which must happen for access to be granted:

1. the user's role allows ``breakglass.use`` (policy.toml) and the record belongs to their
   organisation (break-glass never crosses organisations);
2. the user types a reason of at least ``MIN_REASON_LENGTH`` characters;
3. a :class:`BreakGlassGrant` is stored and the audit trail records it, with the reason;
4. every read under the grant is audited as a break-glass read until the grant expires;
5. the grant stays on the review list until someone with ``breakglass.review`` signs it
   off; each of them (but the user) gets a notice in the app, settled by the review.
"""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db.models import Model
from django.utils.translation import gettext as _

from harborlight.errors import DomainError
from harborlight.notifications.models import Notice, NoticeKind
from harborlight.security.audit.log import audited, record
from harborlight.security.models import BreakGlassGrant
from harborlight.security.permissions import Refusal, decide
from harborlight.security.policy import roles_allowed

MIN_REASON_LENGTH = 15


class BreakGlassRefused(DomainError):
    """The request for break-glass access cannot be granted; the message says why."""

    code = "break_glass"
    field = "reason"


def view_action_for(obj: Model) -> str:
    """The policy action that reading ``obj`` needs (models declare ``view_action``)."""
    action = getattr(obj, "view_action", None)
    if action is None:
        raise BreakGlassRefused(f"{obj._meta.label} records cannot be opened by break-glass.")
    return action


def break_glass(user, obj: Model, reason: str, now: datetime | None = None) -> BreakGlassGrant:
    """Grant ``user`` time-limited access to restricted ``obj`` for the stated ``reason``."""
    reason = (reason or "").strip()
    if len(reason) < MIN_REASON_LENGTH:
        raise BreakGlassRefused(
            _("Give a reason of at least %(count)d characters; it is kept for review.")
            % {"count": MIN_REASON_LENGTH}
        )
    decision = decide(user, view_action_for(obj), obj, now=now)
    if decision.allowed:
        raise BreakGlassRefused(_("You can already open this record; break-glass is not "
                                  "needed."))
    if not decision.break_glass_available:
        raise BreakGlassRefused(_("Your role may not use break-glass access for this record."))
    with audited():
        grant = BreakGlassGrant.open(user, obj, reason, now=now)
        record("break_glass", actor=user, obj=obj, reason=reason,
               details={"grant": grant.pk, "expires_at": grant.expires_at.isoformat()})
        reviewers = get_user_model().objects.filter(
            organisation_id=user.organisation_id, is_active=True,
            role__in=roles_allowed("breakglass.review"))
        Notice.objects.send(reviewers, NoticeKind.BREAK_GLASS, grant.notice_subject,
                            ("security:break_glass_review", []), exclude=user, now=now,
                            by=user, record=grant.object_label)
    return grant


def requested_record(user, type_id: str, object_id: str) -> Model | None:
    """The record a break-glass request names (content type and id), if this user's
    organisation holds it and break-glass can open it; None otherwise (a 404)."""
    try:
        model = ContentType.objects.get_for_id(int(type_id)).model_class()
        obj = model._default_manager.filter(pk=object_id).first() if model else None
    except (ValueError, ValidationError, ContentType.DoesNotExist):
        return None
    if obj is None or getattr(obj, "view_action", None) is None:
        return None
    decision = decide(user, obj.view_action, obj)
    return None if decision.reason is Refusal.OTHER_ORGANISATION else obj
