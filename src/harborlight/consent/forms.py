"""The consent form, in the survivor's words: who may receive it, and what, by group.

Recipients are chosen from the organisation's service directory (entries that stand for a
partner organisation on Harborlight first); a name is typed only when the person names
someone outside it; "any recipient" is a choice of its own, never the blank default. The
information is a list of fields grouped and labelled in plain words
(:mod:`harborlight.vocab.words`), which presets tick in one go.
"""

from __future__ import annotations

from datetime import datetime, time

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from harborlight.consent.models import (ANYONE, Consent, ConsentMethod, ConsentPurpose,
                                        Recipient)
from harborlight.vocab import words

OTHER = "other"
ANY = "any"
PROVIDER_PREFIX = "provider:"


def directory_entries(organisation):
    """The organisation's service directory: the entries a consent may name.

    Read through the consent's own relation to the directory, so this app names the
    directory's model without importing the app above it.
    """
    model = Consent._meta.get_field("recipient_provider").related_model
    return (model.objects.filter(organisation=organisation).select_related("partner")
            .order_by("name"))


def provider_value(provider) -> str:
    return f"{PROVIDER_PREFIX}{provider.pk}"


def recipient_choices(organisation) -> list:
    """Grouped choices: partners on Harborlight, the directory, then the two others."""
    partners, others = [], []
    for entry in directory_entries(organisation):
        place = ", ".join(part for part in (entry.city, entry.state) if part)
        label = f"{entry.name} ({place})" if place else entry.name
        (partners if entry.partner_id else others).append((provider_value(entry), label))
    choices: list = [("", _("Choose who may receive it"))]
    if partners:
        choices.append((_("Partners on Harborlight"), partners))
    if others:
        choices.append((_("Your service directory"), others))
    choices.append((_("Not in the directory"), [
        (OTHER, _("Someone else: type the name below")),
        (ANY, _("Any recipient for this purpose (not recommended)"))]))
    return choices


class ConsentForm(forms.Form):
    person = forms.ModelChoiceField(queryset=None, label=_("Who gave the consent"))
    purpose = forms.ChoiceField(label=_("What they agreed to"),
                                choices=[("", _("Choose what they agreed to"))]
                                + list(ConsentPurpose.choices))
    recipient_choice = forms.ChoiceField(
        label=_("Who may receive it"), required=False,
        help_text=_("Choose from your service directory. “Any recipient” lets the "
                    "information go to anyone for this purpose: choose it only if the person "
                    "said so. Not needed for de-identified sharing."))
    recipient_name = forms.CharField(
        label=_("Name, if not in the directory"), required=False, max_length=200,
        help_text=_("Only when the person names someone outside your directory. A typed "
                    "name covers only that exact name."))
    fields_allowed = forms.MultipleChoiceField(
        label=_("Information they agreed to share"), required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Leave all unticked to share nothing personal: only that a referral "
                    "is made."))
    method = forms.ChoiceField(label=_("How they gave it"),
                               choices=[("", _("Choose how"))] + list(ConsentMethod.choices))
    retention_explained = forms.BooleanField(
        label=_("I explained how long we keep the information"), required=False)
    withdrawal_explained = forms.BooleanField(
        label=_("I explained how to withdraw the consent at any time"), required=False)
    wording = forms.CharField(label=_("What was agreed, in their words"), required=False,
                              max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))
    expires_on = forms.DateField(label=_("Ends on (optional)"), required=False,
                                 widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        self.case = case
        self.fields["person"].queryset = case.persons.current()
        self.fields["person"].label_from_instance = lambda person: person.display_name
        self.fields["person"].empty_label = _("Choose the person")
        self.fields["recipient_choice"].choices = recipient_choices(case.organisation)
        self.fields["recipient_choice"].widget.attrs.update({
            "data-filter": "", "data-filter-label": _("Type to filter the list")})
        self.fields["fields_allowed"].choices = [
            (group.label, list(zip(group.fields, group.labels))) for group in words.groups()]

    def field_groups(self):
        """The information checkboxes by group, for a fieldset each."""
        chosen = set(self["fields_allowed"].value() or [])
        auto_id = self["fields_allowed"].auto_id
        groups = []
        for group in words.groups():
            boxes = [{"name": name, "label": label, "checked": name in chosen,
                      "id": f"{auto_id}_{name}"} for name, label in
                     zip(group.fields, group.labels)]
            groups.append({"id": group.id, "label": group.label, "boxes": boxes})
        return groups

    def clean_expires_on(self):
        ends = self.cleaned_data.get("expires_on")
        if ends is not None and ends <= timezone.localdate():
            raise forms.ValidationError(_("Choose a date after today, or leave it empty."))
        return ends

    def clean(self):
        data = super().clean()
        choice = data.get("recipient_choice") or ""
        name = " ".join((data.get("recipient_name") or "").split())
        recipient: Recipient | None = None
        if choice == OTHER:
            if not name:
                self.add_error("recipient_name", _("Type the name of who may receive it."))
            recipient = Recipient(name)
        elif choice == ANY:
            recipient = ANYONE
        elif choice.startswith(PROVIDER_PREFIX):
            entry_id = choice.removeprefix(PROVIDER_PREFIX)
            entry = (directory_entries(self.case.organisation).filter(pk=entry_id).first()
                     if entry_id.isdigit() else None)
            if entry is None:
                self.add_error("recipient_choice", _("Choose an entry of your directory."))
            else:
                recipient = Recipient(entry.name, entry.pk, entry.partner_id)
        elif data.get("purpose") and data["purpose"] != ConsentPurpose.DEIDENTIFIED_SHARING:
            self.add_error("recipient_choice", _("Choose who may receive it."))
        data["recipient"] = recipient
        return data

    def record_arguments(self) -> dict:
        """What :meth:`Consent.objects.record` takes, from the cleaned form."""
        data = self.cleaned_data
        ends = data.get("expires_on")
        expires_at = (timezone.make_aware(datetime.combine(ends, time.max))
                      if ends is not None else None)
        return {"person": data["person"], "purpose": data["purpose"],
                "recipient": data["recipient"], "method": data["method"],
                "retention_explained": data["retention_explained"],
                "withdrawal_explained": data["withdrawal_explained"],
                "wording": data["wording"], "fields_allowed": data["fields_allowed"],
                "expires_at": expires_at}

    @classmethod
    def initial_with_preset(cls, data, preset_id: str) -> dict:
        """The form's values as posted, with a preset's fields ticked and its purpose set:
        the form shown again, unbound, so nothing is reported missing yet."""
        initial = {name: data.get(name, "") for name in cls.base_fields
                   if name != "fields_allowed"}
        initial["fields_allowed"] = data.getlist("fields_allowed")
        preset = words.preset(preset_id)
        if preset is not None:
            initial["fields_allowed"] = list(preset.fields)
            initial["purpose"] = preset.purpose or initial["purpose"]
        for name in ("retention_explained", "withdrawal_explained"):
            initial[name] = bool(data.get(name))
        return initial
