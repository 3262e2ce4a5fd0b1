"""The receiving end of a transfer, and a case of one's own from a referral.

Runs inside the answer's transaction (:mod:`harborlight.referrals.answering`). Steps of
accepting a transfer:

1. close the sender's case as "Closed, referred" with a conditional UPDATE from an open
   status (a case closed meanwhile stops the transfer: nothing is created), recorded once
   in the *sender's* trail (``update``: another organisation's record changed);
2. open a new case in the receiving organisation (:func:`build_case`, through
   :meth:`~harborlight.cases.models.CaseManager.open_new`), owned by whoever accepted if
   their role holds cases, holding the transferred fields (the snapshot's field
   resolution in reverse), people, records about them (events, plans) and case comments,
   and the incoming referral's HTCDS fields (:mod:`harborlight.referrals.htcds`).

The sender keeps its closed case, with everything in it, as its record of the work done.
"""

from __future__ import annotations

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import models

from harborlight.cases.models import OPEN_STATUSES, Case, CaseNote, CaseStatus, Person
from harborlight.cases.vocabulary import EXTENSIBLE, ExportMapping
from harborlight.referrals.htcds import write_to_case
from harborlight.referrals.models import Referral, ReferralError
from harborlight.referrals.snapshot import model_field_for
from harborlight.security.audit.log import record


def close_sender_case(referral: Referral, *, by, now) -> Case:
    """Step 1: close the sending organisation's case as transferred."""
    old = referral.case
    closed = (Case.objects.filter(pk=old.pk, status__in=OPEN_STATUSES)
              .update(status=CaseStatus.CLOSED_REFERRED, closed_at=now,
                      reason_for_closure=f"Transferred to {referral.recipient_name} "
                                        f"(transfer {referral.reference})."))
    if closed != 1:
        raise ReferralError("The sending organisation closed this case in the meantime; "
                            "the transfer cannot go ahead.")
    old.refresh_from_db()
    record("update", actor=by, organisation=old.organisation_id, obj=old,
           details={"change": "transferred", "status": CaseStatus.CLOSED_REFERRED,
                    "transfer": referral.reference})
    return old


def build_case(referral: Referral, *, by, now) -> Case:
    """Open a case in the receiving organisation from the referral's shared record.

    The case holds the shared fields, people, records and comments, and the incoming
    referral's HTCDS fields. Used by a transfer (the whole case) and when a receiver opens
    a case from a referral it accepted (the consented fields). Refuses, by a conditional
    UPDATE, to build a second case from the same referral.
    """
    shared = referral.shared_record or {}
    fields = _fields(Case, {name: value for name, value in shared.get("case", {}).items()
                            if name != "cas_Status"})
    new = Case.objects.open_new(referral.recipient_organisation, by, opened_at=now,
                                origin={"referral": referral.reference,
                                        "kind": referral.kind,
                                        "from_organisation": referral.organisation_id},
                                **fields)
    people = {}
    # The sender's own picklist values mean nothing to the receiver: they arrive as the
    # HTCDS value the sender mapped them to (as the sender's exports write them).
    mapping = ExportMapping.for_organisations([referral.organisation_id])
    for person in shared.get("persons", []):
        fields = _fields(Person, person.get("fields", {}))
        for htcds_name, name in EXTENSIBLE.items():
            if name in fields:
                fields[name] = mapping.value(referral.organisation_id, htcds_name,
                                             fields[name])
        people[person.get("key")] = Person.objects.create(
            organisation=new.organisation, case=new, role=person["role"], **fields)
    for group in shared.get("records", []):
        model = apps.get_model(group["model"])
        has_person = any(f.name == "person" for f in model._meta.concrete_fields)
        for item in group.get("rows", []):
            extra = {"person": people.get(item.get("person"))} if has_person else {}
            model.objects.create(organisation=new.organisation, case=new, **extra,
                                 **_fields(model, item.get("fields", {})))
    for comment in shared.get("comments", []):
        CaseNote.objects.create(organisation=new.organisation, case=new, author=None,
                                body=f"(From {referral.organisation.name}; written "
                                     f"{comment['date']}.)\n{comment['text']}")
    linked = Referral.objects.filter(pk=referral.pk, received_case__isnull=True).update(
        received_case=new)
    if linked != 1:
        raise ReferralError("A case was already opened from this referral.")
    referral.received_case = new
    write_to_case(new, referral.htcds_incoming())
    return new


def _fields(model: type[models.Model], shared: dict) -> dict:
    """Model field values from shared ``{"value", "display"}`` entries, where they fit."""
    values = {}
    for name, value in shared.items():
        field = model_field_for(model, name)
        if field is None or field.is_relation or not isinstance(value, dict):
            continue
        raw = value.get("value")
        if field.choices and raw not in {choice for choice, _ in field.flatchoices}:
            continue
        try:
            values[field.attname] = field.to_python(raw)
        except ValidationError:
            continue
    return values
