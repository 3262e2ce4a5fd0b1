"""The operator console: the queue, logging a contact, a tip's triage page and its steps.

Each step view is thin: decorate with the action, fetch the tip through
:func:`~harborlight.security.permissions.get_object_for` (another organisation's tip is a
404), validate a form, call one model method, redirect. A GET on a step URL leads back to
the tip's page, where the step's form lives.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from harborlight.cases.models import Consent, ConsentPurpose
from harborlight.intake.assist import segments
from harborlight.intake.catalog import current_catalog, current_rules, forget_catalog
from harborlight.intake.forms import (AnswersForm, AssignForm, CatalogExtensionForm,
                                      CloseForm, ContactForm, HandoffForm, MergeForm,
                                      NoteForm, ReplyForm, ReviewForm)
from harborlight.intake.models import (CatalogExtension, Tip, TipStateError, TipStatus,
                                       TriageLevel)
from harborlight.security.disclosure import ConsentRequired
from harborlight.security.permissions import can, get_object_for, requires, scope

QUEUE_FILTERS = {"open": "Open", "mine": "Assigned to me", "closed": "Closed", "all": "All"}


@requires("tip.view")
def tip_list(request: HttpRequest) -> HttpResponse:
    """The queue: most urgent first, then oldest; filter by level and state."""
    tips = scope(request.user, "tip.view", Tip.objects.all()).select_related("assigned_to")
    show = request.GET.get("show", "open")
    show = show if show in QUEUE_FILTERS else "open"
    if show == "open":
        tips = tips.open()
    elif show == "mine":
        tips = tips.open().filter(assigned_to=request.user)
    elif show == "closed":
        tips = tips.filter(status=TipStatus.CLOSED)
    level = request.GET.get("level", "")
    if level in TriageLevel.values:
        tips = tips.filter(triage_level=level)
    tips = tips.by_urgency().only("reference", "channel", "received_at", "triage_level",
                                  "status", "assigned_to__username",
                                  "assigned_to__display_name")
    page = Paginator(tips, 50).get_page(request.GET.get("page"))
    return render(request, "intake/list.html", {
        "page": page, "show": show, "level": level, "filters": QUEUE_FILTERS,
        "levels": TriageLevel.choices, "can_create": can(request.user, "tip.create"),
        "can_manage_catalog": can(request.user, "catalog.manage")})


@requires("tip.create")
@require_http_methods(["GET", "POST"])
def tip_create(request: HttpRequest) -> HttpResponse:
    form = ContactForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        tip, _ = Tip.objects.create_tip(
            request.user.organisation, narrative=data["narrative"], channel=data["channel"],
            location=data["location"], reporter_contact=data["reporter_contact"],
            people_involved=data["people_involved"], caller_type=data["caller_type"],
            answers=form.answers(), logged_by=request.user)
        messages.success(request, f"Logged tip {tip.reference}.")
        return redirect("intake:detail", reference=tip.reference)
    return render(request, "intake/create.html", {"form": form},
                  status=400 if request.method == "POST" else 200)


@requires("tip.view")
def tip_detail(request: HttpRequest, reference: str) -> HttpResponse:
    tip = get_object_for(request.user, "tip.view", Tip.objects.select_related(
        "assigned_to", "case", "merged_into", "logged_by"), reference=reference)
    return render(request, "intake/detail.html", detail_context(request, tip))


def detail_context(request: HttpRequest, tip: Tip, **forms) -> dict:
    catalog = current_catalog()
    suggestions = tip.suggestions(catalog)
    reviews = tip.reviews_by_key()
    may_update = can(request.user, "tip.update", tip) and not tip.is_closed
    return {
        "tip": tip, "rules": current_rules(), "catalog": catalog,
        "suggestions": [(s, reviews.get(s.key, "")) for s in suggestions],
        "narrative_segments": segments(tip.narrative, suggestions),
        "notes": tip.notes.select_related("author"),
        "messages_list": tip.messages.select_related("author"),
        "may_update": may_update,
        "may_handoff": can(request.user, "tip.handoff", tip),
        "may_convert": may_update and can(request.user, "case.create") and not tip.case_id,
        "answers_form": forms.get("answers_form") or AnswersForm(initial_answers=tip.answers),
        "assign_form": forms.get("assign_form") or AssignForm(
            organisation=tip.organisation, initial={"assignee": tip.assigned_to_id}),
        "note_form": forms.get("note_form") or NoteForm(),
        "reply_form": forms.get("reply_form") or ReplyForm(),
        "close_form": forms.get("close_form") or CloseForm(),
        "merge_form": forms.get("merge_form") or MergeForm(),
        "handoff_form": forms.get("handoff_form") or HandoffForm(initial={"basis": "existing"}),
        "has_consent": Consent.objects.active().filter(
            tip=tip, purpose=ConsentPurpose.LAW_ENFORCEMENT).exists(),
    }


def _tip_for_step(request: HttpRequest, reference: str, action: str = "tip.update") -> Tip:
    return get_object_for(request.user, action, Tip, reference=reference)


def _back(tip: Tip, anchor: str = "") -> HttpResponse:
    response = redirect("intake:detail", reference=tip.reference)
    if anchor:
        response["Location"] += f"#{anchor}"
    return response


def _invalid(request: HttpRequest, tip: Tip, name: str, form) -> HttpResponse:
    messages.error(request, "Please correct the marked fields below.")
    return render(request, "intake/detail.html", detail_context(request, tip, **{name: form}),
                  status=400)


def _step(request: HttpRequest, tip: Tip, work, success: str, anchor: str = ""):
    try:
        work()
    except (TipStateError, ConsentRequired) as problem:
        messages.error(request, str(problem))
        return _back(tip, anchor)
    messages.success(request, success)
    return _back(tip, anchor)


@requires("tip.update")
def tip_answers(request: HttpRequest, reference: str) -> HttpResponse:
    tip = _tip_for_step(request, reference)
    if request.method != "POST":
        return _back(tip, "answers")
    form = AnswersForm(request.POST)
    if not form.is_valid():
        return _invalid(request, tip, "answers_form", form)
    return _step(request, tip, lambda: tip.set_answers(form.answers(), by=request.user),
                 "Answers saved; triage updated.", "triage")


@requires("tip.update")
def tip_review(request: HttpRequest, reference: str) -> HttpResponse:
    tip = _tip_for_step(request, reference)
    if request.method != "POST":
        return _back(tip, "suggestions")
    form = ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose confirm or reject.")
        return _back(tip, "suggestions")
    data = form.cleaned_data
    return _step(request, tip, lambda: tip.review_suggestion(data["key"], data["decision"],
                                                             by=request.user),
                 f"Suggestion {data['decision']}; triage updated.", "suggestions")


@requires("tip.update")
def tip_assign(request: HttpRequest, reference: str) -> HttpResponse:
    tip = _tip_for_step(request, reference)
    if request.method != "POST":
        return _back(tip, "assign")
    form = AssignForm(request.POST, organisation=tip.organisation)
    if not form.is_valid():
        return _invalid(request, tip, "assign_form", form)
    assignee = form.cleaned_data["assignee"]
    return _step(request, tip, lambda: tip.assign(assignee, by=request.user),
                 f"Assigned to {assignee}.")


@requires("tip.update")
def tip_add_note(request: HttpRequest, reference: str) -> HttpResponse:
    tip = _tip_for_step(request, reference)
    if request.method != "POST":
        return _back(tip, "notes")
    form = NoteForm(request.POST)
    if not form.is_valid():
        return _invalid(request, tip, "note_form", form)
    return _step(request, tip, lambda: tip.add_note(request.user, form.cleaned_data["body"]),
                 "Note added.", "notes")


@requires("tip.update")
def tip_reply(request: HttpRequest, reference: str) -> HttpResponse:
    tip = _tip_for_step(request, reference)
    if request.method != "POST":
        return _back(tip, "follow-up")
    form = ReplyForm(request.POST)
    if not form.is_valid():
        return _invalid(request, tip, "reply_form", form)
    return _step(request, tip, lambda: tip.reply_to_reporter(request.user,
                                                             form.cleaned_data["body"]),
                 "Reply sent; the reporter sees it on their follow-up page.", "follow-up")


@requires("tip.update")
def tip_close(request: HttpRequest, reference: str) -> HttpResponse:
    tip = _tip_for_step(request, reference)
    if request.method != "POST":
        return _back(tip, "close")
    form = CloseForm(request.POST)
    if not form.is_valid():
        return _invalid(request, tip, "close_form", form)
    data = form.cleaned_data
    return _step(request, tip, lambda: tip.close(data["reason"], by=request.user,
                                                 note=data["note"]), "Tip closed.")


@requires("tip.update")
def tip_merge(request: HttpRequest, reference: str) -> HttpResponse:
    tip = _tip_for_step(request, reference)
    if request.method != "POST":
        return _back(tip, "merge")
    form = MergeForm(request.POST)
    if not form.is_valid():
        return _invalid(request, tip, "merge_form", form)
    keeper = get_object_for(request.user, "tip.update", Tip,
                            reference=form.cleaned_data["keep"].strip().upper())
    try:
        tip.merge_into(keeper, by=request.user)
    except TipStateError as problem:
        messages.error(request, str(problem))
        return _back(tip, "merge")
    messages.success(request, f"Merged {tip.reference} into {keeper.reference}.")
    return _back(keeper)


@requires("tip.update")
def tip_convert(request: HttpRequest, reference: str) -> HttpResponse:
    tip = _tip_for_step(request, reference)
    if not can(request.user, "case.create"):
        raise PermissionDenied("Your role may not open cases.")
    if request.method != "POST":
        return _back(tip, "convert")
    try:
        case = tip.convert_to_case(by=request.user)
    except TipStateError as problem:
        messages.error(request, str(problem))
        return _back(tip)
    messages.success(request, f"Opened case {case.reference} from tip {tip.reference}.")
    if can(request.user, "case.view", case):
        return redirect("cases:detail", reference=case.reference)
    return _back(tip)


@requires("tip.handoff")
def tip_handoff(request: HttpRequest, reference: str) -> HttpResponse:
    tip = _tip_for_step(request, reference, "tip.handoff")
    if request.method != "POST":
        return _back(tip, "handoff")
    form = HandoffForm(request.POST)
    if not form.is_valid():
        return _invalid(request, tip, "handoff_form", form)
    data = form.cleaned_data

    def hand_off():
        if data["basis"] == "consent":
            Consent.objects.create(
                organisation=tip.organisation, tip=tip,
                purpose=ConsentPurpose.LAW_ENFORCEMENT, recipient=data["recipient"],
                method=data["consent_method"], wording=data["consent_wording"],
                retention_explained=True, withdrawal_explained=True,
                recorded_by=request.user)
        reason = data["mandatory_reason"] if data["basis"] == "mandatory" else ""
        tip.hand_off_to_law_enforcement(request.user, data["recipient"], reason)

    return _step(request, tip, hand_off, f"Passed to {data['recipient']}; the basis is in "
                 "the audit trail.", "handoff")


@requires("catalog.manage")
@require_http_methods(["GET", "POST"])
def catalog(request: HttpRequest) -> HttpResponse:
    """The indicator catalog in force; administrators add indicators here."""
    form = CatalogExtensionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        entry = form.entry()
        CatalogExtension.objects.create(
            indicator_id=entry["id"], category=entry["category"],
            description=entry["description"], evidence_grade=entry["evidence_grade"],
            source=entry["source"], cues=entry["cues"], codings=entry["codings"],
            added_by=request.user)
        forget_catalog()
        messages.success(request, f"Added indicator {entry['id']}.")
        return redirect("intake:catalog")
    return render(request, "intake/catalog.html", {"catalog": current_catalog(), "form": form},
                  status=400 if request.method == "POST" else 200)
