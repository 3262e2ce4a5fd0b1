"""The operator console: the queue, logging a contact, a tip's triage page and its steps.

Each step view is thin: decorate with the action, fetch the tip through
:func:`~harborlight.security.permissions.fetch` (another organisation's tip is a 404), and
hand the form and the one model or triage call to :func:`harborlight.pages.step`. A GET
on a step URL leads back to the tip's page, where the step's form lives.
"""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.utils.translation import pgettext_lazy
from django.views.decorators.http import require_http_methods

from harborlight.cases.models import LocalValue
from harborlight.cases.vocabulary import INDICATOR
from harborlight.consent.models import Consent, ConsentPurpose
from harborlight.intake import explain, triage
from harborlight.intake.assist import segments
from harborlight.intake.catalog import current_catalog, current_rules
from harborlight.intake.helplines import helplines
from harborlight.intake.forms import (AnswersForm, AssignForm, CloseForm, ContactForm,
                                      ConvertForm, HandoffForm, MergeForm, NoteForm,
                                      ReplyForm, ReviewForm)
from harborlight.intake.models import Tip, TipStatus, TriageLevel
from harborlight.pages import form_for, page_query, step
from harborlight.security.permissions import can, fetch, requires, scope

QUEUE_FILTERS = {"open": pgettext_lazy("tips", "Open"), "mine": gettext_lazy("Assigned to me"),
                 "closed": gettext_lazy("Closed"), "all": gettext_lazy("All")}


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
        "query": page_query(request),
        "levels": TriageLevel.choices, "can_create": can(request.user, "tip.create"),
        "can_manage_catalog": can(request.user, "catalog.manage")})


@requires("tip.create")
@require_http_methods(["GET", "POST"])
def tip_create(request: HttpRequest) -> HttpResponse:
    form = form_for(request, ContactForm, organisation=request.user.organisation)

    def log(data: dict) -> Tip:
        tip, _ = triage.create_tip(
            request.user.organisation, narrative=data["narrative"], channel=data["channel"],
            location=data["location"], reporter_contact=data["reporter_contact"],
            people_involved=data["people_involved"], caller_type=data["caller_type"],
            answers=form.answers(), logged_by=request.user)
        return tip

    return step(request, form, log, done=lambda tip: _("Logged tip %s.") % tip.reference,
                back=reverse("intake:list"), then=tip_url, own_page=True,
                page=lambda form: render(request, "intake/create.html", {"form": form}))


@requires("tip.view")
def tip_detail(request: HttpRequest, reference: str) -> HttpResponse:
    tip = fetch(request, Tip.objects.select_related("assigned_to", "case", "merged_into",
                                                    "logged_by"), reference=reference)
    return render(request, "intake/detail.html", detail_context(request, tip))


def tip_url(tip: Tip) -> str:
    return reverse("intake:detail", kwargs={"reference": tip.reference})


def detail_context(request: HttpRequest, tip: Tip, **forms) -> dict:
    """The triage page: level and why in sentences, the narrative with its evidence
    marked, the actions, and below them what operators edit less often."""
    catalog, rules = current_catalog(tip.organisation_id), current_rules()
    suggestions = triage.suggestions(tip, catalog)
    reviews = tip.reviews_by_key()
    user = request.user
    may_update = can(user, "tip.update", tip) and not tip.is_closed
    why = explain.reasons_in_words(tip.triage_reasons, rules, catalog)
    return {
        "tip": tip, "rules": rules, "catalog": catalog, "helplines": helplines(),
        "why": [reason for reason in why if reason.level == tip.triage_level],
        "why_more": [reason for reason in why if reason.level != tip.triage_level],
        "suggestions": [(s, explain.suggestion_label(s), reviews.get(s.key, ""),
                         explain.suggestion_words(s), explain.suggestion_note(s))
                        for s in suggestions],
        "narrative_segments": segments(tip.narrative, suggestions),
        "notes": tip.notes.select_related("author"),
        "messages_list": tip.messages.select_related("author"),
        "may_update": may_update,
        "may_handoff": can(user, "tip.handoff", tip) and not tip.handed_off_at,
        "may_convert": may_update and can(user, "case.create") and not tip.case_id,
        "case_open_to_me": bool(tip.case_id) and can(user, "case.view", tip.case),
        "answers_form": forms.get("answers_form") or AnswersForm(
            initial_answers=tip.answers, organisation=tip.organisation),
        "assign_form": forms.get("assign_form") or AssignForm(
            organisation=tip.organisation, initial={"assignee": tip.assigned_to_id}),
        "convert_form": forms.get("convert_form") or ConvertForm(
            organisation=tip.organisation),
        "note_form": forms.get("note_form") or NoteForm(),
        "reply_form": forms.get("reply_form") or ReplyForm(),
        "close_form": forms.get("close_form") or CloseForm(),
        "merge_form": forms.get("merge_form") or MergeForm(),
        "handoff_form": forms.get("handoff_form") or HandoffForm(),
        "handoff_open": "handoff_form" in forms,
        "has_consent": Consent.objects.active().filter(
            tip=tip, purpose=ConsentPurpose.LAW_ENFORCEMENT).exists(),
    }


def _tip_step(request: HttpRequest, reference: str, form_class, name: str, act,
              done, anchor: str = "", then=None, **form_kwargs) -> HttpResponse:
    """A step whose form sits on the tip's page (under ``anchor``); ``act(tip, data,
    form)``. An invalid form shows the tip's page again, with that form's errors."""
    tip = fetch(request, Tip, reference=reference)
    kwargs = {key: value(tip) for key, value in form_kwargs.items()}
    form = form_for(request, form_class, **kwargs)

    def page(bound) -> HttpResponse:
        return render(request, "intake/detail.html",
                      detail_context(request, tip, **{name: bound}))

    return step(request, form, lambda data: act(tip, data, form), done=done,
                back=tip_url(tip), page=page, anchor=anchor, then=then)


