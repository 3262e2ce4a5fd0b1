"""The dashboard's filters, validated like any other input (400 with a message per field)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from harborlight.insights.aggregate import (Filters, category_label, dashboard_spec,
                                            dashboard_words)
from harborlight.sharing.datafiles import load_layout

ANY = [("", _("Any"))]


def _choices(column: str) -> list[tuple[str, str]]:
    for spec in load_layout("ctdc-2024").columns:
        if spec.name == column:
            return ANY + [(value, category_label(value)) for value in spec.values]
    raise LookupError(column)


def _exploitation_choices() -> list[tuple[str, str]]:
    chart = next(c for c in dashboard_spec()["charts"] if c["id"] == "exploitation")
    return ANY + [(column, dashboard_words(label)) for column, label in chart["columns"].items()]


class FilterForm(forms.Form):
    year_from = forms.IntegerField(required=False, min_value=1990, max_value=2100,
                                   label=_("From year"))
    year_to = forms.IntegerField(required=False, min_value=1990, max_value=2100,
                                 label=_("To year"))
    gender = forms.ChoiceField(required=False, choices=(), label=_("Gender"))
    age = forms.ChoiceField(required=False, choices=(), label=_("Age band"))
    exploitation = forms.ChoiceField(required=False, choices=(), label=_("Type of exploitation"))
    compare = forms.BooleanField(required=False, label=_("Compare with the global CTDC data"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["gender"].choices = _choices("gender")
        self.fields["age"].choices = _choices("ageBroad")
        self.fields["exploitation"].choices = _exploitation_choices()

    def clean(self) -> dict:
        cleaned = super().clean()
        start, end = cleaned.get("year_from"), cleaned.get("year_to")
        if start is not None and end is not None and start > end:
            self.add_error("year_to", _("The end year is before the start year."))
        return cleaned

    def filters(self) -> Filters:
        data = self.cleaned_data
        return Filters(year_from=data.get("year_from"), year_to=data.get("year_to"),
                       gender=data.get("gender", ""), age=data.get("age", ""),
                       exploitation=data.get("exploitation", ""))
