"""Forms for signing in, enrolling a second factor, setting up an account and managing
users."""

from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm, SetPasswordForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from harborlight.accounts import lockout
from harborlight.accounts.models import Role, User

TOKEN_HELP = _("The 6-digit code your authenticator app shows now.")


class PasswordLoginForm(AuthenticationForm):
    """Username and password. The same message for every failure, so it reveals nothing.

    A username held back by the lockout is refused before its password is checked
    (:class:`~harborlight.accounts.lockout.SignInPaused`); each wrong password counts.
    """

    error_messages = {
        "invalid_login": _("That username and password do not match. Try again."),
        "inactive": _("That username and password do not match. Try again."),
    }

    def clean(self) -> dict:
        username = self.cleaned_data.get("username") or ""
        lockout.check(self.request, username)
        try:
            cleaned = super().clean()
        except ValidationError:
            lockout.failed(self.request, username)
            raise
        lockout.succeeded(self.request, username)
        return cleaned


class TokenForm(forms.Form):
    token = forms.CharField(label=_("Verification code"), max_length=6, min_length=6,
                            help_text=TOKEN_HELP,
                            widget=forms.TextInput(attrs={"autocomplete": "one-time-code",
                                                          "inputmode": "numeric"}))

    def clean_token(self) -> str:
        token = self.cleaned_data["token"].strip()
        if not token.isdigit():
            raise forms.ValidationError(_("The code is six digits."))
        return token


def role_field(help_text: str = "") -> forms.ChoiceField:
    """A required choice of role with no default: an empty first option, selected."""
    return forms.ChoiceField(label=_("Role"), choices=[("", _("Choose a role"))] + Role.choices,
                             help_text=help_text)


class UserCreateForm(forms.Form):
    """A new person: no password here, they choose their own through a set-up link."""

    username = forms.RegexField(
        label=_("Username"), regex=r"^[a-z0-9_.-]{3,40}$", max_length=40,
        help_text=_("3-40 lowercase letters, digits, dots, dashes."),
        error_messages={"invalid": _("Use 3-40 lowercase letters, digits, dots, dashes or "
                                     "underscores.")})
    display_name = forms.CharField(label=_("Name"), max_length=150, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    role = role_field(_("Roles that read survivor records wait for a supervisor's approval."))

    def clean_username(self) -> str:
        username = self.cleaned_data["username"]
        if User.objects.filter(username=username).exists():
            raise forms.ValidationError(_("That username is taken."))
        return username


class RoleForm(forms.Form):
    role = role_field()


class DeactivateForm(forms.Form):
    """Deactivating is one click away from someone's work: it asks to be meant."""

    confirm = forms.BooleanField(
        error_messages={"required": _("Tick “End their access now” to deactivate.")})

    def clean(self) -> dict:
        cleaned = super().clean()
        cleaned.pop("confirm", None)  # not an argument of the step
        return cleaned


class SetupForm(SetPasswordForm):
    """The person's own password, and the approval code their supervisor told them."""

    approval_code = forms.CharField(
        label=_("Approval code"), max_length=20,
        help_text=_("The code your supervisor told you, like 7KQM-3XD9."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}))

    field_order = ["approval_code", "new_password1", "new_password2"]

    def __init__(self, user: User, *args, needs_code: bool = True, **kwargs) -> None:
        super().__init__(user, *args, **kwargs)
        if not needs_code:
            del self.fields["approval_code"]
