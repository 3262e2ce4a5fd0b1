"""Case list, search, detail, opening a case, and the case workflow (assign, status,
trafficking status, closure with supervisor approval)."""

from __future__ import annotations

import re

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from harborlight.cases import forms
from harborlight.cases.models import (Case, CaseStatus, Person, SafetyPlan, ServiceReceived,
                                      SupportPlan, Task, TraffickingEvent)
from harborlight.cases.phonetic import name_key
from harborlight.cases.timeline import timeline
from harborlight.cases.views.common import case_url, form_page
from harborlight.consent.models import Consent
from harborlight.notifications.models import Notice, NoticeKind
from harborlight.pages import NoInput, form_for, page_query, step
from harborlight.security.audit.log import record
from harborlight.security.crypto import get_keyring
from harborlight.security.fields import blind_lookup
from harborlight.security.permissions import can, fetch, requires, scope

PAGE_SIZE = 50
REFERENCE = re.compile(r"^C-[0-9A-Z]{4}-[0-9A-Z]{4}$", re.I)
PHONE = re.compile(r"^\+?[\d\s().-]{7,}$")
SEARCH_LIMIT = 1000


def search_kind(query: str) -> str:
    """How a search box entry is looked up: reference, email, phone, name or names."""
    if REFERENCE.match(query):
        return "reference"
    if "@" in query:
        return "email"
    if PHONE.match(query):
        return "phone"
    return "name" if len(query.split()) == 1 else "names"


def record_search(user, query: str, matches: int) -> None:
    """One ``search`` entry: who, how, how many matched, and a keyed digest of the term.

    Never the term itself: a name in the trail could not be erased with the person. An
    auditor who suspects a search for someone computes the same digest (the blind index
    ``audit.search`` of the term in lower case) and looks for it.
    """
    record("search", actor=user, object_type="cases.case", details={
        "by": search_kind(query), "matches": matches,
        "term": get_keyring().blind_index("audit.search", query.casefold())})


def search_case_ids(query: str, organisation_id: int) -> list[int]:
    """Case ids matching a search box entry, found through blind indexes (no plaintext).

    A reference matches exactly; a phone number or email through their indexes; one word
    through the exact second-name index; two or more words through the phonetic
    first-plus-second-name index, so spelling variants match.
    """
    query = query.strip()
    kind = search_kind(query)
    if kind == "reference":
        # Not limited to the organisation here: the list's scope decides.
        return list(Case.objects.filter(reference=query.upper()).values_list("pk", flat=True))
    if kind == "email":
        people = Person.objects.filter(**blind_lookup(Person, "email", query))
    elif kind == "phone":
        people = Person.objects.filter(**blind_lookup(Person, "mobile_phone", query))
    elif kind == "name":
        people = Person.objects.filter(**blind_lookup(Person, "second_name", query))
    else:
        words = query.split()
        key = "n:" + name_key(words[0]) + "|" + name_key(*words[1:])
        people = Person.objects.filter(**blind_lookup(Person, "phonetic_name_key", key))
    # At most SEARCH_LIMIT case ids, read from the (index value, organisation, case) index
    # alone: a common second name then costs the same as a rare one.
    people = people.filter(organisation_id=organisation_id).order_by()
    return list(people.values_list("case_id", flat=True).distinct()[:SEARCH_LIMIT])


@requires("case.view")
def case_list(request: HttpRequest) -> HttpResponse:
    cases = scope(request.user, "case.view", Case.objects.select_related("owner"))
    status = request.GET.get("status", "")
    query = request.GET.get("q", "").strip()[:200]
    if status in CaseStatus.values:
        cases = cases.filter(status=status)
    elif status == "closure_requested":
        cases = cases.awaiting_closure_approval()
    elif status == "unassigned":  # the supervisors' queue: open cases nobody holds yet
        cases = cases.open().filter(owner__isnull=True)
    capped = False
    if query:
        ids = search_case_ids(query, request.user.organisation_id)
        capped = len(ids) >= SEARCH_LIMIT
        cases = cases.filter(pk__in=ids)
        record_search(request.user, query, cases.count())
    page = Paginator(cases.only("reference", "status", "opened_at", "restricted",
                                "closure_requested_at", "owner__username",
                                "owner__display_name"),
                     PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "cases/list.html",
                  {"page": page, "statuses": CaseStatus.choices, "status": status,
                   "q": query, "capped": capped, "search_limit": SEARCH_LIMIT,
                   "query": page_query(request),
                   "can_create": can(request.user, "case.create")})


