"""Survivor-centred records on a case: safety plans, support plans (goals), services,
tasks, historic events and consent (recording and withdrawal)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from harborlight.cases import forms
from harborlight.cases.models import Case, SafetyPlan, SupportPlan, Task
from harborlight.cases.views.common import case_url, form_page, model_form_page
from harborlight.consent.forms import PROVIDER_PREFIX, ConsentForm
from harborlight.consent.models import Consent, ConsentPurpose
from harborlight.pages import NoInput, form_for, step
from harborlight.security.permissions import fetch, requires
from harborlight.vocab import words

# After recording a consent from the referral page, back to it with the provider chosen.
SEND_PAGES = {ConsentPurpose.REFERRAL: "referrals:new",
              ConsentPurpose.TRANSFER: "referrals:transfer"}


def _add_view(form_class, title: str, submit: str, done: str):
    """A page that adds one record of ``form_class``'s model to a case.

    Saving is a plain save of a new record, audited by the trail's backstop for plain
    saves (one ``create``): these records have no workflow of their own.
    """

    @requires("case.update")
    def view(request: HttpRequest, reference: str) -> HttpResponse:
        case = fetch(request, Case.objects.select_related("owner"), reference=reference)
        added = form_class._meta.model(case=case, organisation=case.organisation,
                                       created_by=request.user)
        if isinstance(added, Task):
            added.assigned_to = case.owner
        return model_form_page(request, form_for(request, form_class, instance=added), case,
                               title, submit, done=done, back=case_url(case))

    return view


# The words are marked for translation here and said in the reader's language by the form
# page and the step's message.
support_plan_add = _add_view(forms.SupportPlanForm,
                             gettext_noop("Add a goal (support plan)"),
                             gettext_noop("Add goal"), gettext_noop("Goal added."))
service_add = _add_view(forms.ServiceForm, gettext_noop("Record a service received"),
                        gettext_noop("Record service"), gettext_noop("Service recorded."))
task_add = _add_view(forms.TaskForm, gettext_noop("Add a task"), gettext_noop("Add task"),
                     gettext_noop("Task added."))
event_add = _add_view(forms.EventForm, gettext_noop("Add a historic trafficking event"),
                      gettext_noop("Add event"), gettext_noop("Event added to the timeline."))


@requires("case.update")
def safety_plan_add(request: HttpRequest, reference: str) -> HttpResponse:
    case = fetch(request, Case.objects.select_related("owner"), reference=reference)
    form = form_for(request, forms.SafetyPlanForm,
                    instance=SafetyPlan(case=case, organisation=case.organisation))
    return step(request, form, lambda data: form.instance.save_by(request.user),
                done=_("Safety plan saved; its review is in the task list."),
                back=case_url(case), own_page=True,
                page=form_page(request, case, _("Safety plan"), _("Save safety plan")))


@requires("case.update")
def safety_plan_edit(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    plan = fetch(request, SafetyPlan.objects.select_related("case"), shows_record=True,
                 pk=pk, case__reference=reference)
    form = form_for(request, forms.SafetyPlanForm, instance=plan)
    return step(request, form, lambda data: plan.save_by(request.user),
                done=_("Safety plan updated."), back=case_url(reference), own_page=True,
                page=form_page(request, plan.case, _("Safety plan"), _("Save safety plan")))


@requires("case.update")
def support_plan_edit(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    """Update a goal: its plan, dates and status (achieved, paused, no longer wanted)."""
    goal = fetch(request, SupportPlan.objects.select_related("case"), shows_record=True,
                 pk=pk, case__reference=reference)
    return model_form_page(request, form_for(request, forms.SupportPlanForm, instance=goal),
                           goal.case, _("Goal"), _("Save goal"), done=_("Goal updated."),
                           back=case_url(reference))


@requires("case.update")
def task_done(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    task = fetch(request, Task.objects.select_related("case"), pk=pk,
                 case__reference=reference)
    return step(request, form_for(request, NoInput),
                lambda data: task.complete(by=request.user), done=_("Task done."),
                back=case_url(reference))


@requires("case.update")
def consent_add(request: HttpRequest, reference: str) -> HttpResponse:
    """Record a consent. A preset button ticks its fields and shows the form again
    (nothing is saved); ``?purpose=…&recipient=provider:ID&then=send`` arrives from the
    referral page, which the form goes back to once the consent is recorded."""
    case = fetch(request, Case.objects.select_related("owner", "organisation"),
                 reference=reference)
    initial = {key: request.GET[key] for key in ("purpose",) if key in request.GET}
    if request.GET.get("recipient", "").startswith(PROVIDER_PREFIX):
        initial["recipient_choice"] = request.GET["recipient"]
    form = form_for(request, ConsentForm, case=case, initial=initial)
    back_to_send = request.GET.get("then") == "send"
    send_page = SEND_PAGES.get(request.GET.get("purpose", ""))
    cancel_url = case_url(case)
    if back_to_send and send_page:
        cancel_url = reverse(send_page, kwargs={"reference": case.reference})

    def page(bound) -> HttpResponse:
        return render(request, "cases/consent_form.html",
                      {"case": case, "form": bound, "presets": words.presets(),
                       "cancel_url": cancel_url})

    if request.method == "POST" and "preset" in request.POST:
        return page(ConsentForm(case=case, initial=ConsentForm.initial_with_preset(
            request.POST, request.POST["preset"])))

    def then(consent: Consent) -> str:
        send_page = SEND_PAGES.get(consent.purpose)
        if back_to_send and send_page and consent.recipient_provider_id:
            return (reverse(send_page, kwargs={"reference": case.reference}) + "?"
                    + urlencode({"provider": consent.recipient_provider_id}))
        return case_url(case, "consent")

    return step(request, form,
                lambda data: Consent.objects.record(by=request.user, case=case,
                                                    **form.record_arguments()),
                done=_("Consent recorded."), back=case_url(case), own_page=True,
                page=page, then=then)


@requires("case.update")
def consent_withdraw(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    consent = fetch(request, Consent.objects.select_related("case"), pk=pk,
                    case__reference=reference)
    form = form_for(request, forms.WithdrawConsentForm)
    intro = _("%(purpose)s, to %(recipient)s, given on %(date)s.") % {
        "purpose": consent.get_purpose_display(), "recipient": consent.recipient_display,
        "date": date_format(consent.given_at)}
    return step(request, form,
                lambda data: consent.withdraw(by=request.user, note=data["note"]),
                done=_("Consent withdrawn. Disclosures that relied on it stop now."),
                back=case_url(reference), own_page=True,
                page=form_page(request, consent.case, _("Withdraw consent"),
                               _("Withdraw consent"),
                               intro=intro, danger=True))
