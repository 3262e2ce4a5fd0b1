"""Which cases another organisation may see, because they were shared with consent.

The answer is: none, for every action. This is deliberate, and it is the design:

- a *referral* gives the receiving organisation a :class:`~harborlight.referrals.models.
  Referral`, which it may read and answer (``referral.view``, ``referral.respond``, through
  ``Referral.is_shared_with``). The referral carries an encrypted copy of exactly the
  fields the survivor consented to share. Opening the sender's case instead would show
  every field, notes and people the survivor never agreed to pass on, and would let the
  receiver's view drift with later edits to a record it has no say over;
- a *transfer*, once accepted, gives the receiver a new case of its own (its
  ``organisation`` is the receiver), and the sender keeps its closed case.

So no action on the sender's case is ever shared: not ``case.view`` and certainly not
``case.update``. The permission layer keeps asking through these hooks, so a future kind
of sharing would have one place to be added, and the matrix tests prove the answer is no.
"""

from __future__ import annotations

from django.db.models import Q


def case_is_shared_with(case, organisation, action: str) -> bool:
    """Never: the receiver reads the referral's consented copy, not the case."""
    return False


def cases_shared_with(organisation, action: str) -> Q:
    """No case of another organisation appears in a list, for any action."""
    return Q(pk__in=[])
