"""The administrators' page for their organisation's own indicators (issue 17).

Thin: adding, changing, retiring and deleting are services of
:mod:`harborlight.intake.catalog`, audited there. An indicator is shown in words (the
reader's language, its category and the HTCDS value it stands for in words); its id is
shown as the code the triage reasons name."""

from __future__ import annotations

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_http_methods

from harborlight.cases.models import LocalValue
from harborlight.cases.vocabulary import INDICATOR
from harborlight.intake.catalog import (add_indicator, change_indicator, current_catalog,
                                        delete_indicator, indicator_uses, retire_indicator)
from harborlight.intake.forms import text_field
from harborlight.pages import form_for, step
from harborlight.security.permissions import fetch, requires
from harborlight.vocab import words
from harborlight.vocab.indicators import CODED_FIELDS, EVIDENCE_GRADES
from harborlight.vocab.loader import htcds_choices

ACTION = "catalog.manage"


def _htcds_values() -> list[tuple[str, list[tuple[str, str]]]]:
    """The HTCDS values an indicator may stand for, grouped by picklist, in words."""
    groups = []
    for name in CODED_FIELDS:
        if not name.startswith("vic_"):
            continue
        groups.append((words.field_label(name), [
            (f"{name}={code}", words.value_label(name, code))
            for code, _label in htcds_choices(name)]))
    return groups


def _categories() -> list[tuple[str, str]]:
    catalog = current_catalog()
    return sorted((c, catalog.category_words(c)) for c in catalog.categories)


class IndicatorForm(forms.Form):
    category = forms.ChoiceField(label=_("Category"), choices=_categories)
    label_en = forms.CharField(label=_("The sign in English"), max_length=120)
    label_es = forms.CharField(label=_("The sign in Spanish"), max_length=120)
    maps_to = forms.ChoiceField(label=_("HTCDS value it stands for (read by triage)"),
                                choices=_htcds_values)
    evidence_grade = forms.ChoiceField(
        label=_("Evidence grade"),
        choices=lambda: [(g, f"{g}: {_(w)}") for g, w in EVIDENCE_GRADES.items()])
    source = text_field(_("Source"), 300, required=True)
    cues = text_field(_("Text cues, one regular expression per line"), 4000, required=True,
                      rows=3)

    def fields_for_service(self) -> dict:
        data = self.cleaned_data
        return {"category": data["category"], "label_en": data["label_en"],
                "label_es": data["label_es"], "maps_to": data["maps_to"],
                "evidence_grade": data["evidence_grade"], "source": data["source"],
                "cues": data["cues"].splitlines()}


def _in_words(value: LocalValue) -> LocalValue:
    catalog = current_catalog()
    name, _eq, code = value.maps_to.partition("=")
    value.stands_for = f"{words.field_label(name)}: {words.value_label(name, code)}"
    value.category_words = catalog.category_words(value.entry.get("category", ""))
    value.words = value.label(get_language() or "en")  # the reader's language
    return value


def _url(value: LocalValue | None = None) -> str:
    if value is None:
        return reverse("intake:own_indicators")
    return reverse("intake:own_indicator", kwargs={"pk": value.pk})


def _indicators(request):
    return LocalValue.objects.filter(field=INDICATOR)


@requires(ACTION)
@require_http_methods(["GET", "POST"])
def own_indicators(request: HttpRequest) -> HttpResponse:
    """The organisation's indicators; a form adds one."""
    organisation = request.user.organisation

    def page(form) -> HttpResponse:
        values = [_in_words(v) for v in LocalValue.objects.of(organisation, INDICATOR)]
        return render(request, "intake/indicators.html", {"values": values, "form": form})

    form = form_for(request, IndicatorForm)
    return step(request, form, lambda data: add_indicator(
        organisation, request.user, **form.fields_for_service()),
        done=gettext_noop("Added the indicator; it reads your organisation's tips now."),
        back=_url(), own_page=True, page=page)


@requires(ACTION)
@require_http_methods(["GET", "POST"])
def own_indicator(request: HttpRequest, pk: int) -> HttpResponse:
    """One indicator: its versions; new words, cues or mapping make a new version."""
    value = fetch(request, _indicators(request), pk=pk)
    initial = {"category": value.entry["category"], "label_en": value.label_en,
               "label_es": value.label_es, "maps_to": value.maps_to,
               "evidence_grade": value.entry["evidence_grade"],
               "source": value.entry["source"], "cues": "\n".join(value.entry["cues"])}
    form = form_for(request, IndicatorForm, initial=initial)

    def page(bound) -> HttpResponse:
        versions = list(value.versions.select_related("changed_by"))
        return render(request, "intake/indicator.html", {
            "value": _in_words(value), "form": bound, "uses": indicator_uses(value),
            "versions": versions})

    return step(request, form, lambda data: change_indicator(
        value, request.user, **form.fields_for_service()),
        done=gettext_noop("Saved as a new version."), back=_url(value), own_page=True,
        page=page)


@requires(ACTION)
@require_http_methods(["GET", "POST"])
def own_indicator_retire(request: HttpRequest, pk: int) -> HttpResponse:
    value = fetch(request, _indicators(request), pk=pk)
    return step(request, form_for(request, forms.Form),
                lambda data: retire_indicator(value, request.user),
                done=gettext_noop("Retired: it no longer reads new tips; tips that used it "
                                  "keep their reasons."), back=_url(value))


@requires(ACTION)
@require_http_methods(["GET", "POST"])
def own_indicator_delete(request: HttpRequest, pk: int) -> HttpResponse:
    value = fetch(request, _indicators(request), pk=pk)
    return step(request, form_for(request, forms.Form),
                lambda data: delete_indicator(value, request.user),
                done=gettext_noop("Deleted the indicator."), back=_url(value),
                then=lambda _result: _url())
