"""Copy exactly the consented HTCDS fields of a case into a referral's shared record.

This is the field-level minimisation of a referral: the receiving organisation never
opens the sender's case; it reads this copy, which holds only the fields the survivor
named in ``Consent.fields_allowed`` and is encrypted at rest on the referral. Format::

    {"case":     {"cas_Status": {"value": "Active", "display": "Active"}},
     "persons":  [{"key": 0, "source": 17, "role": "victim",
                   "fields": {"prs_FirstName": {"value": "Ana", "display": "Ana"}}}],
     "records":  [{"model": "cases.TraffickingEvent", "label": "trafficking events",
                   "rows": [{"person": 0, "fields": {"hte_City": {...}}}]}],
     "comments": [{"date": "2026-11-02", "text": "..."}],   # the case summary first
     "missing":  ["prs_MailingPostalCode"]}

Where an HTCDS field lives comes only from the cases app's map
(``cases/data/htcds_map.json``, :func:`harborlight.cases.htcds_map.htcds_map`), which gives
every field of the standard exactly one home: a name the map does not know is an error
(:class:`~harborlight.vocab.loader.VocabularyError`), never a guess. A consented field
whose home holds nothing for this case is listed in ``missing``.

``source`` is the sender's person id, kept so that erasing the person also removes them
from every copy (:mod:`harborlight.referrals.erasure`); the receiver never sees it.

Who is in the copy: for a referral, the person who gave the consent (or, if the consent
names nobody, the case's victims) and the records (events, plans) about them or about no
one in particular; for a transfer, everyone and everything in the case. With an empty
``fields_allowed`` a referral carries only the minimum necessary (no case fields at all:
the referral's own reason and details), and a transfer carries the whole case.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.apps import apps
from django.db import models

from harborlight.cases.htcds_map import htcds_map
from harborlight.cases.models import Case, Person, PersonRole
from harborlight.consent.models import ConsentPurpose
from harborlight.vocab.loader import VocabularyError, htcds_fields

CASE_MODEL = "cases.Case"
PERSON_MODEL = "cases.Person"
COMMENT_FIELD = "cco_CaseComment"
SHAREABLE_PREFIXES = ("cas_", "prs_", "vic_", "per_", "hte_", "spl_", "cco_")
# The referral's own fields are never copied from the case: the referral states them.
REFERRAL_FIELDS = frozenset({
    "cas_ReferringOrganisation", "cas_IncomingReferralDate", "cas_ReferringPrimaryCaseWorker",
    "cas_ReasonForIncomingReferral", "cas_IncomingReferralDetails", "cas_ReferredOrganisation",
    "cas_ReferredPrimaryCaseWorker", "cas_ReasonForOutgoingReferral",
    "cas_OutgoingReferralDate", "cas_OutgoingReferralDetails",
})
MAX_COMMENTS = 200
MAX_RECORDS = 500


def standard_order() -> list[str]:
    """Every HTCDS field name, in the standard's order."""
    return [field["field"] for field in htcds_fields()]


def home_model(htcds_field: str) -> str:
    """The label of the model that holds ``htcds_field``; a field without a home is an
    error in ``htcds_map.json``, which must give every field of the standard one."""
    home = htcds_map().get(htcds_field)
    if home is None:
        raise VocabularyError(f"htcds_map.json gives {htcds_field} no home")
    return home.model


def shareable_fields(purpose: str) -> list[str]:
    """HTCDS fields a consent for ``purpose`` may name, in the standard's order."""
    names = [name for name in standard_order() if name not in REFERRAL_FIELDS
             and name.startswith(SHAREABLE_PREFIXES)]
    if purpose == ConsentPurpose.REFERRAL:
        names = [name for name in names if not name.startswith("per_")]
    return names


def model_field_for(model: type[models.Model], htcds_field: str) -> models.Field | None:
    """The concrete field of ``model`` that holds ``htcds_field``; None when the map puts
    the field on another model. The map's field must exist on its model (a test walks
    the whole map), so this never guesses."""
    if home_model(htcds_field) != model._meta.label:
        return None
    return model._meta.get_field(htcds_map()[htcds_field].field)


def read_value(obj: models.Model, field: models.Field) -> dict[str, Any] | None:
    """{"value", "display"} for a field of ``obj``; None when empty."""
    value = getattr(obj, field.name)
    if value in (None, "", [], {}):
        return None
    if field.is_relation:
        return {"value": str(value), "display": str(value)}
    display: Any = value
    if field.choices:
        display = getattr(obj, f"get_{field.name}_display")()
    if isinstance(value, (datetime.date, datetime.datetime)):
        value = value.isoformat()
        display = value[:10]
    if isinstance(value, (list, tuple)):
        display = ", ".join(str(item) for item in value)
        value = list(value)
    elif isinstance(value, float):
        value = repr(value)
    elif not isinstance(value, (str, int, bool)):
        value = str(value)
    return {"value": value, "display": str(display)}


