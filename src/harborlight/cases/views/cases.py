"""Case list, search, detail, opening a case, and the case workflow (assign, status,
trafficking status, closure with supervisor approval)."""

from __future__ import annotations

import re

from django.contrib import messages
from django.forms import Form as DjangoForm
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from harborlight.cases import forms
from harborlight.cases.models import (Case, CaseStatus, Consent, Person, PersonRole,
                                      SafetyPlan, ServiceReceived, SupportPlan, Task,
                                      TraffickingEvent, WorkflowError)
from harborlight.cases.phonetic import name_key
from harborlight.cases.timeline import timeline
from harborlight.cases.views.common import form_page, get_case, post_only
from harborlight.security.fields import blind_lookup
from harborlight.security.permissions import can, requires, scope

PAGE_SIZE = 50
REFERENCE = re.compile(r"^C-[0-9A-Z]{4}-[0-9A-Z]{4}$", re.I)
PHONE = re.compile(r"^\+?[\d\s().-]{7,}$")


SEARCH_LIMIT = 1000


def search_case_ids(query: str, organisation_id: int) -> list[int]:
    """Case ids matching a search box entry, found through blind indexes (no plaintext).

    A reference matches exactly; a phone number or email through their indexes; one word
    through the exact second-name index; two or more words through the phonetic
    first-plus-second-name index, so spelling variants match.
    """
    query = query.strip()
    if REFERENCE.match(query):
        # Not limited to the organisation: the list's scope decides (cases shared by referral).
        return list(Case.objects.filter(reference=query.upper()).values_list("pk", flat=True))
    if "@" in query:
        people = Person.objects.filter(**blind_lookup(Person, "email", query))
    elif PHONE.match(query):
        people = Person.objects.filter(**blind_lookup(Person, "mobile_phone", query))
    else:
        words = query.split()
        if len(words) == 1:
            people = Person.objects.filter(**blind_lookup(Person, "second_name", query))
        else:
            key = "n:" + name_key(words[0]) + "|" + name_key(*words[1:])
            people = Person.objects.filter(
                **blind_lookup(Person, "phonetic_name_key", key))
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
    capped = False
    if query:
        ids = search_case_ids(query, request.user.organisation_id)
        capped = len(ids) >= SEARCH_LIMIT
        cases = cases.filter(pk__in=ids)
    page = Paginator(cases.only("reference", "status", "opened_at", "restricted",
                                "closure_requested_at", "owner__username",
                                "owner__display_name"),
                     PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "cases/list.html",
                  {"page": page, "statuses": CaseStatus.choices, "status": status,
                   "q": query, "capped": capped, "search_limit": SEARCH_LIMIT,
                   "can_create": can(request.user, "case.create")})


@requires("case.create")
def case_new(request: HttpRequest) -> HttpResponse:
    form = forms.NewCaseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        case = Case.objects.open_new(request.user.organisation, request.user,
                                     summary=data["summary"], restricted=data["restricted"])
        if data["first_name"] or data["second_name"] or data["birthdate"]:
            Person.objects.create(organisation=case.organisation, case=case,
                                  role=PersonRole.VICTIM, first_name=data["first_name"],
                                  second_name=data["second_name"], birthdate=data["birthdate"])
        messages.success(request, f"Case {case.reference} opened.")
        if can(request.user, "case.view", case):
            return redirect("cases:detail", reference=case.reference)
        return redirect("web:dashboard")
    return form_page(request, None, form, "Open a case", "Open case")


@requires("case.view")
def case_detail(request: HttpRequest, reference: str) -> HttpResponse:
    case = get_case(request, "case.view", reference)
    user = request.user
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


def _workflow(request, reference: str, action: str, form_class, apply, done: str,
              form_kwargs=None) -> HttpResponse:
    case = get_case(request, action, reference)
    if (refusal := post_only(request)) is not None:
        return refusal
    form = form_class(request.POST, **(form_kwargs(case) if form_kwargs else {}))
    if not form.is_valid():
        return form_page(request, case, form, "Check the form", "Save")
    try:
        apply(case, form.cleaned_data)
    except WorkflowError as problem:
        messages.error(request, str(problem))
        return redirect("cases:detail", reference=case.reference)
    messages.success(request, done)
    return redirect("cases:detail", reference=case.reference)


@requires("case.assign")
def assign(request: HttpRequest, reference: str) -> HttpResponse:
    return _workflow(request, reference, "case.assign", forms.AssignForm,
                     lambda case, d: case.assign(d["owner"], by=request.user), "Case assigned.",
                     form_kwargs=lambda case: {"organisation": case.organisation})


@requires("case.update")
def set_status(request: HttpRequest, reference: str) -> HttpResponse:
    return _workflow(request, reference, "case.update", forms.StatusForm,
                     lambda case, d: case.set_status(d["status"], by=request.user),
                     "Status changed.")


@requires("case.update")
def trafficking_status(request: HttpRequest, reference: str) -> HttpResponse:
    return _workflow(request, reference, "case.update", forms.TraffickingStatusForm,
                     lambda case, d: case.decide_trafficking_status(
                         d["trafficking_status"], d["decision_org"], by=request.user),
                     "Trafficking status recorded.")


@requires("case.update")
def request_closure(request: HttpRequest, reference: str) -> HttpResponse:
    return _workflow(request, reference, "case.update", forms.ClosureForm,
                     lambda case, d: case.request_closure(d["reason"], by=request.user,
                                                          referred=d["referred"]),
                     "Closure requested; a supervisor will review it.")


class _Empty(DjangoForm):
    """Approve, decline and reopen take no input beyond the CSRF token."""


@requires("case.approve_closure")
def approve_closure(request: HttpRequest, reference: str) -> HttpResponse:
    return _workflow(request, reference, "case.approve_closure", _Empty,
                     lambda case, d: case.approve_closure(by=request.user), "Case closed.")


@requires("case.approve_closure")
def reject_closure(request: HttpRequest, reference: str) -> HttpResponse:
    return _workflow(request, reference, "case.approve_closure", _Empty,
                     lambda case, d: case.reject_closure(by=request.user),
                     "Closure request declined; the case stays open.")


@requires("case.approve_closure")
def reopen(request: HttpRequest, reference: str) -> HttpResponse:
    return _workflow(request, reference, "case.approve_closure", _Empty,
                     lambda case, d: case.reopen(by=request.user), "Case reopened.")


@requires("case.update")
def add_note(request: HttpRequest, reference: str) -> HttpResponse:
    case = get_case(request, "case.update", reference)
    if (refusal := post_only(request)) is not None:
        return refusal
    form = forms.CaseNoteForm(request.POST)
    if not form.is_valid():
        return form_page(request, case, form, "Add a note", "Add note")
    form.instance.case = case
    form.instance.organisation = case.organisation
    form.instance.author = request.user
    form.save()
    messages.success(request, "Note added.")
    return redirect("cases:detail", reference=case.reference)


@requires("case.view")
def my_tasks(request: HttpRequest) -> HttpResponse:
    """Open tasks assigned to me, soonest first: safety plan reviews show up here."""
    cases = scope(request.user, "case.view", Case.objects.all())
    tasks = (Task.objects.open().filter(assigned_to=request.user, case__in=cases)
             .select_related("case").order_by("due_on")[:200])
    return render(request, "cases/tasks.html", {"tasks": tasks, "today": timezone.localdate()})
