"""The administrators' vocabulary page: the organisation's own picklist values.

Thin: each act is a service of :mod:`harborlight.cases.vocabulary`, audited there."""

from __future__ import annotations

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from harborlight.cases.models import LocalValue
from harborlight.cases.vocabulary import (EXTENSIBLE, add_value, change_value, delete_value,
                                          retire_value, uses)
from harborlight.pages import form_for, step
from harborlight.security.permissions import fetch, requires
from harborlight.vocab import words
from harborlight.vocab.loader import htcds_choices

ACTION = "catalog.manage"


def _picklists() -> list[tuple[str, str]]:
    return [(name, words.field_label(name)) for name in EXTENSIBLE]


def _nearest() -> list[tuple[str, list[tuple[str, str]]]]:
    """Every HTCDS value, grouped by picklist (the value is checked against the one chosen)."""
    return [(words.field_label(name), [(code, words.value_label(name, code))
                                       for code, _label in htcds_choices(name)])
            for name in EXTENSIBLE]


class ValueForm(forms.Form):
    label_en = forms.CharField(label=gettext_lazy("Words in English"), max_length=120)
    label_es = forms.CharField(label=gettext_lazy("Words in Spanish"), max_length=120)
    maps_to = forms.ChoiceField(label=gettext_lazy("Nearest HTCDS value (written by exports)"),
                                choices=_nearest)


class NewValueForm(ValueForm):
    field = forms.ChoiceField(label=gettext_lazy("Picklist"), choices=_picklists)
    field_order = ["field", "label_en", "label_es", "maps_to"]


def _url(value: LocalValue | None = None) -> str:
    if value is None:
        return reverse("cases:vocabulary")
    return reverse("cases:vocabulary_value", kwargs={"pk": value.pk})


@requires(ACTION)
@require_http_methods(["GET", "POST"])
def vocabulary(request: HttpRequest) -> HttpResponse:
    """The organisation's values by picklist; a form adds one."""
    organisation = request.user.organisation

    def page(form) -> HttpResponse:
        values = list(LocalValue.objects.of(organisation))
        for value in values:
            value.picklist = words.field_label(value.field)
            value.nearest = words.value_label(value.field, value.maps_to)
        return render(request, "cases/vocabulary.html", {"values": values, "form": form})

    return step(request, form_for(request, NewValueForm), lambda data: add_value(
        organisation, data["field"], data["label_en"], data["label_es"], data["maps_to"],
        request.user),
        done=lambda value: _("Added “%(value)s” to %(picklist)s.") % {
            "value": value.label_en, "picklist": words.field_label(value.field)},
        back=_url(), own_page=True, page=page)


@requires(ACTION)
@require_http_methods(["GET", "POST"])
def vocabulary_value(request: HttpRequest, pk: int) -> HttpResponse:
    """One value: its versions, new words or mapping (a new version)."""
    value = fetch(request, LocalValue, pk=pk)
    initial = {"label_en": value.label_en, "label_es": value.label_es,
               "maps_to": value.maps_to}
    form = form_for(request, ValueForm, initial=initial)

    def page(bound) -> HttpResponse:
        versions = list(value.versions.select_related("changed_by"))
        for version in versions:
            version.nearest = words.value_label(value.field, version.maps_to)
        return render(request, "cases/vocabulary_value.html", {
            "value": value, "form": bound, "picklist": words.field_label(value.field),
            "nearest": words.value_label(value.field, value.maps_to), "uses": uses(value),
            "versions": versions})

    return step(request, form, lambda data: change_value(
        value, data["label_en"], data["label_es"], data["maps_to"], request.user),
        done=lambda changed: _("Saved as version %(version)s.") % {
            "version": changed.version}, back=_url(value),
        own_page=True, page=page)


@requires(ACTION)
@require_http_methods(["GET", "POST"])
def vocabulary_retire(request: HttpRequest, pk: int) -> HttpResponse:
    value = fetch(request, LocalValue, pk=pk)
    return step(request, form_for(request, forms.Form),
                lambda data: retire_value(value, request.user),
                done=_("Retired “%(value)s”: no longer offered; records keep it.") % {
                    "value": value.label_en},
                back=_url(value))


@requires(ACTION)
@require_http_methods(["GET", "POST"])
def vocabulary_delete(request: HttpRequest, pk: int) -> HttpResponse:
    value = fetch(request, LocalValue, pk=pk)
    return step(request, form_for(request, forms.Form),
                lambda data: delete_value(value, request.user),
                done=_("Deleted “%(value)s”.") % {"value": value.label_en}, back=_url(value), then=lambda _: _url())
