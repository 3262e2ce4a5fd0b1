"""Referral and directory endpoints of the HTTP API (the same rules as the pages).

A list never carries shared records; reading one referral does, and is audited. Sending
goes through the same consent gate as the page, and answers use the model's transitions.
"""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from ninja import Router, Schema, Status
from pydantic import Field

from harborlight.cases.models import Case
from harborlight.referrals.geocoding import KM_PER_MILE, UnknownPlace, locate
from harborlight.referrals.models import (
    Referral,
    ReferralError,
    ReferralKind,
    ReferralReason,
    ReferralStatus,
    ServiceProvider,
)
from harborlight.referrals.sending import send
from harborlight.security.disclosure import ConsentRequired
from harborlight.security.permissions import can, get_object_for, requires_api, scope

router = Router(tags=["referrals"])


class ReferralOut(Schema):
    reference: str
    kind: str
    status: str
    reason: str
    referring_organisation: str
    referred_organisation: str
    sent_at: datetime
    fields_shared: list[str]


class ReferralDetailOut(ReferralOut):
    htcds: dict
    shared_record: dict


class ReferralIn(Schema):
    case: str = Field(..., max_length=32)
    provider_id: int
    reason: ReferralReason
    kind: ReferralKind = ReferralKind.REFERRAL
    details: str = Field("", max_length=5000)
    services: list[str] = Field(default_factory=list, max_length=20)


class AnswerIn(Schema):
    decision: ReferralStatus
    note: str = Field("", max_length=5000)


class ProviderOut(Schema):
    id: int
    name: str
    on_harborlight: bool
    services: list[str]
    populations: list[str]
    languages: list[str]
    open_24_7: bool
    hours: str
    city: str
    state: str
    postal_code: str
    phone: str
    email: str
    distance_miles: float | None = None


def _errors(request, status: int, field: str, message: str):
    from harborlight.web.api import error_response

    return error_response(request, status, [{"field": field, "message": message}])


@router.get("/referrals", response=list[ReferralOut],
            summary="Referrals sent (box=outgoing) or received (box=incoming)")
def list_referrals(request, box: str = "outgoing", limit: int = 50, offset: int = 0):
    requires_api(request.user, "referral.view")
    if box not in ("outgoing", "incoming"):
        return _errors(request, 400, "box", "Choose outgoing or incoming.")
    visible = scope(request.user, "referral.view",
                    Referral.objects.select_related("organisation"))
    organisation = request.user.organisation
    referrals = visible.incoming(organisation) if box == "incoming" \
        else visible.outgoing(organisation).filter(Q(case__restricted=False)
                                                   | Q(case__owner=request.user))
    limit = max(1, min(limit, 500))
    return [_summary(referral) for referral in referrals.defer(
        "shared_record", "details", "response_note")[offset:offset + limit]]


def _summary(referral: Referral) -> dict:
    data = {name: getattr(referral, name) for name in ("reference", "kind", "status",
                                                         "reason", "sent_at",
                                                         "fields_shared")}
    data["referring_organisation"] = referral.organisation.name
    data["referred_organisation"] = referral.recipient_name
    return data


def _detail(request, referral: Referral) -> dict:
    sender = request.user.organisation_id == referral.organisation_id
    data = _summary(referral)
    data["htcds"] = referral.htcds_outgoing() if sender else referral.htcds_incoming()
    data["shared_record"] = referral.shared_record if sender else referral.visible_record()
    return data


@router.get("/referrals/{reference}", response=ReferralDetailOut,
            summary="One referral with its shared fields (the read is audited)")
def get_referral(request, reference: str):
    requires_api(request.user, "referral.view")
    referral = get_object_for(request.user, "referral.view",
                              Referral.objects.select_related("organisation"),
                              reference=reference)
    return _detail(request, referral)


@router.post("/referrals", response={201: ReferralDetailOut},
             summary="Refer or transfer a case (needs the survivor's consent on file)")
