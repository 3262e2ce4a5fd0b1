"""Everything Harborlight holds about one person, for a data-subject access request.

The export uses HTCDS field names where the standard has one (``prs_FirstName``), and plain
names for Harborlight's own records (safety plans, services, tasks, consents). People merged
into this one are included, so the answer covers every record of the person. Producing it
is an access to the record, audited as ``export`` (it is not a disclosure to a third party:
the person asked for their own data).
"""

from __future__ import annotations

import datetime
from typing import Any

from harborlight.cases.htcds_map import htcds_map
from harborlight.cases.models import (Person, SafetyPlan, ServiceReceived, SupportPlan,
                                      TraffickingEvent)
from harborlight.cases.vocabulary import in_words
from harborlight.consent.models import Consent
from harborlight.security.audit.log import record
from harborlight.security.audit.versions import versions_of
from harborlight.vocab import words

FORMAT = "harborlight-subject-export"


def _plain(value: Any) -> Any:
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    return value


def _htcds_values(obj, model_label: str) -> dict[str, Any]:
    out = {}
    for name, home in htcds_map().items():
        if home.model != model_label:
            continue
        value = getattr(obj, home.field)
        if home.kind == "user":
            value = value.username if value is not None else None
        elif home.kind == "countries":
            value = [c for c in [obj.citizenship, *obj.other_citizenships] if c]
        out[name] = _plain(value)
    return out


def htcds_texts(obj, model_label: str) -> dict[str, str]:
    """HTCDS name -> the stored value as text (codes as codes), for the API."""
    return {name: ", ".join(map(str, value)) if isinstance(value, list) else str(value)
            for name, value in _htcds_values(obj, model_label).items()
            if value not in (None, "", [])}


def labelled_values(obj, model_label: str) -> list[tuple[str, str, Any]]:
    """(HTCDS name, label, value) of the fields of ``obj`` that have a value, for pages:
    label and value in words (:mod:`harborlight.vocab.words`), the name for programs."""
    rows = []
    for name, value in _htcds_values(obj, model_label).items():
        if value in (None, "", []):
            continue
        rows.append((name, words.field_label(name),
                     in_words(getattr(obj, "organisation_id", None), name, value)))
    return rows


def _records(model, person: Person, fields: list[str]) -> list[dict]:
    return [{name: _plain(getattr(row, name)) for name in fields}
            for row in model.objects.filter(person=person)]


def kept_versions(obj) -> list[dict]:
    """The versions Harborlight kept of one of the person's records (their own data, as
    it stood after each change): when, which act, the values (field names as stored)."""
    return [{"version": v.number, "at": _plain(v.created_at), "act": v.action,
             "change": v.change, "values": v.values} for v in versions_of(obj)]


def _versions(person: Person) -> dict[str, Any]:
    """The person's versions and those of their safety plans and consents; not the
    case's (its workflow fields are the organisation's, and its current values are in
    ``case`` above)."""
    return {"person": kept_versions(person),
            "safety_plans": {str(plan.pk): kept_versions(plan)
                             for plan in SafetyPlan.objects.filter(person=person)},
            "consents": {str(consent.pk): kept_versions(consent)
                         for consent in Consent.objects.filter(person=person)}}


def person_record(person: Person) -> dict[str, Any]:
    case = person.case
    return {
        "person": {"id": person.pk, "role": person.role, **_htcds_values(person, "cases.Person")},
        "case": {"reference": case.reference, **_htcds_values(case, "cases.Case"),
                 "cco_CaseComment": [note.body for note in case.notes.all()]},
        "historic_trafficking_events": [
            {"hte_Type": e.type, "hte_Date": _plain(e.date), "hte_City": e.city,
             "hte_State": e.state, "hte_Country": e.country, "hte_Street": e.street,
             "hte_PostalCode": e.postal_code, "hte_Latitude": e.latitude,
             "hte_Longitude": e.longitude, "hte_Description": e.description}
            for e in TraffickingEvent.objects.filter(case=case)
            if e.person_id in (None, person.pk)],
        "support_plans": [
            {"spl_Type": s.type, "spl_Objectives": s.objectives, "spl_ActionPlan": s.action_plan,
             "spl_PlannedEndDate": _plain(s.planned_end_date),
             "spl_ActualEndDate": _plain(s.actual_end_date), "status": s.status}
            for s in SupportPlan.objects.filter(case=case) if s.person_id in (None, person.pk)],
        "safety_plans": _records(SafetyPlan, person, [
            "safe_contacts", "safe_places", "code_words", "risk_reduction_steps",
            "in_own_words", "review_on", "created_at", "updated_at"]),
        "services_received": _records(ServiceReceived, person, [
            "kind", "provider", "started_on", "ended_on", "notes"]),
        "consents": [
            {"purpose": c.purpose, "recipient": c.recipient, "fields_allowed": c.fields_allowed,
             "method": c.method, "retention_explained": c.retention_explained,
             "withdrawal_explained": c.withdrawal_explained, "wording": c.wording,
             "given_at": _plain(c.given_at), "expires_at": _plain(c.expires_at),
             "withdrawn_at": _plain(c.withdrawn_at)}
            for c in Consent.objects.filter(person=person)],
        "versions": _versions(person),
    }


def export_person(person: Person, by) -> dict[str, Any]:
    """The export document for ``person`` and the people merged into it; audited once."""
    people = [person, *Person.objects.filter(merged_into=person).select_related("case")]
    document = {"format": FORMAT, "version": 1,
                "exported_at": datetime.datetime.now(datetime.timezone.utc).isoformat(),
                "records": [person_record(p) for p in people]}
    record("export", actor=by, obj=person,
           details={"subject_access": True, "records": len(people)})
    return document
