"""People in a case: add and edit, duplicates and merge (undoable), data-subject export
and erasure."""

from __future__ import annotations

import json

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from harborlight.cases import forms
from harborlight.cases.duplicates import find_duplicates
from harborlight.cases.erasure import erase_person
from harborlight.cases.models import Person, PersonMerge, WorkflowError
from harborlight.cases.subject_export import export_person, labelled_values
from harborlight.cases.views.common import form_page, get_case, post_only
from harborlight.security.permissions import can, get_object_for, requires


def get_person(request: HttpRequest, action: str, reference: str, pk: int) -> Person:
    return get_object_for(request.user, action, Person.objects.select_related("case"),
                          pk=pk, case__reference=reference)


@requires("case.update")
def person_add(request: HttpRequest, reference: str) -> HttpResponse:
    case = get_case(request, "case.update", reference)
    form = forms.PersonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        person = form.save(commit=False)
        person.case, person.organisation = case, case.organisation
        person.save()
        messages.success(request, "Person added.")
        return redirect("cases:person", reference=case.reference, pk=person.pk)
    return form_page(request, case, form, "Add a person", "Add person")


@requires("case.update")
def person_edit(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    person = get_person(request, "case.update", reference, pk)
    form = forms.PersonForm(request.POST or None, instance=person)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Saved.")
        return redirect("cases:person", reference=reference, pk=person.pk)
    return form_page(request, person.case, form, "Edit person", "Save")


@requires("case.view")
def person_detail(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    person = get_person(request, "case.view", reference, pk)
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
    kept = get_person(request, "case.update", reference, pk)
    if (refusal := post_only(request)) is not None:
        return refusal
    form = forms.MergeForm(request.POST)
    if not form.is_valid():
        return form_page(request, kept.case, form, "Merge", "Merge")
    duplicate = get_object_for(request.user, "case.update", Person.objects.select_related(
        "case"), pk=form.cleaned_data["duplicate"])
    try:
        PersonMerge.merge(kept, duplicate, by=request.user)
    except WorkflowError as problem:
        messages.error(request, str(problem))
    else:
        messages.success(request, "Records merged. Both histories are kept; you can undo this.")
    return redirect("cases:person", reference=reference, pk=kept.pk)


@requires("case.update")
def merge_undo(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    merge = get_object_for(request.user, "case.update", PersonMerge.objects.select_related(
        "kept__case", "merged__case"), pk=pk, kept__case__reference=reference)
    if (refusal := post_only(request)) is not None:
        return refusal
    try:
        merge.undo(by=request.user)
    except WorkflowError as problem:
        messages.error(request, str(problem))
    else:
        messages.success(request, "Merge undone: the records are separate again.")
    return redirect("cases:person", reference=reference, pk=merge.kept_id)


@requires("case.export")
def person_export(request: HttpRequest, reference: str, pk: int) -> HttpResponse:
    """Everything about one person, as JSON (``?format=json``) or a printable page."""
    person = get_person(request, "case.export", reference, pk)
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
    person = get_person(request, "case.delete", reference, pk)
    form = forms.ErasureForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            removed = erase_person(person, by=request.user, reason=form.cleaned_data["reason"])
        except ValueError as problem:
            form.add_error(None, str(problem))
        else:
            messages.success(request, f"Person erased ({sum(removed.values())} related "
                                      "records removed or blanked).")
            return redirect("cases:detail", reference=reference)
    return form_page(request, person.case, form, "Erase this person's data", "Erase",
                     intro="Erasing deletes this person's own records and blanks every "
                           "field of their record. The audit trail keeps that it happened, "
                           "by whom and why, but no values.", danger=True)