def create_referral(request, payload: ReferralIn):
    action = "case.transfer" if payload.kind == ReferralKind.TRANSFER else "referral.send"
    requires_api(request.user, action)
    case = get_object_for(request.user, "case.view", Case, reference=payload.case)
    if not can(request.user, action, case):
        raise PermissionDenied(f"Your role may not {action} this case.")
    provider = ServiceProvider.objects.filter(organisation=request.user.organisation,
                                              pk=payload.provider_id).first()
    if provider is None:
        return _errors(request, 400, "provider_id", "No such entry in your directory.")
    try:
        referral = send(case, by=request.user, provider=provider, reason=payload.reason,
                        details=payload.details, services=payload.services,
                        kind=payload.kind)
    except ConsentRequired as exc:
        return _errors(request, 400, "case", str(exc))
    except ReferralError as exc:
        return _errors(request, 400, "", str(exc))
    return Status(201, _detail(request, referral))


@router.post("/referrals/{reference}/answer", response=ReferralDetailOut,
             summary="Accept, decline or complete a referral")
def answer_referral(request, reference: str, payload: AnswerIn):
    requires_api(request.user, "referral.respond")
    referral = get_object_for(request.user, "referral.view",
                              Referral.objects.select_related("organisation"),
                              reference=reference)
    moves = {ReferralStatus.ACCEPTED: referral.accept, ReferralStatus.DECLINED:
             referral.decline, ReferralStatus.COMPLETED: referral.complete}
    if payload.decision not in moves:
        return _errors(request, 400, "decision", "Choose accepted, declined or completed.")
    if not referral.answerable_by(request.user):
        raise PermissionDenied("Only the receiving organisation answers this referral.")
    try:
        moves[payload.decision](by=request.user, note=payload.note)
    except ReferralError as exc:
        return _errors(request, 409, "decision", str(exc))
    return _detail(request, referral)


class CaseOpened(Schema):
    referral: str
    case: str


@router.post("/referrals/{reference}/case", response={201: CaseOpened},
             summary="Open a case of your own from an accepted referral")
def open_case(request, reference: str):
    requires_api(request.user, "referral.respond")
    requires_api(request.user, "case.create")
    referral = get_object_for(request.user, "referral.view",
                              Referral.objects.select_related("organisation"),
                              reference=reference)
    if request.user.organisation_id != referral.recipient_organisation_id:
        raise PermissionDenied("Only the receiving organisation opens a case from this "
                               "referral.")
    try:
        case = referral.open_case(by=request.user)
    except ReferralError as exc:
        return _errors(request, 409, "", str(exc))
    return Status(201, {"referral": referral.reference, "case": case.reference})


@router.get("/providers", response=list[ProviderOut],
            summary="Search the directory by service, language, population and distance")
def search_providers(request, service: str = "", language: str = "", population: str = "",
                     near: str = "", radius_miles: float | None = None):
    requires_api(request.user, "provider.view")
    place = None
    if near:
        try:
            place = locate(near)
        except UnknownPlace as exc:
            return _errors(request, 400, "near", str(exc))
    if radius_miles is not None and (place is None or not 0 < radius_miles <= 3000):
        return _errors(request, 400, "radius_miles",
                       "Give a place in 'near' and a radius between 0 and 3000 miles.")
    providers = scope(request.user, "provider.view", ServiceProvider.objects.all())
    hits = providers.search(service=service, language=language, population=population,
                            near=place, radius_km=radius_miles * KM_PER_MILE
                            if radius_miles else None)
    return [{**{name: getattr(hit.provider, name) for name in (
        "id", "name", "services", "populations", "languages", "open_24_7", "hours", "city",
        "state", "postal_code", "phone", "email")}, "on_harborlight": hit.provider.is_partner,
        "distance_miles": None if hit.distance_miles is None
        else round(hit.distance_miles, 1)} for hit in hits]
