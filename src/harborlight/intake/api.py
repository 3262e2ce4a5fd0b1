"""Tip endpoints of the HTTP API.

``POST /api/v1/tips`` is the public report form's contract in JSON, and the one operation
of the API that needs no credentials (``auth=None``). It keeps nothing about the caller
(see :mod:`harborlight.intake.public`). ``GET /api/v1/tips/{reference}`` gives staff the
tip as the console shows it: triage level, the reasons for it, and the narrative-assist
suggestions with their text spans.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from django.db import transaction
from ninja import Router, Schema, Status
from ninja.errors import HttpError
from ninja.operation import PathView
from pydantic import ConfigDict, Field, field_validator

from harborlight.intake import triage
from harborlight.intake.assist import MAX_REPORTER_SIGNS
from harborlight.intake.catalog import current_catalog
from harborlight.intake.helplines import helplines
from harborlight.intake.models import Channel, Tip
from harborlight.intake.public import (foreign_origin, receiving_organisation,
                                       take_submission_slot)
from harborlight.intake.text import NARRATIVE_MAX, SHORT_TEXT_MAX, text_problem
from harborlight.security.permissions import fetch


class OwnTransactionPathView(PathView):
    """A path whose view runs outside the request-wide transaction (``ATOMIC_REQUESTS``).

    Why: on SQLite every transaction starts with ``BEGIN IMMEDIATE``, so a request-wide one
    holds the write lock while the public endpoint parses JSON, hashes the passphrase and
    runs triage, and concurrent reports queue behind it in SQLite's busy back-off. The
    operation writes in one short transaction of its own
    (:func:`~harborlight.intake.triage.create_tip`), so nothing is stored
    half-way. ninja copies path views when a router is mounted, hence ``clone``.
    """

    def clone(self) -> "OwnTransactionPathView":
        cloned = super().clone()
        cloned.__class__ = OwnTransactionPathView
        return cloned

    def get_view(self):
        return transaction.non_atomic_requests(super().get_view())


router = Router(tags=["tips"])
router.path_operations[""] = OwnTransactionPathView()  # POST /api/v1/tips (public)
YesNo = Literal["yes", "no", "unknown"]


class ErrorItem(Schema):
    field: str
    message: str


class ErrorOut(Schema):
    errors: list[ErrorItem]


class PublicAnswers(Schema):
    model_config = ConfigDict(extra="forbid")  # an unknown field is an error, not ignored
    danger_now: YesNo | None = Field(None, description="Is anyone in immediate danger now?")
    happening_now: YesNo | None = Field(None, description="Is this happening now?")
    minor_involved: YesNo | None = Field(None, description="Is anyone involved under 18?")


class TipIn(Schema):
    model_config = ConfigDict(extra="forbid")  # an unknown field is an error, not ignored
    narrative: str = Field(..., min_length=1, max_length=NARRATIVE_MAX,
                           description="What the reporter saw or heard.")
    location: str = Field("", max_length=SHORT_TEXT_MAX)
    contact: str = Field("", max_length=SHORT_TEXT_MAX,
                         description="Optional; stored encrypted.")
    answers: PublicAnswers = Field(default_factory=PublicAnswers)
    signs: list[str] = Field(
        default_factory=list, max_length=MAX_REPORTER_SIGNS,
        description="Signs ticked in the guide's self-check (/report/check/), by indicator "
                    "id; only the guide's public signs are kept, as suggestions for the "
                    "operator.")
    language: Literal["en", "es"] = "en"
    website: str = Field("", max_length=200,
                         description="Leave empty (a field only robots fill in).")

    @field_validator("narrative", "location", "contact")
    @classmethod
    def storable_text(cls, value: str) -> str:
        problem = text_problem(value)
        if problem:
            raise ValueError(problem)
        return value.strip()

    @field_validator("narrative")
    @classmethod
    def not_blank(cls, value: str) -> str:
        if not value:
            raise ValueError("Describe what you saw or heard.")
        return value


class TipReceipt(Schema):
    reference: str = Field(..., description="Keep it: with the passphrase it opens "
                                            "/report/follow-up/.")
    passphrase: str = Field(..., description="Shown once; only a hash is stored.")
    follow_up_url: str
    emergency_guidance: list[str] | None = Field(
        None, description="Present when the report sounds like an emergency.")


class SpanOut(Schema):
    start: int
    end: int
    text: str


class SuggestionOut(Schema):
    kind: str = Field(..., description="indicator, coding or signal (happening now, ...)")
    key: str
    label: str
    field: str
    value: str
    span: SpanOut
    indicators: list[str]
    evidence: list[SpanOut] = Field(
        default_factory=list, description="Every span that decided a coding (a type of "
                                          "exploitation: the signs and means of control).")
    note: str = Field("", description="How a Harborlight coding maps to HTCDS.")
    sentence: str = Field("", description="A signal's sentence.")
    decision: str = Field("", description="confirmed, rejected, or empty if not reviewed")


class ReasonOut(Schema):
    rule: str
    level: str
    explain: str
    evidence: list[str]


class TipOut(Schema):
    reference: str
    channel: str
    status: str
    received_at: datetime
    triage_level: str
    triage_reasons: list[ReasonOut]
    triage_release: str
    answers: dict
    suggestions: list[SuggestionOut]
    codings: dict[str, list[str]] = Field(
        ..., description="HTCDS codings suggested and not rejected (field -> codes).")
    case: str | None
    emergency_guidance: list[str] | None


@router.post("", auth=None, response={201: TipReceipt, 400: ErrorOut, 403: ErrorOut,
                                      429: ErrorOut},
             summary="Report a concern (public, anonymous: no credentials)")
def submit_tip(request, payload: TipIn):
    if foreign_origin(request):
        raise HttpError(403, "Reports can only be sent from this site.")
    guidance = helplines().steps()
    if payload.website:
        return Status(201, {"reference": "", "passphrase": "", "follow_up_url": "",
                            "emergency_guidance": None})
    if not take_submission_slot(request):
        raise HttpError(429, "Many reports are arriving; try again in a minute. In danger? "
                             f"Call {helplines().emergency_number}.")
    answers = {k: v for k, v in payload.answers.dict().items() if v}
    tip, passphrase = triage.create_tip(
        receiving_organisation(), narrative=payload.narrative, channel=Channel.WEB,
        location=payload.location, reporter_contact=payload.contact, answers=answers,
        public=True, language=payload.language, reporter_signs=payload.signs)
    return Status(201, {"reference": tip.reference, "passphrase": passphrase,
                        "follow_up_url": "/report/follow-up/",
                        "emergency_guidance": guidance if tip.is_emergency else None})


@router.get("/{reference}", response=TipOut,
            summary="One tip with its triage reasons and suggested codings (read is audited)")
def get_tip(request, reference: str):
    tip = fetch(request, Tip.objects.select_related("case"), action="tip.view",
                reference=reference)
    catalog = current_catalog(tip.organisation_id)
    suggestions = triage.suggestions(tip, catalog)
    reviews = tip.reviews_by_key()
    codings: dict[str, list[str]] = {}
    for suggestion in suggestions:
        if suggestion.kind == "coding" and reviews.get(suggestion.key) != "rejected":
            codings.setdefault(suggestion.field, []).append(suggestion.value)
    return {
        "reference": tip.reference, "channel": tip.channel, "status": tip.status,
        "received_at": tip.received_at, "triage_level": tip.triage_level,
        "triage_reasons": tip.triage_reasons, "triage_release": tip.triage_release,
        "answers": tip.answers,
        "suggestions": [{**s.to_dict(), "decision": reviews.get(s.key, "")}
                        for s in suggestions],
        "codings": codings, "case": tip.case.reference if tip.case_id else None,
        "emergency_guidance": helplines().steps() if tip.is_emergency else None,
    }

