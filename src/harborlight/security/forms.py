"""Forms of the security pages: break-glass, its review, and the audit search (a GET
form; every field optional)."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from harborlight.security.audit.models import AuditAction
from harborlight.security.breakglass import MIN_REASON_LENGTH


class BreakGlassForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), min_length=MIN_REASON_LENGTH, max_length=1000,
        help_text=_("Why you need this record now. Your supervisor and the auditors will see "
                    "it."))


class ReviewForm(forms.Form):
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False,
                           max_length=1000, label=_("Review note"))


class DateInput(forms.DateInput):
    input_type = "date"


class AuditSearchForm(forms.Form):
    actor = forms.CharField(label=_("Username"), required=False, max_length=150,
                            help_text=_("Also finds failed sign-ins with this username."))
    action = forms.ChoiceField(label=_("Action"), required=False,
                               choices=[("", _("Any action")), *AuditAction.choices])
    object_type = forms.CharField(label=_("Record type"), required=False, max_length=100,
                                  help_text=_('For example "cases.case".'))
    object_id = forms.CharField(label=_("Record id"), required=False, max_length=64)
    date_from = forms.DateField(label=_("From date"), required=False, widget=DateInput)
    date_to = forms.DateField(label=_("To date"), required=False, widget=DateInput)
    reason = forms.CharField(label=_("Reason contains"), required=False, max_length=200)

    def clean(self) -> dict:
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "The end date is before the start date.")
        return cleaned

    def apply(self, entries: QuerySet) -> QuerySet:
        """Narrow ``entries`` by the valid, filled-in fields (call after ``is_valid``)."""
        data = self.cleaned_data
        if data.get("actor"):
            entries = entries.filter(Q(actor_username=data["actor"])
                                     | Q(details__attempted_username=data["actor"]))
        if data.get("action"):
            entries = entries.filter(action=data["action"])
        if data.get("object_type"):
            entries = entries.filter(object_type=data["object_type"].strip().lower())
        if data.get("object_id"):
            entries = entries.filter(object_id=data["object_id"].strip())
        if data.get("date_from"):
            entries = entries.filter(created_at__gte=_start_of(data["date_from"]))
        if data.get("date_to"):
            entries = entries.filter(created_at__lt=_start_of(data["date_to"] + timedelta(1)))
        if data.get("reason"):
            entries = entries.filter(reason__icontains=data["reason"])
        return entries


def _start_of(day) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))
