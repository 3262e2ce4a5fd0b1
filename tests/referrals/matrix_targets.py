"""Targets for the HTTP permission matrix (see tests/security/test_permission_matrix.py).

"own" targets are referrals the own organisation takes part in: one it sent (detail and
letter) and one it received and may answer (respond). "other" targets belong to the other
organisation alone: a referral it sent to an outside provider, and its directory entry.
"""

from __future__ import annotations

from harborlight.accounts.models import Role


def _objects(cast) -> dict:
    cached = getattr(cast, "_referral_targets", None)
    if cached is not None:
        return cached
    from harborlight.referrals.models import Referral, ServiceProvider

    own_entry = ServiceProvider.objects.create(organisation=cast.own, name="Own entry",
                                               partner=cast.other)
    other_entry = ServiceProvider.objects.create(organisation=cast.other, name="Their entry")
    common = {"reason": "AdditionalServicesRequired", "shared_record": {"case": {},
                                                                        "persons": []}}
    sent = Referral.objects.create(
        organisation=cast.own, reference="R-OWN1-SENT", case=cast.own_case,
        provider=own_entry, recipient_name=cast.other.name, recipient_organisation=cast.other,
        sent_by=cast.role(Role.CASEWORKER), **common)
    received = Referral.objects.create(
        organisation=cast.other, reference="R-OTH1-INBX", case=cast.other_case,
        recipient_name=cast.own.name, recipient_organisation=cast.own,
        sent_by=cast.outsiders[Role.CASEWORKER], **common)
    theirs = Referral.objects.create(
        organisation=cast.other, reference="R-OTH2-THRS", case=cast.other_case,
        provider=other_entry, recipient_name="Their entry",
        sent_by=cast.outsiders[Role.CASEWORKER], **common)
    cached = {"own_entry": own_entry, "other_entry": other_entry, "sent": sent,
              "received": received, "theirs": theirs}
    cast._referral_targets = cached
    return cached


def targets(cast, whose: str) -> dict:
    objects = _objects(cast)
    if whose == "own":
        return {
            "referrals:provider_edit": {"provider_id": objects["own_entry"].pk},
            "referrals:provider_delete": {"provider_id": objects["own_entry"].pk},
            "referrals:detail": {"reference": objects["sent"].reference},
            "referrals:letter": {"reference": objects["sent"].reference},
            "referrals:respond": {"reference": objects["received"].reference},
            "referrals:open_case": {"reference": objects["received"].reference},
            "referrals:new": {"reference": cast.own_case.reference},
            "referrals:transfer": {"reference": cast.own_case.reference},
        }
    return {
        "referrals:provider_edit": {"provider_id": objects["other_entry"].pk},
        "referrals:provider_delete": {"provider_id": objects["other_entry"].pk},
        "referrals:detail": {"reference": objects["theirs"].reference},
        "referrals:letter": {"reference": objects["theirs"].reference},
        "referrals:respond": {"reference": objects["theirs"].reference},
        "referrals:open_case": {"reference": objects["theirs"].reference},
        "referrals:new": {"reference": cast.other_case.reference},
        "referrals:transfer": {"reference": cast.other_case.reference},
    }
