"""Referral and directory endpoints of the HTTP API: thin adapters over the same calls
as the pages (:mod:`.boxes`, :mod:`.sending`, :mod:`.answering`).

A list never carries shared records; reading one referral does, and is audited. Each
endpoint names its action once, in the call that fetches and authorises; refusals and
domain errors take the API's one error shape in :mod:`harborlight.web.api`.
"""

from __future__ import annotations

from datetime import datetime

from ninja import Router, Schema, Status
from pydantic import ConfigDict, Field

from harborlight.cases.api import page_limit, page_offset
from harborlight.cases.models import Case
from harborlight.errors import InputError
from harborlight.referrals import answering
from harborlight.referrals.boxes import referral_box
from harborlight.referrals.geocoding import KM_PER_MILE, locate
from harborlight.referrals.models import (
    Referral,
    ReferralKind,
    ReferralReason,
    ReferralStatus,
    ServiceProvider,
)
from harborlight.referrals.sending import send
from harborlight.security.permissions import authorise, fetch, listing

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
    model_config = ConfigDict(extra="forbid")  # an unknown field is an error, not ignored
    case: str = Field(..., max_length=32)
    provider_id: int
    reason: ReferralReason
    kind: ReferralKind = ReferralKind.REFERRAL
    details: str = Field("", max_length=5000)
    services: list[str] = Field(default_factory=list, max_length=20)


class AnswerIn(Schema):
    model_config = ConfigDict(extra="forbid")  # an unknown field is an error, not ignored
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


@router.get("/referrals", response=list[ReferralOut],
            summary="Referrals sent (box=outgoing) or received (box=incoming)")
def list_referrals(request, box: str = "outgoing", limit: int = page_limit(),
                   offset: int = page_offset()):
    authorise(request, "referral.view")
    return [_summary(referral)
            for referral in referral_box(request.user, box)[offset:offset + limit]]


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
    return _detail(request, fetch(request, _referrals(), action="referral.view",
                                  reference=reference))


def _referrals():
    return Referral.objects.select_related("organisation", "case")


@router.post("/referrals", response={201: ReferralDetailOut},
             summary="Refer or transfer a case (needs the survivor's consent on file)")
def create_referral(request, payload: ReferralIn):
    case = fetch(request, Case, action=ReferralKind(payload.kind).send_action,
                 reference=payload.case)
    provider = ServiceProvider.objects.filter(organisation=request.user.organisation,
                                              pk=payload.provider_id).first()
    if provider is None:
        raise InputError("No such entry in your directory.", field="provider_id")
    referral = send(case, by=request.user, provider=provider, reason=payload.reason,
                    details=payload.details, services=payload.services, kind=payload.kind)
    return Status(201, _detail(request, referral))


@router.post("/referrals/{reference}/answer", response=ReferralDetailOut,
             summary="Accept, decline or complete a referral")
def answer_referral(request, reference: str, payload: AnswerIn):
    referral = fetch(request, _referrals(), action="referral.respond", reference=reference)
    answering.answer(referral, payload.decision, by=request.user, note=payload.note)
    return _detail(request, referral)


class CaseOpened(Schema):
    referral: str
    case: str


@router.post("/referrals/{reference}/case", response={201: CaseOpened},
             summary="Open a case of your own from an accepted referral")
def open_case(request, reference: str):
    authorise(request, "case.create")
    referral = fetch(request, _referrals(), action="referral.respond", reference=reference)
    case = answering.open_case(referral, by=request.user)
    return Status(201, {"referral": referral.reference, "case": case.reference})


@router.get("/providers", response=list[ProviderOut],
            summary="Search the directory by service, language, population and distance")
def search_providers(request, service: str = "", language: str = "", population: str = "",
                     near: str = "", radius_miles: float | None = None):
    providers = listing(request, "provider.view", ServiceProvider.objects.all())
    place = locate(near) if near else None
    if radius_miles is not None and (place is None or not 0 < radius_miles <= 3000):
        raise InputError("Give a place in 'near' and a radius between 0 and 3000 miles.",
                         field="radius_miles")
    hits = providers.search(service=service, language=language, population=population,
                            near=place, radius_km=radius_miles * KM_PER_MILE
                            if radius_miles else None)
    return [{**{name: getattr(hit.provider, name) for name in (
        "id", "name", "services", "populations", "languages", "open_24_7", "hours", "city",
        "state", "postal_code", "phone", "email")}, "on_harborlight": hit.provider.is_partner,
        "distance_miles": None if hit.distance_miles is None
        else round(hit.distance_miles, 1)} for hit in hits]
