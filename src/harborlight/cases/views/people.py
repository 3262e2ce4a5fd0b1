"""People in a case: add and edit, duplicates and merge (undoable), data-subject export
and erasure."""

from __future__ import annotations

import json

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from harborlight.cases import forms
from harborlight.cases.duplicates import find_duplicates
from harborlight.cases.erasure import erase_person
from harborlight.cases.models import Case, Person, PersonMerge
from harborlight.cases.subject_export import export_person, labelled_values
from harborlight.cases.views.common import case_url, form_page, model_form_page
from harborlight.pages import NoInput, form_for, step
from harborlight.security.permissions import can, fetch, requires


def _person(request: HttpRequest, reference: str, pk: int, shows_record: bool = False
            ) -> Person:
    return fetch(request, Person.objects.select_related("case"), shows_record=shows_record,
                 pk=pk, case__reference=reference)


def person_url(person: Person) -> str:
    return reverse("cases:person", kwargs={"reference": person.case.reference,
                                           "pk": person.pk})


@requires("case.update")
def person_add(request: HttpRequest, reference: str) -> HttpResponse:
    case = fetch(request, Case, reference=reference)
    form = form_for(request, forms.PersonForm,
                    instance=Person(case=case, organisation=case.organisation))
    return model_form_page(request, form, case, _("Add a person"), _("Add person"),
                           done=_("Person added."), back=case_url(case), then=person_url)


@requires("case.update")
def person_edit(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    person = _person(request, reference, pk, shows_record=True)
    return model_form_page(request, form_for(request, forms.PersonForm, instance=person),
                           person.case, _("Edit person"), _("Save"), done=_("Saved."),
                           back=person_url(person))


@requires("case.view")
def person_detail(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    person = _person(request, reference, pk)
    candidates = [c for c in find_duplicates(person)
                  if can(request.user, "case.view", c.person.case)]
    merges = PersonMerge.objects.filter(kept=person).select_related("merged__case")
    return render(request, "cases/person.html", {
        "person": person, "case": person.case, "candidates": candidates, "merges": merges,
        "values": labelled_values(person, "cases.Person"),
        "merged_from": Person.objects.filter(merged_into=person).select_related("case"),
        "can_update": can(request.user, "case.update", person),
        "can_export": can(request.user, "case.export", person),
        "can_erase": can(request.user, "case.delete", person)})


@requires("case.update")
def person_merge(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    kept = _person(request, reference, pk)

    def merge(data: dict) -> PersonMerge:
        duplicate = fetch(request, Person.objects.select_related("case"),
                          pk=data["duplicate"])
        return PersonMerge.merge(kept, duplicate, by=request.user)

    return step(request, form_for(request, forms.MergeForm), merge,
                done=_("Records merged. Both histories are kept; you can undo this."),
                back=person_url(kept), page=form_page(request, kept.case, _("Merge"), _("Merge")))


@requires("case.update")
def merge_undo(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    merge = fetch(request, PersonMerge.objects.select_related("kept__case", "merged__case"),
                  pk=pk, kept__case__reference=reference)
    return step(request, form_for(request, NoInput),
                lambda data: merge.undo(by=request.user),
                done=_("Merge undone: the records are separate again."),
                back=person_url(merge.kept))


@requires("case.export")
def person_export(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    """Everything about one person, as JSON (``?format=json``) or a printable page; the
    export is its own audit entry (``export``), written by :func:`export_person`."""
    person = _person(request, reference, pk)
    document = export_person(person, by=request.user)
    if request.GET.get("format") == "json":
        response = HttpResponse(json.dumps(document, ensure_ascii=False, indent=1),
                                content_type="application/json; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="person-{person.pk}.json"'
        response["Cache-Control"] = "no-store"
        return response
    response = render(request, "cases/person_export.html",
                      {"person": person, "case": person.case, "document": document})
    response["Cache-Control"] = "no-store"
    return response


@requires("case.delete")
def person_erase(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    person = _person(request, reference, pk)
    return step(request, form_for(request, forms.ErasureForm),
                lambda data: erase_person(person, by=request.user, reason=data["reason"]),
                done=lambda removed: _("Person erased (%(count)s related records removed or "
                                       "blanked).") % {"count": sum(removed.values())},
                back=case_url(reference), own_page=True,
                page=form_page(request, person.case, _("Erase this person's data"), _("Erase"),
                               intro=_("Erasing deletes this person's own records and blanks "
                                       "every field of their record. The audit trail keeps "
                                       "that it happened, by whom and why, but no values."),
                               danger=True))
