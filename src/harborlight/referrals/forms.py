"""Forms of the directory and of referrals: per-field messages, nothing saved on error."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from harborlight.accounts.models import Organisation
from harborlight.referrals import vocabulary
from harborlight.referrals.geocoding import UnknownPlace, locate
from harborlight.referrals.models import ReferralReason, ReferralStatus, ServiceProvider

RADIUS_CHOICES = [("", "Any distance"), ("10", "Within 10 miles"), ("25", "Within 25 miles"),
                  ("50", "Within 50 miles"), ("100", "Within 100 miles"),
                  ("250", "Within 250 miles")]


def _blank(label: str, kind: str) -> list[tuple[str, str]]:
    return [("", label)] + vocabulary.choices(kind)


class SearchForm(forms.Form):
    service = forms.ChoiceField(required=False, choices=lambda: _blank(_("Any service"),
                                                                        "services"))
    language = forms.ChoiceField(required=False, choices=lambda: _blank(_("Any language"),
                                                                         "languages"))
    population = forms.ChoiceField(required=False, choices=lambda: _blank(
        _("Anyone"), "populations"), label=_("Population served"))
    near = forms.CharField(required=False, max_length=100, label=_("Near (city or ZIP code)"),
                           help_text=_('For example "Houston, TX" or 77002. Looked up on '
                                       "this server; nothing is sent elsewhere."))
    radius = forms.ChoiceField(required=False, choices=RADIUS_CHOICES, label=_("Distance"))
    open_24_7 = forms.BooleanField(required=False, label=_("Open 24/7 only"))

    def clean(self):
        data = super().clean()
        data["place"] = None
        if data.get("near"):
            try:
                data["place"] = locate(data["near"])
            except UnknownPlace as exc:
                self.add_error("near", str(exc))
        elif data.get("radius"):
            self.add_error("near", "Enter a city or ZIP code to search by distance.")
        return data


class ProviderForm(forms.ModelForm):
    services = forms.MultipleChoiceField(
        required=False, widget=forms.CheckboxSelectMultiple, label=_("Services"),
        choices=lambda: vocabulary.choices("services"))
    populations = forms.MultipleChoiceField(
        required=False, widget=forms.CheckboxSelectMultiple, label=_("Populations served"),
        choices=lambda: vocabulary.choices("populations"))
    languages = forms.MultipleChoiceField(
        required=False, widget=forms.CheckboxSelectMultiple, label=_("Languages"),
        choices=lambda: vocabulary.choices("languages"))

    class Meta:
        model = ServiceProvider
        fields = ["name", "partner", "services", "populations", "languages", "open_24_7",
                  "hours", "street", "city", "state", "postal_code", "country", "latitude",
                  "longitude", "contact_name", "phone", "email"]
        labels = {"name": _("Name"), "partner": _("Uses Harborlight as"),
                  "open_24_7": _("Open 24/7"), "hours": _("Hours"), "street": _("Street"),
                  "city": _("City"), "state": _("State"),
                  "postal_code": _("ZIP or postal code"),
                  "country": _("Country (ISO 3166 alpha-3)"), "latitude": _("Latitude"),
                  "longitude": _("Longitude"), "contact_name": _("Contact name"),
                  "phone": _("Phone"), "email": _("Email")}
        help_texts = {"partner": _("The Harborlight organisation this entry stands for, if "
                                   "it uses Harborlight: referrals then travel inside "
                                   "Harborlight."),
                      "latitude": _("Leave the coordinates empty to place the entry at its "
                                    "ZIP code or city, looked up offline.")}

    def __init__(self, *args, organisation: Organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        self.fields["partner"].queryset = Organisation.objects.exclude(pk=organisation.pk)
        self.fields["partner"].required = False
        self.fields["partner"].empty_label = _("Not on Harborlight (referrals by letter)")

    def clean_country(self) -> str:
        return self.cleaned_data["country"].strip().upper()

    def clean(self):
        data = super().clean()
        lat, lon = data.get("latitude"), data.get("longitude")
        if (lat is None) != (lon is None) and not self.errors.get("latitude") \
                and not self.errors.get("longitude"):
            self.add_error("longitude" if lon is None else "latitude",
                           "Give both latitude and longitude, or neither.")
        for name, bound in (("latitude", 90), ("longitude", 180)):
            value = data.get(name)
            if value is not None and not -bound <= value <= bound:
                self.add_error(name, f"Must be between -{bound} and {bound}.")
        if lat is None and lon is None and not self.errors:
            place = None
            for text in (data.get("postal_code"), ", ".join(
                    part for part in (data.get("city"), data.get("state")) if part)):
                if not text:
                    continue
                try:
                    place = locate(text)
                    break
                except UnknownPlace:
                    continue
            if place is not None:
                data["latitude"], data["longitude"] = place.latitude, place.longitude
                self.instance.latitude, self.instance.longitude = place.latitude, \
                    place.longitude
        return data

    def save(self, commit: bool = True) -> ServiceProvider:
        self.instance.organisation = self.organisation
        provider = super().save(commit=False)
        if self.cleaned_data.get("latitude") is not None:
            provider.latitude = self.cleaned_data["latitude"]
            provider.longitude = self.cleaned_data["longitude"]
        if commit:
            provider.save()
        return provider


class ImportForm(forms.Form):
    file = forms.FileField(label=_("CSV file"), help_text=_("UTF-8, comma-separated, with a "
                                                          "header row. At most 5 MB."))


def sendable_providers(organisation: Organisation, partners_only: bool = False):
    """The directory entries a case can be sent to: the organisation's own directory, and
    for a transfer only the entries that stand for another organisation on Harborlight."""
    providers = ServiceProvider.objects.filter(organisation=organisation)
    if partners_only:
        providers = providers.filter(partner__isnull=False).exclude(partner=organisation)
    return providers.select_related("partner").order_by("name")


class ProviderChoiceForm(forms.Form):
    """Step one of sending: who to send to, from the directory (partners on Harborlight
    first). A plain select that a script may filter as you type."""

    provider = forms.ChoiceField(label=_("Who to refer to"))

    def __init__(self, *args, providers, transfer: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.providers = providers
        if transfer:
            self.fields["provider"].label = _("Who to transfer the case to")
        partners, others = [], []
        for entry in providers:
            place = ", ".join(part for part in (entry.city, entry.state) if part)
            label = f"{entry.name} ({place})" if place else entry.name
            (partners if entry.partner_id else others).append((str(entry.pk), label))
        choices: list = [("", _("Choose from your directory"))]
        if partners:
            choices.append((_("Partners on Harborlight"), partners))
        if others:
            choices.append((_("Your service directory"), others))
        self.fields["provider"].choices = choices
        self.fields["provider"].widget.attrs.update({
            "data-filter": "", "data-filter-label": _("Type to filter the list"),
            "data-autosubmit": ""})

    def clean_provider(self) -> ServiceProvider:
        provider = self.provider_named(self.cleaned_data["provider"])
        if provider is None:
            raise forms.ValidationError(_("Choose an entry of your directory."))
        return provider

    def provider_named(self, value) -> ServiceProvider | None:
        value = str(value or "")
        return self.providers.filter(pk=value).first() if value.isdigit() else None


class ReferralForm(forms.Form):
    provider = forms.ModelChoiceField(queryset=ServiceProvider.objects.none(),
                                      label=_("Refer to"), widget=forms.HiddenInput)
    reason = forms.ChoiceField(choices=[("", _("Choose a reason"))] + ReferralReason.choices,
                               label=_("Reason for referral"))
    services = forms.MultipleChoiceField(required=False, widget=forms.CheckboxSelectMultiple,
                                         choices=lambda: vocabulary.choices("services"),
                                         label=_("Services requested"))
    details = forms.CharField(
        required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 4}),
        label=_("Arrangements and logistics"),
        help_text=_("Sent to the receiver with the referral. Only the information the "
                    "survivor agreed to share goes with it: do not add other personal "
                    "details here."))

    def __init__(self, *args, organisation: Organisation, partners_only: bool = False,
                 **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["provider"].queryset = sendable_providers(organisation, partners_only)
        if partners_only:
            self.fields["provider"].label = _("Transfer to")
            del self.fields["services"]


class ResponseForm(forms.Form):
    decision = forms.ChoiceField(choices=[(ReferralStatus.ACCEPTED, _("Accept")),
                                          (ReferralStatus.DECLINED, _("Decline")),
                                          (ReferralStatus.COMPLETED, _("Mark completed"))],
                                 widget=forms.RadioSelect, label=_("Answer"))
    note = forms.CharField(required=False, max_length=5000, label=_("Note to the sender"),
                           widget=forms.Textarea(attrs={"rows": 3}),
                           help_text=_("Optional; for example why you declined, or when "
                                       "the first appointment is."))

    def __init__(self, *args, allowed: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["decision"].choices = [choice for choice in
                                           self.fields["decision"].choices
                                           if choice[0] in allowed]
