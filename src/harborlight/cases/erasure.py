"""Erase a person (a data-subject request): delete their own records, blank the rest.

We delete rather than crypto-shred. Harborlight encrypts with one organisation-wide
keyring (``security/crypto.py``), so there is no per-person key to destroy; instead every
ciphertext about the person is removed from the live database, which is what a per-person
key would achieve there. Backups still hold the old ciphertexts until they expire: the
retention of backups must be shorter than the promise made to the person (docs/cases.md).

Steps, in one transaction:

1. delete the records that are only about the person: safety plans, support plans,
   services received, historic events and tasks linked to them;
2. blank every field of the person row (encrypted values, blind indexes, picklists) and
   mark it erased, so the case still counts one person and nothing else remains;
3. blank the wording of the consents they gave (the rows stay: each says a disclosure
   had a basis, and the audit trail points at them);
4. delete every kept version of the person and of those consents (the versions of the
   records deleted in step 1 go with them), so no earlier value survives in the history;
5. append the act's one ``delete`` entry to the audit trail with the reason and counts
   (never values); the deletions and saves above write no entries of their own.
"""

from __future__ import annotations

from django.utils import timezone

from harborlight.cases.models import (Person, SafetyPlan, ServiceReceived, SupportPlan, Task,
                                      TraffickingEvent, WorkflowError)
from harborlight.consent.models import Consent
from harborlight.security.audit.log import audited, record
from harborlight.security.audit.versions import forget as forget_versions

KEEP = {"id", "organisation", "case", "role", "merged_into", "created_at", "erased_at"}
MIN_REASON_LENGTH = 10


def erase_person(person: Person, by, reason: str, now=None) -> dict[str, int]:
    reason = (reason or "").strip()
    if len(reason) < MIN_REASON_LENGTH:
        raise WorkflowError("Give the reason for the erasure (at least "
                            f"{MIN_REASON_LENGTH} characters).", field="reason")
    if person.erased_at is not None:
        raise WorkflowError("This person was already erased.")
    removed: dict[str, int] = {}
    with audited():
        for model in (Task, SafetyPlan, SupportPlan, ServiceReceived, TraffickingEvent):
            count, _ = model.objects.filter(person=person).delete()
            removed[model._meta.label] = count
        for model_field in Person._meta.local_fields:
            if model_field.name in KEEP or model_field.primary_key:
                continue
            default = model_field.get_default()
            setattr(person, model_field.attname,
                    None if model_field.null and default in ("", None) else default)
        person.erased_at = now or timezone.now()
        person.save()
        consents = Consent.objects.filter(person=person)
        removed["consent wordings blanked"] = consents.update(wording="", withdrawal_note="")
        removed["versions deleted"] = (forget_versions(Person, [person.pk])
                                       + forget_versions(Consent, consents.values_list(
                                           "pk", flat=True)))
        record("delete", actor=by, obj=person, reason=reason,
               details={"erasure": True, "removed": removed})
    return removed
