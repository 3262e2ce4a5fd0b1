"""Write a referral's HTCDS fields onto the cases they concern.

HTCDS keeps the referral details on the case (``cas_Referr*``, ``cas_*ReferralDate``,
``cas_ReasonFor*Referral``, ``cas_*ReferralDetails``): one set for the latest outgoing
referral, on the sender's case, and one for the incoming referral, on the receiver's case.
The referrals app keeps every referral as its own row (:class:`Referral`) and copies its
fields onto the case as they happen, so an HTCDS export of the case carries them:

- sending: the sender's case gets the outgoing fields;
- accepting: the sender's case gets ``cas_ReferredPrimaryCaseWorker``;
- a transfer accepted: the receiver's new case gets the incoming fields.

A case field is found through the HTCDS map (see
:func:`harborlight.referrals.snapshot.model_field_for`); every referral field lives on
the case there.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError

from harborlight.referrals.snapshot import model_field_for


def write_to_case(case, values: dict[str, object]) -> list[str]:
    """Set the case fields holding these HTCDS names and save them; return the fields set."""
    changed = []
    for name, value in values.items():
        field = model_field_for(type(case), name)
        if field is None or field.is_relation:
            continue
        try:
            value = field.to_python(value) if value not in (None, "") else (
                None if field.null else "")
        except ValidationError:
            continue
        if isinstance(value, str) and getattr(field, "max_length", None):
            value = value[:field.max_length]
        setattr(case, field.attname, value)
        changed.append(field.name)
    if changed:
        case.save(update_fields=changed)
    return changed