@requires("case.create")
def case_new(request: HttpRequest) -> HttpResponse:
    def open_case(data: dict) -> Case:
        victim = {name: data[name] for name in ("first_name", "second_name", "birthdate")}
        return Case.objects.open_new(request.user.organisation, request.user,
                                     summary=data["summary"], restricted=data["restricted"],
                                     victim=victim if any(victim.values()) else None)

    return step(request, form_for(request, forms.NewCaseForm), open_case,
                done=lambda case: _("Case %(reference)s opened.") % {"reference": case.reference},
                back=reverse("web:dashboard"), own_page=True,
                page=form_page(request, None, _("Open a case"), _("Open case")),
                then=lambda case: (case_url(case) if can(request.user, "case.view", case)
                                   else reverse("web:dashboard")))


@requires("case.view")
def case_detail(request: HttpRequest, reference: str) -> HttpResponse:
    case = fetch(request, Case.objects.select_related("owner"), reference=reference)
    user = request.user
    # Opening the case is what a "case assigned to you" notice asks for.
    Notice.objects.settle(case.notice_subject, kinds=[NoticeKind.CASE_ASSIGNED],
                          recipient=user)
    events = list(TraffickingEvent.objects.filter(case=case))
    context = {
        "case": case,
        "persons": case.persons.current(),
        "notes": case.notes.select_related("author")[:50],
        "note_form": forms.CaseNoteForm(),
        "safety_plans": SafetyPlan.objects.filter(case=case),
        "support_plans": SupportPlan.objects.filter(case=case),
        "services": ServiceReceived.objects.filter(case=case),
        "tasks": Task.objects.filter(case=case).select_related("assigned_to"),
        "events": events, "timeline": timeline(events),
        "consents": Consent.objects.filter(case=case).select_related("person"),
        "can_update": can(user, "case.update", case),
        "can_assign": can(user, "case.assign", case),
        "can_approve": can(user, "case.approve_closure", case),
        "assign_form": forms.AssignForm(organisation=case.organisation,
                                        initial={"owner": case.owner_id}),
        "status_form": forms.StatusForm(initial={"status": case.status}),
        "trafficking_form": forms.TraffickingStatusForm(initial={
            "trafficking_status": case.trafficking_status,
            "decision_org": case.trafficking_status_decision_org}),
        "closure_form": forms.ClosureForm(),
        "today": timezone.localdate(),
    }
    return render(request, "cases/detail.html", context)


def _workflow_step(action: str, form_class, act, done: str, **form_kwargs):
    """A workflow step whose form sits on the case page: ``act(case, data, by)``."""

    @requires(action)
    def view(request: HttpRequest, reference: str) -> HttpResponse:
        case = fetch(request, Case.objects.select_related("owner"), reference=reference)
        kwargs = {name: value(case) for name, value in form_kwargs.items()}
        return step(request, form_for(request, form_class, **kwargs),
                    lambda data: act(case, data, request.user), done=done,
                    back=case_url(case),
                    page=form_page(request, case, _("Check the form"), _("Save")))

    return view


assign = _workflow_step(
    "case.assign", forms.AssignForm, lambda case, d, by: case.assign(d["owner"], by=by),
    "Case assigned.", organisation=lambda case: case.organisation)
set_status = _workflow_step(
    "case.update", forms.StatusForm, lambda case, d, by: case.set_status(d["status"], by=by),
    "Status changed.")
trafficking_status = _workflow_step(
    "case.update", forms.TraffickingStatusForm,
    lambda case, d, by: case.decide_trafficking_status(d["trafficking_status"],
                                                       d["decision_org"], by=by),
    "Trafficking status recorded.")
request_closure = _workflow_step(
    "case.update", forms.ClosureForm,
    lambda case, d, by: case.request_closure(d["reason"], by=by, referred=d["referred"]),
    "Closure requested; a supervisor will review it.")
add_note = _workflow_step(
    "case.update", forms.CaseNoteForm, lambda case, d, by: case.add_note(d["body"], by=by),
    "Note added.")
# Closure decisions take no input beyond the CSRF token.
approve_closure = _workflow_step(
    "case.approve_closure", NoInput, lambda case, d, by: case.approve_closure(by=by),
    "Case closed.")
reject_closure = _workflow_step(
    "case.approve_closure", NoInput, lambda case, d, by: case.reject_closure(by=by),
    "Closure request declined; the case stays open.")
reopen = _workflow_step(
    "case.approve_closure", NoInput, lambda case, d, by: case.reopen(by=by), "Case reopened.")


@requires("case.view")
def my_tasks(request: HttpRequest) -> HttpResponse:
    """Open tasks assigned to me, soonest first: safety plan reviews show up here."""
    cases = scope(request.user, "case.view", Case.objects.all())
    tasks = (Task.objects.open().filter(assigned_to=request.user, case__in=cases)
             .select_related("case").order_by("due_on")[:200])
    return render(request, "cases/tasks.html", {"tasks": tasks, "today": timezone.localdate()})
