"""Forms for the public report, the follow-up page and the operator console.

Every free-text field goes through :func:`harborlight.intake.text.validate_text` and has a
maximum length, so bad input gets a message on the field and nothing is stored.
Structured answers are built from the questions in ``vocab/triage_rules.json``.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from harborlight.accounts.models import User
from harborlight.cases.models import HOLD_ACTION
from harborlight.consent.models import ConsentMethod
from harborlight.intake.catalog import current_catalog, current_rules
from harborlight.intake.models import CallerType, Channel, CloseReason, SuggestionDecision
from harborlight.intake.text import (MESSAGE_MAX, NARRATIVE_MAX, SHORT_TEXT_MAX,
                                     validate_text)
from harborlight.vocab import words
from harborlight.cases.vocabulary import EXTENSIBLE
from harborlight.cases.vocabulary import choices as local_choices
from harborlight.vocab.loader import htcds_choices

YES_NO_LABELS = {"yes": _("Yes"), "no": _("No"), "unknown": _("I don't know")}
# The words of the other choices of triage_rules.json's questions (what a caller wants).
CHOICE_LABELS = {**YES_NO_LABELS, "report": _("To report something"),
                 "services": _("Services for someone"), "information": _("Information"),
                 "training": _("Training")}
PUBLIC_QUESTION_LABELS = {
    "danger_now": _("Is anyone in immediate danger right now?"),
    "happening_now": _("Is this happening now?"),
    "minor_involved": _("Is anyone involved under 18?"),
}
HONEYPOT_FIELD = "website"


def text_field(label, max_length: int, required: bool = False, rows: int = 0,
               help_text: str = "") -> forms.CharField:
    widget = forms.Textarea(attrs={"rows": rows}) if rows else forms.TextInput()
    return forms.CharField(label=label, max_length=max_length, required=required,
                           widget=widget, validators=[validate_text], help_text=help_text,
                           strip=True)


def _choice_label(value: str) -> str:
    return str(CHOICE_LABELS.get(value, value.replace("_", " ")))


class AnswerFieldsMixin:
    """Adds one field per structured question; :meth:`answers` returns the filled ones."""

    public_only = False

    def add_answer_fields(self, initial: dict | None = None, organisation=None) -> None:
        """``organisation``: its own picklist values follow the HTCDS ones
        (:mod:`harborlight.cases.vocabulary`), for the triage rules to read."""
        initial = initial or {}
        for question in current_rules().questions:
            if self.public_only and not question.public:
                continue
            label = (PUBLIC_QUESTION_LABELS.get(question.id, question.label)
                     if self.public_only else question.words())
            choices = ([(code, words.value_label(question.id, code))
                        for code, _label in htcds_choices(question.id)] if question.htcds else
                       [(value, _choice_label(value)) for value in question.choices])
            if question.htcds and question.id in EXTENSIBLE:
                held = initial.get(question.id) or []
                choices += local_choices(organisation, question.id,
                                         held if isinstance(held, list) else [held])
            if question.multiple:
                field = forms.MultipleChoiceField(label=label, choices=choices, required=False,
                                                  widget=forms.CheckboxSelectMultiple)
            elif self.public_only:
                field = forms.ChoiceField(label=label, choices=choices, required=False,
                                          widget=forms.RadioSelect)
            else:
                field = forms.ChoiceField(label=label, choices=[("", "—")] + choices,
                                          required=False)
            field.initial = initial.get(question.id)
            self.fields[f"answer_{question.id}"] = field

    def answers(self) -> dict:
        found = {}
        for name, value in self.cleaned_data.items():
            if name.startswith("answer_") and value:
                found[name.removeprefix("answer_")] = value
        return found


class PublicReportForm(AnswerFieldsMixin, forms.Form):
    public_only = True

    narrative = text_field(_("What did you see or hear?"), NARRATIVE_MAX, required=True,
                           rows=8, help_text=_("Describe what happened, in your own words. "
                                               "Do not include your name unless you want to."))
    location = text_field(_("Where did it happen? (optional)"), SHORT_TEXT_MAX,
                          help_text=_("A city, a business or an area is enough."))
    contact = text_field(_("How can we reach you? (optional)"), SHORT_TEXT_MAX,
                         help_text=_("Only if it is safe for you. It is stored encrypted."))
    website = forms.CharField(label=_("Leave this field empty"), required=False,
                              max_length=200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_answer_fields()
        self.fields[HONEYPOT_FIELD].widget.attrs.update({"autocomplete": "off",
                                                         "tabindex": "-1"})

    def is_bot(self) -> bool:
        return bool(self.data.get(HONEYPOT_FIELD))


class FollowUpOpenForm(forms.Form):
    reference = forms.CharField(label=_("Tip reference"), max_length=32,
                                help_text=_("For example T-7K3M-9QXD."))
    passphrase = forms.CharField(label=_("Passphrase"), max_length=64,
                                 widget=forms.PasswordInput(render_value=False,
                                                            attrs={"autocomplete": "off"}))


class FollowUpMessageForm(forms.Form):
    token = forms.CharField(widget=forms.HiddenInput, max_length=400)
    message = text_field(_("Add information"), MESSAGE_MAX, required=True, rows=6)


class ContactForm(AnswerFieldsMixin, forms.Form):
    """An operator logs a call, text, chat, e-mail, web contact or walk-in."""

    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices)
    caller_type = forms.ChoiceField(label=_("Who is contacting"), choices=CallerType.choices,
                                    initial=CallerType.UNKNOWN)
    location = text_field(_("Place"), SHORT_TEXT_MAX,
                          help_text=_("Where it happens (HTCDS hte_City / hte_State level)."))
    people_involved = text_field(_("People involved"), NARRATIVE_MAX, rows=3,
                                 help_text=_("Who is involved and how (encrypted)."))
    narrative = text_field(_("Narrative"), NARRATIVE_MAX, required=True, rows=8)
    reporter_contact = text_field(_("Caller's contact (if safe)"), SHORT_TEXT_MAX)
    indicators = forms.MultipleChoiceField(label=_("Indicators observed"), required=False,
                                           widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, organisation=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_answer_fields(organisation=organisation)
        self.fields["indicators"].choices = indicator_choices(getattr(organisation, "pk",
                                                                      None))

    def answers(self) -> dict:
        found = super().answers()
        if self.cleaned_data.get("indicators"):
            found["indicators"] = list(self.cleaned_data["indicators"])
        return found


def indicator_choices(organisation_id: int | None = None) -> list[tuple[str, str]]:
    """Indicators by their plain description, grouped by category (ids stay in the data);
    with an organisation, its own indicators too."""
    catalog = current_catalog(organisation_id)
    grouped: dict[str, list] = {}
    for indicator in catalog.indicators:
        grouped.setdefault(catalog.category_words(indicator.category),
                           []).append((indicator.id, indicator.words()))
    return list(grouped.items())


class AnswersForm(AnswerFieldsMixin, forms.Form):
    indicators = forms.MultipleChoiceField(label=_("Indicators observed"), required=False,
                                           widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, initial_answers: dict | None = None, organisation=None,
                 **kwargs):
        super().__init__(*args, **kwargs)
        self.add_answer_fields(initial_answers, organisation)
        self.fields["indicators"].choices = indicator_choices(getattr(organisation, "pk",
                                                                      None))
        self.fields["indicators"].initial = (initial_answers or {}).get("indicators", [])

    def answers(self) -> dict:
        found = super().answers()
        if self.cleaned_data.get("indicators"):
            found["indicators"] = list(self.cleaned_data["indicators"])
        return found


class ReviewForm(forms.Form):
    key = forms.CharField(max_length=200, widget=forms.HiddenInput)
    decision = forms.ChoiceField(choices=SuggestionDecision.choices)


class AssignForm(forms.Form):
    assignee = forms.ModelChoiceField(label=_("Assign to"), queryset=None)

    def __init__(self, *args, organisation=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = User.objects.allowed_to("tip.update", organisation)
        self.fields["assignee"].empty_label = _("Choose a colleague")


class ConvertForm(forms.Form):
    """Open a case from a tip: for which caseworker (anyone whose role holds cases, the
    policy's ``case.hold``), or nobody yet, for a supervisor to assign."""

    UNASSIGNED = "unassigned"
    owner = forms.ChoiceField(label=_("Caseworker for the new case"))

    def __init__(self, *args, organisation=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.holders = User.objects.allowed_to(HOLD_ACTION, organisation)
        self.fields["owner"].choices = (
            [("", _("Choose a caseworker")),
             (self.UNASSIGNED, _("Nobody yet: a supervisor assigns it"))]
            + [(str(holder.pk), str(holder)) for holder in self.holders])

    def clean_owner(self):
        value = self.cleaned_data["owner"]
        return None if value == self.UNASSIGNED else self.holders.get(pk=value)


class NoteForm(forms.Form):
    body = text_field(_("Internal note (never shown to the reporter)"), MESSAGE_MAX,
                      required=True, rows=3)


class ReplyForm(forms.Form):
    body = text_field("Reply to the reporter (shown on their follow-up page)", MESSAGE_MAX,
                      required=True, rows=3)


class CloseForm(forms.Form):
    """Close with a reason chosen each time: no reason is picked in advance."""

    reason = forms.ChoiceField(label=_("Reason for closing"),
                               choices=[("", _("Choose a reason"))]
                               + [c for c in CloseReason.choices
                                  if c[0] not in ("converted_to_case", "duplicate")])
    note = text_field(_("Note (optional)"), MESSAGE_MAX)


class MergeForm(forms.Form):
    keep = forms.CharField(label=_("Reference of the tip to keep"), max_length=32)


class HandoffForm(forms.Form):
    """Law enforcement hand-off: a consent recorded now, or the legal duty to report."""

    recipient = text_field(_("Agency receiving the tip"), 200, required=True)
    basis = forms.ChoiceField(label=_("On what basis"), widget=forms.RadioSelect, choices=[
        ("existing", _("A consent already recorded on this tip")),
        ("consent", _("The caller consents now (recorded with this hand-off)")),
        ("mandatory", _("A legal duty to report (for example, a minor)"))])
    consent_method = forms.ChoiceField(label=_("How consent was given"), required=False,
                                       choices=[("", "—")] + list(ConsentMethod.choices))
    consent_wording = text_field(_("What the caller agreed to"), MESSAGE_MAX, rows=2)
    retention_explained = forms.BooleanField(label=_("Retention was explained"),
                                             required=False)
    withdrawal_explained = forms.BooleanField(label=_("Withdrawal was explained"),
                                              required=False)
    mandatory_reason = text_field(_("The legal duty to report"), MESSAGE_MAX, rows=2)

    def clean(self):
        data = super().clean()
        if data.get("basis") == "consent" and not data.get("consent_method"):
            self.add_error("consent_method", _("Say how the consent was given."))
        if data.get("basis") == "mandatory" and not data.get("mandatory_reason"):
            self.add_error("mandatory_reason", _("Describe the legal duty to report."))
        return data

    def consent_now(self) -> dict | None:
        """The consent the caller gives now, for :meth:`Tip.hand_off`, when that is the
        basis chosen (whether it counts as informed is the consent's own rule)."""
        data = self.cleaned_data
        if data["basis"] != "consent":
            return None
        return {"method": data["consent_method"], "wording": data["consent_wording"],
                "retention_explained": data["retention_explained"],
                "withdrawal_explained": data["withdrawal_explained"]}
