"""Case endpoints of the HTTP API: thin adapters over the same calls as the pages.

Each endpoint names its action once, in the call that fetches and authorises
(:func:`~harborlight.security.permissions.fetch`, :func:`~.listing`, :func:`~.authorise`);
domain errors become the API's one error shape in :mod:`harborlight.web.api`.
"""

from __future__ import annotations

from datetime import datetime

from ninja import Query, Router, Schema, Status
from pydantic import ConfigDict, Field

from harborlight.cases.models import Case, CaseStatus, TraffickingStatus
from harborlight.cases.subject_export import htcds_texts
from harborlight.security.permissions import authorise, fetch, listing

router = Router(tags=["cases"])


class CaseOut(Schema):
    reference: str
    status: str
    trafficking_status: str
    trafficking_status_decision_org: str
    closure_requested: bool
    restricted: bool
    owner: str | None
    opened_at: datetime

    @staticmethod
    def resolve_owner(case: Case) -> str | None:
        return case.owner.username if case.owner_id else None

    @staticmethod
    def resolve_closure_requested(case: Case) -> bool:
        return case.closure_requested_at is not None and case.is_open


def page_limit():
    """``limit`` of a list endpoint: 1 to 500 (outside: 400 naming it)."""
    return Query(50, ge=1, le=500, description="How many to return, 1 to 500.")


def page_offset():
    """``offset`` of a list endpoint: 0 to a billion (a negative or huge one: 400)."""
    return Query(0, ge=0, le=1_000_000_000, description="How many to skip.")


class CaseIn(Schema):
    model_config = ConfigDict(extra="forbid")  # an unknown field is an error, not ignored
    status: CaseStatus = CaseStatus.ACTIVE
    trafficking_status: TraffickingStatus = TraffickingStatus.POSSIBLE
    restricted: bool = False
    summary: str = Field("", max_length=20000)


@router.get("", response=list[CaseOut], summary="Cases the caller may see")
def list_cases(request, limit: int = page_limit(), offset: int = page_offset()):
    cases = listing(request, "case.view", Case.objects.select_related("owner"))
    return list(cases[offset:offset + limit])


@router.get("/{reference}", response=CaseOut, summary="One case (the read is audited)")
def get_case(request, reference: str):
    return fetch(request, Case.objects.select_related("owner"), action="case.view",
                 reference=reference)


@router.post("", response={201: CaseOut}, summary="Open a case")
def create_case(request, payload: CaseIn):
    authorise(request, "case.create")
    case = Case.objects.open_new(request.user.organisation, request.user, **payload.dict())
    return Status(201, case)


class PersonOut(Schema):
    id: int
    role: str
    htcds: dict[str, str]


@router.get("/{reference}/persons", response=list[PersonOut],
            summary="The people in a case, with their HTCDS fields (the read is audited)")
def list_persons(request, reference: str):
    case = fetch(request, Case, action="case.view", reference=reference)
    return [{"id": p.pk, "role": p.role, "htcds": htcds_texts(p, "cases.Person")}
            for p in case.persons.current()]


class ClosureIn(Schema):
    model_config = ConfigDict(extra="forbid")  # an unknown field is an error, not ignored
    reason: str = Field(..., min_length=5, max_length=5000)
    referred: bool = False


def _transition(request, reference: str, action: str, apply):
    case = fetch(request, Case.objects.select_related("owner"), action=action,
                 reference=reference)
    apply(case)
    return case


@router.post("/{reference}/closure", response=CaseOut,
             summary="Ask to close a case with a reason; a supervisor approves")
def request_closure(request, reference: str, payload: ClosureIn):
    return _transition(request, reference, "case.update", lambda case: case.request_closure(
        payload.reason, by=request.user, referred=payload.referred))


@router.post("/{reference}/closure/approve", response=CaseOut,
             summary="Approve a requested closure (supervisors)")
def approve_closure(request, reference: str):
    return _transition(request, reference, "case.approve_closure",
                       lambda case: case.approve_closure(by=request.user))
