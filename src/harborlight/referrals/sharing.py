"""Which cases another organisation may see, because they were shared with consent.

Until referrals between organisations exist (issue 4), nothing is shared: both answers
are "no". The referrals work replaces the bodies, keeping the signatures, and the
permission matrix tests then cover shared access too.
"""

from __future__ import annotations

from django.db.models import Q


def case_is_shared_with(case, organisation, action: str) -> bool:
    return False


def cases_shared_with(organisation, action: str) -> Q:
    return Q(pk__in=[])
