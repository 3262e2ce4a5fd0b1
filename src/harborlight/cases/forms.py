"""Forms for case pages. Picklists come from the HTCDS package data, not from code."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from harborlight.accounts.models import User
from harborlight.cases.models import (HOLD_ACTION, OPEN_STATUSES, CaseNote, Person,
                                      SafetyPlan, ServiceReceived, SupportPlan, Task,
                                      TraffickingEvent, TraffickingStatus)
from harborlight.cases.vocabulary import EXTENSIBLE, choices
from harborlight.vocab import words
from harborlight.vocab.loader import htcds_choices

DATE = forms.DateInput(attrs={"type": "date"})


def _in_words(field: str) -> list[tuple[str, str]]:
    """A picklist's (code, words) pairs in the reader's language (the vocab's value_label)."""
    return [(code, words.value_label(field, code)) for code, _label in htcds_choices(field)]


def _optional(field: str) -> list[tuple[str, str]]:
    return [("", "—")] + _in_words(field)


class CaseNoteForm(forms.ModelForm):
    class Meta:
        model = CaseNote
        fields = ["body"]
        labels = {"body": _("New note")}
        widgets = {"body": forms.Textarea(attrs={"rows": 4, "maxlength": 20000})}

    def clean_body(self) -> str:
        body = self.cleaned_data["body"].strip()
        if not body:
            raise forms.ValidationError("A note cannot be empty.")
        if len(body) > 20000:
            raise forms.ValidationError("A note can be 20,000 characters at most.")
        return body


class NewCaseForm(forms.Form):
    """Open a case from scratch, with the person it is about (names optional)."""

    summary = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), max_length=20000,
                              help_text=_("What brought the person to us, in neutral words."))
    first_name = forms.CharField(max_length=200, required=False, label=_("First name"))
    second_name = forms.CharField(max_length=200, required=False, label=_("Second name"))
    birthdate = forms.DateField(required=False, widget=DATE, label=_("Date of birth"))
    restricted = forms.BooleanField(required=False, label=_("Restricted (only the caseworker "
                                    "may open it; others need break-glass)"))


class AssignForm(forms.Form):
    owner = forms.ModelChoiceField(queryset=None, label=_("Caseworker"))

    def __init__(self, *args, organisation=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = User.objects.allowed_to(HOLD_ACTION, organisation)


class StatusForm(forms.Form):
    status = forms.ChoiceField(choices=[(s.value, s.label) for s in OPEN_STATUSES],
                               label=_("Status"))


class TraffickingStatusForm(forms.Form):
    trafficking_status = forms.ChoiceField(choices=TraffickingStatus.choices,
                                           label=_("Trafficking status"))
    decision_org = forms.ChoiceField(
        required=False, label=_("Decided by"),
        choices=lambda: _optional("vic_TraffickingStatusDecisionMakingOrg"),
        help_text=_("Which kind of organisation made the decision (HTCDS)."))


class ClosureForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=5000,
                             min_length=5, label=_("Reason for closing"))
    referred = forms.BooleanField(required=False, label=_("Closed because referred elsewhere"))