def _values(obj: models.Model, names: list[str]) -> dict[str, Any]:
    values = {}
    for name in names:
        field = model_field_for(type(obj), name)
        value = read_value(obj, field) if field is not None else None
        if value is not None:
            values[name] = value
    return values


def _record_models(names: list[str]) -> dict[str, list[str]]:
    """Model label -> wanted names, for the records hanging off a case (events, plans)."""
    grouped: dict[str, list[str]] = {}
    for name in names:
        label = home_model(name)
        if label in (None, CASE_MODEL, PERSON_MODEL, "cases.CaseNote") or name == COMMENT_FIELD:
            continue
        model = apps.get_model(label)
        if not any(f.name == "case" for f in model._meta.concrete_fields):
            continue  # the organisation's own profile, not part of a case
        grouped.setdefault(label, []).append(name)
    return grouped


def take(case, fields_allowed: list[str], purpose: str, consent=None) -> dict:
    """Build the shared record for ``case``; see the module docstring for the format."""
    shareable = shareable_fields(purpose)
    if purpose == ConsentPurpose.TRANSFER and not fields_allowed:
        wanted = shareable
    else:
        allowed = set(fields_allowed)
        wanted = [name for name in shareable if name in allowed]
    record: dict[str, Any] = {"case": {}, "persons": [], "records": [], "comments": [],
                              "missing": []}
    case_names = [n for n in wanted if model_field_for(Case, n) is not None]
    person_names = [n for n in wanted if model_field_for(Person, n) is not None]
    record["case"] = _values(case, case_names)

    # Never someone erased, nor a record merged into another (its twin is the current one).
    persons = list(case.persons.current())
    if purpose != ConsentPurpose.TRANSFER:
        person_id = getattr(consent, "person_id", None)
        persons = [p for p in persons if p.pk == person_id] if person_id else \
            [p for p in persons if p.role == PersonRole.VICTIM]
    keys = {person.pk: index for index, person in enumerate(persons)}
    for person in persons:
        names = [n for n in person_names
                 if not (n.startswith("vic_") and person.role != PersonRole.VICTIM)
                 and not (n.startswith("per_") and person.role != PersonRole.PERPETRATOR)]
        record["persons"].append({"key": keys[person.pk], "source": person.pk,
                                  "role": person.role, "fields": _values(person, names)})

    record_names = _record_models(wanted)
    for label, names in record_names.items():
        model = apps.get_model(label)
        rows = []
        for row in model._default_manager.filter(case=case)[:MAX_RECORDS]:
            person_id = getattr(row, "person_id", None)
            if person_id is not None and person_id not in keys:
                continue  # about someone whose details are not shared
            values = _values(row, names)
            if values:
                rows.append({"person": keys.get(person_id), "fields": values})
        if rows:
            record["records"].append({"model": label,
                                      "label": str(model._meta.verbose_name_plural),
                                      "rows": rows})

    if COMMENT_FIELD in wanted:
        # The case summary is the first comment on a case: a narrative, like the others.
        if getattr(case, "summary", ""):
            record["comments"].append({"date": case.opened_at.date().isoformat(),
                                       "text": case.summary})
        for note in case.notes.order_by("created_at")[:MAX_COMMENTS]:
            record["comments"].append({"date": note.created_at.date().isoformat(),
                                       "text": note.body})
    held = set(case_names) | set(person_names) | {n for names in record_names.values()
                                                  for n in names} | {COMMENT_FIELD}
    record["missing"] = [name for name in wanted if name not in held]
    return record


def fields_in(record: dict) -> list[str]:
    """Every HTCDS field name that carries a value in a shared record, in standard order."""
    names = set(record.get("case", {}))
    for person in record.get("persons", []):
        names.update(person.get("fields", {}))
    for group in record.get("records", []):
        for row in group.get("rows", []):
            names.update(row.get("fields", {}))
    if record.get("comments"):
        names.add(COMMENT_FIELD)
    order = standard_order()
    return sorted(names, key=lambda n: order.index(n) if n in order else len(order))


def without_sources(record: dict) -> dict:
    """The record as the receiver sees it: no sender-side ids."""
    if not record:
        return record
    persons = [{k: v for k, v in person.items() if k != "source"}
               for person in record.get("persons", [])]
    return {**record, "persons": persons}


def forget_person(record: dict, person_id: int) -> dict:
    """The record without a person's entry and without the records about them."""
    keys = {p.get("key") for p in record.get("persons", []) if p.get("source") == person_id}
    if not keys:
        return record
    persons = [p for p in record.get("persons", []) if p.get("source") != person_id]
    groups = []
    for group in record.get("records", []):
        rows = [row for row in group.get("rows", []) if row.get("person") not in keys]
        if rows:
            groups.append({**group, "rows": rows})
    return {**record, "persons": persons, "records": groups}
