"""Survivor-centred records on a case: safety plans, support plans (goals), services,
tasks, historic events and consent (recording and withdrawal)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from harborlight.cases import forms
from harborlight.cases.models import Consent, SafetyPlan, SupportPlan, Task
from harborlight.cases.views.common import form_page, get_case, post_only
from harborlight.security.permissions import get_object_for, requires


def _add_view(form_class, title: str, submit: str, done: str, after_save=None):
    """A page that adds one record of ``form_class``'s model to a case, audited."""

    @requires("case.update")
    def view(request: HttpRequest, reference: str) -> HttpResponse:
        case = get_case(request, "case.update", reference)
        kwargs = {"case": case} if form_class is forms.ConsentForm else {}
        form = form_class(request.POST or None, **kwargs)
        if request.method == "POST" and form.is_valid():
            record = form.save(commit=False)
            record.case, record.organisation = case, case.organisation
            if hasattr(record, "created_by_id"):
                record.created_by = request.user
            if isinstance(record, Consent):
                record.recorded_by = request.user
            if isinstance(record, Task):
                record.assigned_to = case.owner
            record.save()
            if after_save:
                after_save(record, request.user)
            messages.success(request, done)
            return redirect("cases:detail", reference=case.reference)
        return form_page(request, case, form, title, submit)

    return view


def _sync_plan(plan: SafetyPlan, user) -> None:
    plan.sync_review_task(by=user)


safety_plan_add = _add_view(forms.SafetyPlanForm, "Safety plan", "Save safety plan",
                            "Safety plan saved; its review is in the task list.", _sync_plan)
support_plan_add = _add_view(forms.SupportPlanForm, "Add a goal (support plan)", "Add goal",
                             "Goal added.")
service_add = _add_view(forms.ServiceForm, "Record a service received", "Record service",
                        "Service recorded.")
task_add = _add_view(forms.TaskForm, "Add a task", "Add task", "Task added.")
event_add = _add_view(forms.EventForm, "Add a historic trafficking event", "Add event",
                      "Event added to the timeline.")
consent_add = _add_view(forms.ConsentForm, "Record consent", "Record consent",
                        "Consent recorded.")


@requires("case.update")
def safety_plan_edit(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    plan = get_object_for(request.user, "case.update", SafetyPlan.objects.select_related(
        "case"), pk=pk, case__reference=reference)
    form = forms.SafetyPlanForm(request.POST or None, instance=plan)
    if request.method == "POST" and form.is_valid():
        plan = form.save(commit=False)
        plan.updated_by = request.user
        plan.save()
        plan.sync_review_task(by=request.user)
        messages.success(request, "Safety plan updated.")
        return redirect("cases:detail", reference=reference)
    return form_page(request, plan.case, form, "Safety plan", "Save safety plan")


@requires("case.update")
def support_plan_edit(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    """Update a goal: its plan, dates and status (achieved, paused, no longer wanted)."""
    goal = get_object_for(request.user, "case.update", SupportPlan.objects.select_related(
        "case"), pk=pk, case__reference=reference)
    form = forms.SupportPlanForm(request.POST or None, instance=goal)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Goal updated.")
        return redirect("cases:detail", reference=reference)
    return form_page(request, goal.case, form, "Goal", "Save goal")


@requires("case.update")
def task_done(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    task = get_object_for(request.user, "case.update", Task.objects.select_related("case"),
                          pk=pk, case__reference=reference)
    if (refusal := post_only(request)) is not None:
        return refusal
    task.complete(by=request.user)
    messages.success(request, "Task done.")
    return redirect("cases:detail", reference=reference)


@requires("case.update")
def consent_withdraw(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    consent = get_object_for(request.user, "case.update", Consent.objects.select_related(
        "case"), pk=pk, case__reference=reference)
    form = forms.WithdrawConsentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        consent.withdraw(by=request.user, note=form.cleaned_data["note"])
        messages.success(request, "Consent withdrawn. Disclosures that relied on it stop now.")
        return redirect("cases:detail", reference=reference)
    return form_page(request, consent.case, form, "Withdraw consent", "Withdraw consent",
                     intro=f"{consent.get_purpose_display()}"
                           f"{' to ' + consent.recipient if consent.recipient else ''}, "
                           f"given {consent.given_at:%Y-%m-%d}.", danger=True)
