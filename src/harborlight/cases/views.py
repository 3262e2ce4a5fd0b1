"""Case pages. Each view: decorate, fetch through security.permissions, act, respond."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from harborlight.cases.forms import CaseNoteForm
from harborlight.cases.models import Case, CaseStatus
from harborlight.security.permissions import can, get_object_for, requires, scope

PAGE_SIZE = 50


@requires("case.view")
def case_list(request: HttpRequest) -> HttpResponse:
    cases = scope(request.user, "case.view", Case.objects.select_related("owner"))
    status = request.GET.get("status", "")
    if status in CaseStatus.values:
        cases = cases.filter(status=status)
    page = Paginator(cases.only("reference", "status", "opened_at", "restricted",
                                "owner__username", "owner__display_name"),
                     PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "cases/list.html",
                  {"page": page, "statuses": CaseStatus.choices, "status": status})


@requires("case.view")
def case_detail(request: HttpRequest, reference: str) -> HttpResponse:
    case = get_object_for(request.user, "case.view", Case.objects.select_related("owner"),
                          reference=reference)
    context = {"case": case, "persons": case.persons.all(), "notes": case.notes.all()[:50],
               "note_form": CaseNoteForm(), "can_update": can(request.user, "case.update", case)}
    return render(request, "cases/detail.html", context)


@requires("case.update")
@require_POST
def add_note(request: HttpRequest, reference: str) -> HttpResponse:
    case = get_object_for(request.user, "case.update", Case, reference=reference)
    form = CaseNoteForm(request.POST)
    if not form.is_valid():
        context = {"case": case, "persons": case.persons.all(), "notes": case.notes.all()[:50],
                   "note_form": form, "can_update": True}
        return render(request, "cases/detail.html", context, status=400)
    form.instance.case = case
    form.instance.organisation = case.organisation
    form.instance.author = request.user
    form.save()
    messages.success(request, "Note added.")
    return redirect("cases:detail", reference=case.reference)