@requires("tip.update")
def tip_answers(request: HttpRequest, reference: str) -> HttpResponse:
    return _tip_step(request, reference, AnswersForm, "answers_form",
                     lambda tip, data, form: triage.set_answers(tip, form.answers(),
                                                                by=request.user),
                     _("Answers saved; triage updated."), "triage",
                     organisation=lambda tip: tip.organisation,
                     initial_answers=lambda tip: tip.answers)


@requires("tip.update")
def tip_review(request: HttpRequest, reference: str) -> HttpResponse:
    return _tip_step(request, reference, ReviewForm, "review_form",
                     lambda tip, data, form: triage.review_suggestion(
                         tip, data["key"], data["decision"], by=request.user),
                     lambda decision: f"Suggestion {decision}; triage updated.",
                     "suggestions")


@requires("tip.update")
def tip_assign(request: HttpRequest, reference: str) -> HttpResponse:
    return _tip_step(request, reference, AssignForm, "assign_form",
                     lambda tip, data, form: tip.assign(data["assignee"], by=request.user),
                     lambda assignee: _("Assigned to %s.") % assignee, "assign",
                     organisation=lambda tip: tip.organisation)


@requires("tip.update")
def tip_add_note(request: HttpRequest, reference: str) -> HttpResponse:
    return _tip_step(request, reference, NoteForm, "note_form",
                     lambda tip, data, form: tip.add_note(request.user, data["body"]),
                     _("Note added."), "notes")


@requires("tip.update")
def tip_reply(request: HttpRequest, reference: str) -> HttpResponse:
    return _tip_step(request, reference, ReplyForm, "reply_form",
                     lambda tip, data, form: tip.reply_to_reporter(request.user,
                                                                   data["body"]),
                     _("Reply sent; the reporter sees it on their follow-up page."),
                     "follow-up")


@requires("tip.update")
def tip_close(request: HttpRequest, reference: str) -> HttpResponse:
    return _tip_step(request, reference, CloseForm, "close_form",
                     lambda tip, data, form: tip.close(data["reason"], by=request.user,
                                                       note=data["note"]),
                     _("Tip closed."), "close")


@requires("tip.update")
def tip_merge(request: HttpRequest, reference: str) -> HttpResponse:
    def merge(tip: Tip, data: dict, form) -> Tip:
        keeper = fetch(request, Tip, reference=data["keep"].strip().upper())
        tip.merge_into(keeper, by=request.user)
        return keeper

    return _tip_step(request, reference, MergeForm, "merge_form", merge,
                     lambda keeper: _("Merged into %s.") % keeper.reference, "merge",
                     then=tip_url)


@requires("tip.update", "case.create")
def tip_convert(request: HttpRequest, reference: str) -> HttpResponse:
    """Open a case from the tip, after a confirmation page: the tip's form names the
    caseworker (or nobody yet), this page says what will happen, and only its POST acts."""
    tip = fetch(request, Tip.objects.select_related("case"), reference=reference)
    data = request.POST if request.method == "POST" else (request.GET or None)
    form = ConvertForm(data, organisation=tip.organisation)

    def page(bound) -> HttpResponse:
        return render(request, "intake/convert.html", {"tip": tip, "form": bound})

    if request.method != "POST":
        if form.is_bound and not form.is_valid():
            return render(request, "intake/detail.html",
                          detail_context(request, tip, convert_form=form), status=400)
        return page(form)

    def then(case) -> str:
        if can(request.user, "case.view", case):
            return reverse("cases:detail", kwargs={"reference": case.reference})
        return tip_url(tip)

    def done(case) -> str:
        if case.owner_id is None:
            return _("Opened case %(case)s from tip %(tip)s. It waits for a supervisor to "
                     "assign a caseworker.") % {"case": case.reference, "tip": reference}
        return _("Opened case %(case)s from tip %(tip)s for %(owner)s.") % {
            "case": case.reference, "tip": reference, "owner": case.owner}

    return step(request, form, lambda data: tip.convert_to_case(
                    by=request.user, owner=data["owner"], unassigned=data["owner"] is None),
                done=done, back=tip_url(tip), page=page, own_page=True, then=then)


@requires("tip.handoff")
def tip_handoff(request: HttpRequest, reference: str) -> HttpResponse:
    def hand_off(tip: Tip, data: dict, form: HandoffForm) -> str:
        reason = data["mandatory_reason"] if data["basis"] == "mandatory" else ""
        tip.hand_off(request.user, data["recipient"], mandatory_reason=reason,
                     consent_now=form.consent_now())
        return data["recipient"]

    return _tip_step(request, reference, HandoffForm, "handoff_form", hand_off,
                     lambda recipient: _("Passed to %s; the basis is in the audit trail.")
                     % recipient, "handoff")


@requires("catalog.manage")
@require_http_methods(["GET"])
def catalog(request: HttpRequest) -> HttpResponse:
    """The indicator catalog in force for the reader's organisation, in the reader's
    language: each indicator's description and category in words (EN/ES side by side);
    ids, sources (cited works, as published) and HTCDS codings as they are. Indicators
    are added as the organisation's own (:mod:`.indicator_views`)."""
    catalog = current_catalog(request.user.organisation_id)
    own = set(LocalValue.objects.filter(organisation_id=request.user.organisation_id,
                                        field=INDICATOR).values_list("entry__id", flat=True))
    rows = [(indicator, indicator.words(), catalog.category_words(indicator.category),
             indicator.id in own) for indicator in catalog.indicators]
    return render(request, "intake/catalog.html", {"catalog": catalog, "rows": rows})
