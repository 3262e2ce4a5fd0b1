"""Copy exactly the consented HTCDS fields of a case into a referral's shared record.

This is the field-level minimisation of a referral: the receiving organisation never
opens the sender's case; it reads this copy, which holds only the fields the survivor
named in ``Consent.fields_allowed`` and is encrypted at rest on the referral. Format::

    {"case":     {"cas_Status": {"value": "Active", "display": "Active"}},
     "persons":  [{"role": "victim",
                   "fields": {"prs_FirstName": {"value": "Ana", "display": "Ana"}}}],
     "comments": [{"date": "2026-11-02", "text": "..."}],
     "missing":  ["prs_MailingPostalCode"]}

Which model field holds an HTCDS field: the one whose ``help_text`` names it (the cases
app writes the HTCDS name there), else the one named after it in snake case
(``prs_MobilePhone`` -> ``mobile_phone``). ``vic_`` fields are looked for on the person,
then on the case. A consented field that the records do not hold is listed in
``missing`` rather than guessed.

Who is in the copy: for a referral, the person who gave the consent (or, if the consent
names nobody, the case's victims); for a transfer, everyone in the case. With an empty
``fields_allowed`` a referral carries only the minimum necessary (no case fields at all:
the referral's own reason and details), and a transfer carries the whole case.
"""

from __future__ import annotations

import datetime
import re
from typing import Any

from django.db import models

from harborlight.referrals.vocabulary import htcds_fields

CASE_PREFIXES = ("cas_",)
PERSON_PREFIXES = ("prs_", "vic_", "per_")
COMMENT_FIELD = "cco_CaseComment"
# The referral's own fields are never copied from the case: the referral states them.
REFERRAL_FIELDS = frozenset({
    "cas_ReferringOrganisation", "cas_IncomingReferralDate", "cas_ReferringPrimaryCaseWorker",
    "cas_ReasonForIncomingReferral", "cas_IncomingReferralDetails", "cas_ReferredOrganisation",
    "cas_ReferredPrimaryCaseWorker", "cas_ReasonForOutgoingReferral",
    "cas_OutgoingReferralDate", "cas_OutgoingReferralDetails",
})
MAX_COMMENTS = 200
_TOKEN = re.compile(r"\b[a-z]{3}_[A-Za-z]+\b")


def snake(htcds_field: str) -> str:
    """``prs_MobilePhone`` -> ``mobile_phone``."""
    suffix = htcds_field.split("_", 1)[1]
    return re.sub(r"(?<!^)(?=[A-Z])", "_", suffix).lower()


def shareable_fields(purpose: str) -> list[str]:
    """HTCDS fields a consent for ``purpose`` may name, in the standard's order."""
    from harborlight.cases.models import ConsentPurpose

    names = [name for name in htcds_fields() if name not in REFERRAL_FIELDS
             and name.startswith(CASE_PREFIXES + PERSON_PREFIXES + ("cco_",))]
    if purpose == ConsentPurpose.REFERRAL:
        names = [name for name in names if not name.startswith("per_")]
    return names


def model_field_for(model: type[models.Model], htcds_field: str) -> models.Field | None:
    """The concrete field of ``model`` that holds ``htcds_field``, or None."""
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    for field in fields:
        if htcds_field in _TOKEN.findall(str(field.help_text or "")):
            return field
    wanted = snake(htcds_field)
    for field in fields:
        if field.name == wanted:
            return field
    return None


def read_value(obj: models.Model, field: models.Field) -> dict[str, Any] | None:
    """{"value", "display"} for a field of ``obj``; None when empty."""
    value = getattr(obj, field.name)
    if value in (None, "", [], {}):
        return None
    if field.is_relation:
        return {"value": str(value), "display": str(value)}
    display = value
    if field.choices:
        display = getattr(obj, f"get_{field.name}_display")()
    if isinstance(value, (datetime.date, datetime.datetime)):
        value = value.isoformat()
        display = value[:10] if isinstance(display, (datetime.date, datetime.datetime)) \
            else display
    if isinstance(value, (list, tuple)):
        display = ", ".join(str(item) for item in value)
        value = list(value)
    elif not isinstance(value, (str, int, bool)):
        value = str(value)
    return {"value": value, "display": str(display)}


def take(case, fields_allowed: list[str], purpose: str, consent=None) -> dict:
    """Build the shared record for ``case``; see the module docstring for the format."""
    from harborlight.cases.models import ConsentPurpose, PersonRole

    allowed = set(shareable_fields(purpose))
    if purpose == ConsentPurpose.TRANSFER and not fields_allowed:
        wanted = shareable_fields(purpose)
    else:
        wanted = [name for name in fields_allowed if name in allowed]
    record: dict[str, Any] = {"case": {}, "persons": [], "comments": [], "missing": []}
    found: set[str] = set()
    for name in wanted:
        if name.startswith(CASE_PREFIXES):
            _copy(case, name, record["case"], found)
    persons = list(case.persons.all())
    if purpose != ConsentPurpose.TRANSFER:
        person_id = getattr(consent, "person_id", None)
        persons = [p for p in persons if p.pk == person_id] if person_id else \
            [p for p in persons if p.role == PersonRole.VICTIM]
    for person in persons:
        values: dict[str, Any] = {}
        for name in wanted:
            if not name.startswith(PERSON_PREFIXES):
                continue
            if name.startswith("vic_") and person.role != PersonRole.VICTIM:
                continue
            if name.startswith("per_") and person.role != PersonRole.PERPETRATOR:
                continue
            if not _copy(person, name, values, found) and name.startswith("vic_"):
                _copy(case, name, values, found)
        record["persons"].append({"role": person.role, "fields": values})
    if COMMENT_FIELD in wanted:
        # The case summary is the first comment on a case: a narrative, like the others.
        if getattr(case, "summary", ""):
            record["comments"].append({"date": case.opened_at.date().isoformat(),
                                       "text": case.summary})
        for note in case.notes.order_by("created_at")[:MAX_COMMENTS]:
            record["comments"].append({"date": note.created_at.date().isoformat(),
                                       "text": note.body})
        found.add(COMMENT_FIELD)
    record["missing"] = [name for name in wanted if name != COMMENT_FIELD
                         and model_field_for_any(name, case) is None]
    return record


def model_field_for_any(name: str, case) -> models.Field | None:
    from harborlight.cases.models import Person

    if name == COMMENT_FIELD:
        return None
    if name.startswith(CASE_PREFIXES):
        return model_field_for(type(case), name)
    return model_field_for(Person, name) or (model_field_for(type(case), name)
                                             if name.startswith("vic_") else None)


def _copy(obj: models.Model, name: str, into: dict, found: set[str]) -> bool:
    field = model_field_for(type(obj), name)
    if field is None:
        return False
    found.add(name)
    value = read_value(obj, field)
    if value is not None:
        into[name] = value
    return True


def fields_in(record: dict) -> list[str]:
    """Every HTCDS field name that carries a value in a shared record."""
    names = set(record.get("case", {}))
    for person in record.get("persons", []):
        names.update(person.get("fields", {}))
    if record.get("comments"):
        names.add(COMMENT_FIELD)
    order = list(htcds_fields())
    return sorted(names, key=lambda n: order.index(n) if n in order else len(order))