class MultiCodeField(forms.MultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def __init__(self, htcds_field: str, **kwargs):
        super().__init__(choices=lambda: _in_words(htcds_field), required=False, **kwargs)


class PersonForm(forms.ModelForm):
    """The HTCDS Person fields, then the victim context (vic_) and perpetrator (per_) ones;
    every picklist is read from the package's HTCDS data."""

    gender = forms.ChoiceField(required=False, choices=lambda: _optional("prs_Gender"))
    marital_status = forms.ChoiceField(required=False,
                                       choices=lambda: _optional("prs_MaritalStatus"))
    highest_level_of_education = forms.ChoiceField(
        required=False, choices=lambda: _optional("prs_HighestLevelOfEducation"),
        label=_("Highest level of education"))
    relationship_to_trafficker = forms.ChoiceField(
        required=False, choices=lambda: _optional("vic_RelationshipToTrafficker"),
        label=_("Relationship to trafficker"))
    forced_labour_industry = forms.ChoiceField(
        required=False, choices=lambda: _optional("vic_ForcedLabourIndustry"))
    methods_of_recruitment = MultiCodeField("vic_MethodOfRecruitment",
                                            label=_("Methods of recruitment"))
    methods_of_control = MultiCodeField("vic_MethodsOfControl", label=_("Methods of control"))
    types_of_exploitation = MultiCodeField("vic_TypeOfExploitation",
                                           label=_("Types of exploitation"))
    types_of_sex_exploitation = MultiCodeField("vic_TypeOfSexExploitation",
                                               label=_("Types of sexual exploitation"))
    roles_in_process = MultiCodeField("per_RoleInProcess",
                                      label=_("Role in the process (perpetrators)"))

    def __init__(self, *args, **kwargs):
        """The organisation's own values follow the HTCDS ones in each picklist (retired
        ones only where this person already holds them)."""
        super().__init__(*args, **kwargs)
        organisation = getattr(self.instance, "organisation", None)
        for picklist, name in EXTENSIBLE.items():
            held = getattr(self.instance, name, None) or []
            local = choices(organisation, picklist, held if isinstance(held, list)
                            else [held])
            if local and name in self.fields:
                self.fields[name].choices = list(self.fields[name].choices) + local

    class Meta:
        model = Person
        fields = ["role", "salutation", "first_name", "middle_name", "second_name",
                  "birthdate", "gender", "marital_status", "number_of_children",
                  "highest_level_of_education", "citizenship", "primary_language",
                  "secondary_language", "identity_number", "title", "mobile_phone",
                  "home_phone", "email", "mailing_street", "mailing_city", "mailing_state",
                  "mailing_postal_code", "mailing_country",
                  "relationship_to_trafficker", "age_when_trafficked",
                  "methods_of_recruitment", "location_of_recruitment", "methods_of_control",
                  "types_of_exploitation", "forced_labour_industry",
                  "types_of_sex_exploitation", "location_of_exploitation",
                  "roles_in_process", "role_details"]
        widgets = {"birthdate": DATE, "role_details": forms.Textarea(attrs={"rows": 2})}
        labels = {"citizenship": _("Citizenship (ISO 3166 code)"),
                  "primary_language": _("Primary language (ISO 639 code)"),
                  "secondary_language": _("Secondary language (ISO 639 code)"),
                  "mailing_country": _("Mailing country (ISO 3166 code)"),
                  "title": _("Job title"),
                  "role_details": _("Role details (perpetrators)"),
                  "number_of_children": _("Number of children"),
                  "age_when_trafficked": _("Age when trafficked"),
                  "location_of_recruitment": _("Location of recruitment"),
                  "location_of_exploitation": _("Location of exploitation")}
        help_texts = {name: "" for name in fields}


class SafetyPlanForm(forms.ModelForm):
    class Meta:
        model = SafetyPlan
        fields = ["safe_contacts", "safe_places", "code_words", "risk_reduction_steps",
                  "in_own_words", "review_on"]
        widgets = {name: forms.Textarea(attrs={"rows": 3}) for name in
                   ("safe_contacts", "safe_places", "code_words", "risk_reduction_steps")}
        widgets["review_on"] = DATE
        labels = {"risk_reduction_steps": _("Steps to stay safer"),
                  "in_own_words": _("Written in the survivor's own words"),
                  "review_on": _("Review on")}
        help_texts = {"safe_contacts": _("People to call, and how to reach them safely."),
                      "code_words": _("Words or signals that mean 'I need help'."),
                      "in_own_words": _("Written in the survivor's own words, as they chose."),
                      "review_on": _("When to review the plan together.")}


class SupportPlanForm(forms.ModelForm):
    type = forms.ChoiceField(choices=lambda: _in_words("spl_Type"), label=_("Area"))

    class Meta:
        model = SupportPlan
        fields = ["type", "objectives", "action_plan", "planned_end_date",
                  "actual_end_date", "status"]
        widgets = {"objectives": forms.Textarea(attrs={"rows": 3}),
                   "action_plan": forms.Textarea(attrs={"rows": 3}),
                   "planned_end_date": DATE, "actual_end_date": DATE}
        labels = {"objectives": _("Goals"), "action_plan": _("Plan")}
        help_texts = {"objectives": "", "action_plan": ""}


class ServiceForm(forms.ModelForm):
    class Meta:
        model = ServiceReceived
        fields = ["kind", "provider", "started_on", "ended_on", "notes"]
        widgets = {"started_on": DATE, "ended_on": DATE,
                   "notes": forms.Textarea(attrs={"rows": 2})}
        labels = {"kind": _("Service")}


class TaskForm(forms.ModelForm):
    class Meta:
        model = Task
        fields = ["title", "due_on"]
        widgets = {"due_on": DATE}
        labels = {"title": _("Task"), "due_on": _("Due on")}


class EventForm(forms.ModelForm):
    class Meta:
        model = TraffickingEvent
        fields = ["type", "date", "date_is_approximate", "city", "state", "country",
                  "description"]
        widgets = {"date": DATE, "description": forms.Textarea(attrs={"rows": 2})}
        labels = {"type": _("What happened"), "country": _("Country (ISO 3166 code)"),
                  "date_is_approximate": _("Date is approximate")}
        help_texts = {"date": ""}


class WithdrawConsentForm(forms.Form):
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False,
                           max_length=5000, label=_("Note (optional)"))


class ErasureForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), min_length=10,
                             max_length=2000, label=_("Reason for erasure"),
                             help_text=_("For example: the person asked us to erase their data."))
    confirm = forms.BooleanField(label=_("I understand this cannot be undone"))


class MergeForm(forms.Form):
    duplicate = forms.IntegerField(widget=forms.HiddenInput)


class RestoreForm(forms.Form):
    """Restore from a record's history: a version, and one field of it or all."""

    version = forms.IntegerField(min_value=1, label=_("Version"))
    field = forms.CharField(required=False, max_length=100, label=_("Field"))
