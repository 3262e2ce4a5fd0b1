"""A record's history page (its versions and what each act changed) and restore.

Thin adapters over :mod:`harborlight.cases.history`: ``fetch()`` decides who may open the
record (another organisation's is a 404) and records the page's one ``read``; the
versions are decrypted only after that. Restoring is ``case.restore`` (policy.toml).
"""

from __future__ import annotations

from django.db.models import Model
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from harborlight.cases import forms
from harborlight.cases.history import history, restore
from harborlight.cases.models import Case, Person, SafetyPlan
from harborlight.consent.models import Consent
from harborlight.pages import form_for, step
from harborlight.security.permissions import can, fetch, requires

# The records of a case with a history, by the word their address uses.
KINDS: dict[str, type[Model]] = {"person": Person, "safety-plan": SafetyPlan,
                                 "consent": Consent}


def _record(request: HttpRequest, reference: str, kind: str | None, pk: int | None,
            shows_record: bool = False) -> Model:
    if kind is None:
        return fetch(request, Case, reference=reference, shows_record=shows_record)
    model = KINDS.get(kind)
    if model is None:
        raise Http404("No such record.")
    return fetch(request, model.objects.select_related("case"), shows_record=shows_record,
                 pk=pk, case__reference=reference)


def history_url(reference: str, kind: str | None = None, pk: int | None = None) -> str:
    if kind is None:
        return reverse("cases:history", kwargs={"reference": reference})
    return reverse("cases:record_history", kwargs={"reference": reference, "kind": kind,
                                                   "pk": pk})


def _title(obj: Model, kind: str | None) -> str:
    if kind is None:
        return _("History of case %(reference)s") % {"reference": obj.reference}
    if kind == "person":
        return _("History of %(name)s") % {"name": obj.display_name}
    if kind == "safety-plan":
        return _("History of a safety plan")
    return _("History of a consent")


@requires("case.view")
def record_history(request: HttpRequest, reference: str, kind: str | None = None,
                   pk: int | None = None) -> HttpResponse:
    obj = _record(request, reference, kind, pk, shows_record=True)
    case = obj if kind is None else obj.case
    related = []
    if kind is None:
        related = ([(p.display_name, history_url(reference, "person", p.pk))
                    for p in Person.objects.filter(case=case, erased_at__isnull=True)]
                   + [(_("Safety plan, review on %(day)s") % {"day": plan.review_on},
                       history_url(reference, "safety-plan", plan.pk))
                      for plan in SafetyPlan.objects.filter(case=case)]
                   + [(_("Consent: %(purpose)s") % {"purpose": consent.get_purpose_display()},
                       history_url(reference, "consent", consent.pk))
                      for consent in Consent.objects.filter(case=case)])
    response = render(request, "cases/history.html", {
        "case": case, "title": _title(obj, kind), "versions": history(obj),
        "erased": getattr(obj, "erased_at", None) is not None,
        "related": related, "restore_url": reverse(
            "cases:history_restore" if kind is None else "cases:record_history_restore",
            kwargs={"reference": reference} if kind is None else
            {"reference": reference, "kind": kind, "pk": pk}),
        "can_restore": can(request.user, "case.restore", obj)
        and getattr(obj, "restorable", True)})
    response["Cache-Control"] = "no-store"
    return response


@requires("case.restore")
def history_restore(request: HttpRequest, reference: str, kind: str | None = None,
                    pk: int | None = None) -> HttpResponse:
    obj = _record(request, reference, kind, pk)
    return step(request, form_for(request, forms.RestoreForm),
                lambda data: restore(obj, data["version"], request.user, data["field"]),
                done=lambda version: _("Restored. The record's history keeps it as version "
                                       "%(number)s.") % {"number": version.number},
                back=history_url(reference, kind, pk))

