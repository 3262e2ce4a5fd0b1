"""The organisation's own case records as HTCDS-named rows, one per victim or survivor.

This is the one place that reads case models for statistics: dashboards and the CTDC
export from the database both start here, then hand the rows to the sharing engine, which
maps HTCDS to the CTDC layouts. Values are decrypted in memory only, to count them; nothing
identifying leaves this module (names, contacts and free text are never read).
"""

from __future__ import annotations

from datetime import date
from typing import Any, Iterator, Mapping

import pandas as pd
from django.db.models import OuterRef, Prefetch, Subquery

from harborlight.cases.models import Case, EventType, Person, PersonRole, TraffickingEvent
from harborlight.cases.vocabulary import EXTENSIBLE, ExportMapping
from harborlight.consent.models import Consent, ConsentPurpose
from harborlight.sharing import CONSENT_FIELD, frame_from_records
from harborlight.sharing.datafiles import load_layout
from harborlight.sharing.errors import InputProblems
from harborlight.sharing.mapping import convert

TARGET_LAYOUT = "ctdc-2024"
# Not an HTCDS field: which consent a record's sharing relies on, for the audit trail.
# It is removed before the records reach the sharing engine.
CONSENT_ID = "_consent_id"
EXTRA_COLUMNS = ["exploitationState"]
# The picklists a record carries here; an organisation's own values in them are written
# as the HTCDS values they map to (cases.vocabulary), which the CTDC mapping knows.
SHARED_PICKLISTS = {"prs_Gender", "vic_MethodsOfControl", "vic_TypeOfExploitation",
                    "vic_ForcedLabourIndustry", "vic_TypeOfSexExploitation",
                    "vic_RelationshipToTrafficker"}


def _age(birthdate: date | None, on: date) -> int | None:
    if birthdate is None:
        return None
    return on.year - birthdate.year - ((on.month, on.day) < (birthdate.month, birthdate.day))


def _exploitation_place(case: Case) -> tuple[str, str]:
    """(country, state) of the case's exploitation event, if the case records one."""
    for event in case.exploitation_events:
        return event.country or "", event.state or ""
    return "", ""


def victim_records(organisation, consents: Mapping[int, int] | None = None
                   ) -> Iterator[dict[str, Any]]:
    """HTCDS-named dicts for every current victim in the organisation's cases.

    ``consent_deidentified_sharing`` is true when the case holds an active consent to
    de-identified sharing; the sharing engine leaves the others out of exports. An export
    passes ``consents`` (case id -> consent id), as the disclosure gate decided them.
    """
    consented = Consent.objects.active().filter(
        case=OuterRef("pk"), purpose=ConsentPurpose.DEIDENTIFIED_SHARING).order_by("-given_at")
    cases = Case.objects.filter(organisation=organisation)
    if consents is None:
        cases = cases.annotate(sharing_consent=Subquery(consented.values("pk")[:1]))
    cases = cases.prefetch_related(Prefetch(
        "events", queryset=TraffickingEvent.objects.filter(type=EventType.EXPLOITATION),
        to_attr="exploitation_events"))
    mapping = ExportMapping.for_organisations([organisation.pk])  # own values as HTCDS
    victims = Person.objects.filter(role=PersonRole.VICTIM, merged_into__isnull=True,
                                    erased_at__isnull=True)
    for case in cases.prefetch_related(Prefetch("persons", queryset=victims,
                                                to_attr="victims")).iterator(chunk_size=500):
        if consents is not None:
            case.sharing_consent = consents.get(case.pk)
        registered = case.opened_at.date()
        country, state = _exploitation_place(case)
        for person in case.victims:
            own = {name: mapping.value(organisation.pk, name, getattr(person, field))
                   for name, field in EXTENSIBLE.items() if name in SHARED_PICKLISTS}
            yield {
                "cas_RegistrationDate": registered,
                "prs_Gender": own["prs_Gender"],
                "prs_AgeAtRegistration": _age(person.birthdate, registered),
                "vic_AgeWhenTrafficked": person.age_when_trafficked,
                "prs_Citizenship": person.citizenship,
                "hte_Country": country,
                "hte_State": state,
                "vic_MethodsOfControl": own["vic_MethodsOfControl"],
                "vic_TypeOfExploitation": own["vic_TypeOfExploitation"],
                "vic_ForcedLabourIndustry": own["vic_ForcedLabourIndustry"],
                "vic_TypeOfSexExploitation": own["vic_TypeOfSexExploitation"],
                "vic_RelationshipToTrafficker": own["vic_RelationshipToTrafficker"],
                CONSENT_FIELD: case.sharing_consent is not None,
                CONSENT_ID: case.sharing_consent,
            }


def ctdc_frame(records: list[dict[str, Any]]) -> pd.DataFrame:
    """The records in the CTDC v2024 layout plus ``exploitationState``; raises InputProblems."""
    if not records:
        return pd.DataFrame(columns=_empty_columns())
    frame = frame_from_records([{k: v for k, v in r.items() if k != CONSENT_ID}
                                for r in records])
    problems: list[str] = []
    mapped = convert(frame, "htcds", TARGET_LAYOUT, problems)
    if problems:
        raise InputProblems(problems)
    mapped["exploitationState"] = frame["hte_State"].str.strip().str.upper()
    return mapped


def _empty_columns() -> list[str]:
    return list(load_layout(TARGET_LAYOUT).names) + EXTRA_COLUMNS


def own_frame(organisation) -> pd.DataFrame:
    return ctdc_frame(list(victim_records(organisation)))
