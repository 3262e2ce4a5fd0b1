"""The receiving end of a transfer: a new case from the shared record; the old one closed.

Runs inside :meth:`Referral.accept`'s transaction. Steps:

1. close the sender's case as "Closed, referred" with a conditional UPDATE from an open
   status (a case closed meanwhile stops the transfer: nothing is created);
2. open a new case in the receiving organisation (:func:`build_case`), owned by whoever
   accepted, holding the transferred fields (the snapshot's field resolution in reverse),
   people, records about them (events, plans) and case comments, and the incoming
   referral's HTCDS fields (:mod:`harborlight.referrals.htcds`);
3. audit both: ``create`` on the new case, ``update`` on the closed one.

The sender keeps its closed case, with everything in it, as its record of the work done.
"""

from __future__ import annotations

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import models

from harborlight.cases.references import next_case_reference
from harborlight.referrals.htcds import write_to_case
from harborlight.referrals.snapshot import model_field_for
from harborlight.security.audit.log import record


def complete_transfer(referral, *, by, now) -> object:
    from harborlight.cases.models import Case, CaseStatus
    from harborlight.referrals.models import ReferralError

    old = referral.case
    closure = f"Transferred to {referral.recipient_name} (transfer {referral.reference})."
    closed = (Case.objects.filter(pk=old.pk, status__in=[CaseStatus.ACTIVE,
                                                        CaseStatus.FOLLOW_UP])
              .update(status=CaseStatus.CLOSED_REFERRED, closed_at=now))
    if closed != 1:
        raise ReferralError("The sending organisation closed this case in the meantime; "
                            "the transfer cannot go ahead.")
    old.refresh_from_db()
    old.reason_for_closure = closure
    old.save(update_fields=["reason_for_closure"])

    new = build_case(referral, by=by, now=now)
    record("update", actor=by, organisation=old.organisation_id, obj=old,
           details={"status": CaseStatus.CLOSED_REFERRED, "transfer": referral.reference})
    return new


def build_case(referral, *, by, now):
    """Open a case in the receiving organisation from the referral's shared record.

    The case holds the shared fields, people, records and comments, and the incoming
    referral's HTCDS fields; it is owned by ``by``. Used by a transfer (the whole case)
    and when a receiver opens a case from a referral it accepted (the consented fields).
    Refuses, by a conditional UPDATE, to build a second case from the same referral.
    """
    from harborlight.cases.models import Case, CaseNote, Person
    from harborlight.referrals.models import Referral, ReferralError

    shared = referral.shared_record or {}
    new = Case(organisation=referral.recipient_organisation, reference=next_case_reference(),
               owner=by, opened_at=now)
    for name, value in shared.get("case", {}).items():
        if name != "cas_Status":
            _assign(new, name, value)
    new.save()
    people = {}
    for person in shared.get("persons", []):
        row = Person(organisation=new.organisation, case=new, role=person["role"])
        for name, value in person.get("fields", {}).items():
            _assign(row, name, value)
        row.save()
        people[person.get("key")] = row
    for group in shared.get("records", []):
        model = apps.get_model(group["model"])
        has_person = any(f.name == "person" for f in model._meta.concrete_fields)
        for item in group.get("rows", []):
            row = model(organisation=new.organisation, case=new)
            if has_person:
                row.person = people.get(item.get("person"))
            for name, value in item.get("fields", {}).items():
                _assign(row, name, value)
            row.save()
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
    record("create", actor=by, obj=new,
           details={"referral": referral.reference, "kind": referral.kind,
                    "from_organisation": referral.organisation_id})
    return new


def _assign(obj: models.Model, name: str, value: dict) -> None:
    """Set the field holding ``name`` from a shared value, if it fits; else leave it."""
    field = model_field_for(type(obj), name)
    if field is None or field.is_relation or not isinstance(value, dict):
        return
    raw = value.get("value")
    if field.choices and raw not in {choice for choice, _ in field.flatchoices}:
        return
    try:
        raw = field.to_python(raw)
    except ValidationError:
        return
    setattr(obj, field.attname, raw)
