"""The referral boxes, as pages and the API both list them: the one home of the rule.

``outgoing`` is what the user's organisation sent, ``incoming`` what it received. Both are
narrowed by :func:`~harborlight.security.permissions.scope`, so a restricted case's
referrals stay out of the sender's lists for everyone not assigned to the case (they
remain reachable by reference, through break-glass), while the receiver, who was given
the referral by consent, sees it.
"""

from __future__ import annotations

from django.db.models import QuerySet

from harborlight.errors import InputError
from harborlight.referrals.models import Referral
from harborlight.security.permissions import scope

BOXES = ("outgoing", "incoming")
# Never in a list: the shared copy and free text are read one referral at a time.
HEAVY_FIELDS = ("shared_record", "details", "response_note")


def referral_box(user, box: str) -> QuerySet:
    """The referrals ``user`` sees in ``box``, newest first, without their shared copies."""
    if box not in BOXES:
        raise InputError("Choose outgoing or incoming.", field="box")
    visible = scope(user, "referral.view",
                    Referral.objects.select_related("case", "organisation"))
    referrals = (visible.incoming(user.organisation) if box == "incoming"
                 else visible.outgoing(user.organisation))
    return referrals.defer(*HEAVY_FIELDS)
