"""When a person is erased, remove them from the copies that referrals keep.

A referral holds a copy of the consented fields (:mod:`harborlight.referrals.snapshot`),
outside the person's own row, so erasing the row alone would leave that copy behind. The
cases app's erasure saves the person with ``erased_at`` set; this receiver, connected in
:class:`~harborlight.referrals.apps.ReferralsConfig`, then rewrites every shared record of
that case without the person and without the records about them, inside the same
transaction. A case that a transfer created is the receiving organisation's own record
and is erased there, on request, like any other.
"""

from __future__ import annotations

from harborlight.referrals.models import Referral
from harborlight.referrals.snapshot import fields_in, forget_person


def on_person_saved(sender, instance, created: bool = False, raw: bool = False,
                    **kwargs) -> None:
    if raw or created or getattr(instance, "erased_at", None) is None:
        return
    for referral in Referral.objects.filter(case_id=instance.case_id):
        cleaned = forget_person(referral.shared_record or {}, instance.pk)
        if cleaned is not referral.shared_record:
            referral.shared_record = cleaned
            referral.fields_shared = fields_in(cleaned)
            referral.save(update_fields=["shared_record", "fields_shared"])
