"""Case endpoints of the HTTP API."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from ninja import Router, Schema, Status
from pydantic import Field, field_validator

from harborlight.cases.models import Case, CaseStatus, TraffickingStatus
from harborlight.cases.references import next_case_reference
from harborlight.security.permissions import get_object_for, requires_api, scope

router = Router(tags=["cases"])


class CaseOut(Schema):
    reference: str
    status: str
    trafficking_status: str
    restricted: bool
    owner: str | None
    opened_at: datetime

    @staticmethod
    def resolve_owner(case: Case) -> str | None:
        return case.owner.username if case.owner_id else None


class CaseIn(Schema):
    status: str = CaseStatus.ACTIVE
    trafficking_status: str = TraffickingStatus.POSSIBLE
    restricted: bool = False
    summary: str = Field("", max_length=20000)

    @field_validator("status")
    @classmethod
    def known_status(cls, value: str) -> str:
        if value not in CaseStatus.values:
            raise ValueError(f"choose one of: {', '.join(CaseStatus.values)}")
        return value

    @field_validator("trafficking_status")
    @classmethod
    def known_trafficking_status(cls, value: str) -> str:
        if value not in TraffickingStatus.values:
            raise ValueError(f"choose one of: {', '.join(TraffickingStatus.values)}")
        return value


@router.get("", response=list[CaseOut], summary="Cases the caller may see")
def list_cases(request, limit: int = 50, offset: int = 0):
    requires_api(request.user, "case.view")
    limit = max(1, min(limit, 500))
    cases = scope(request.user, "case.view", Case.objects.select_related("owner"))
    return list(cases[offset:offset + limit])


@router.get("/{reference}", response=CaseOut, summary="One case (the read is audited)")
def get_case(request, reference: str):
    requires_api(request.user, "case.view")
    return get_object_for(request.user, "case.view", Case.objects.select_related("owner"),
                          reference=reference)


@router.post("", response={201: CaseOut}, summary="Open a case")
def create_case(request, payload: CaseIn):
    requires_api(request.user, "case.create")
    with transaction.atomic():
        case = Case.objects.create(organisation=request.user.organisation,
                                   reference=next_case_reference(), owner=request.user,
                                   **payload.dict())
    return Status(201, case)
