"""Forms for signing in, enrolling a second factor and managing users."""

from __future__ import annotations

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm

from harborlight.accounts.models import Role, User

TOKEN_HELP = "The 6-digit code your authenticator app shows now."


class PasswordLoginForm(AuthenticationForm):
    """Username and password. The same message for every failure, so it reveals nothing."""

    error_messages = {
        "invalid_login": "That username and password do not match. Try again.",
        "inactive": "That username and password do not match. Try again.",
    }


class TokenForm(forms.Form):
    token = forms.CharField(label="Verification code", max_length=6, min_length=6,
                            help_text=TOKEN_HELP,
                            widget=forms.TextInput(attrs={"autocomplete": "one-time-code",
                                                          "inputmode": "numeric"}))

    def clean_token(self) -> str:
        token = self.cleaned_data["token"].strip()
        if not token.isdigit():
            raise forms.ValidationError("The code is six digits.")
        return token


class UserCreateForm(forms.Form):
    username = forms.RegexField(regex=r"^[a-z0-9_.-]{3,40}$", max_length=40,
                                help_text="3-40 lowercase letters, digits, dots, dashes.",
                                error_messages={"invalid": "Use 3-40 lowercase letters, digits, "
                                                           "dots, dashes or underscores."})
    display_name = forms.CharField(max_length=150, required=False)
    email = forms.EmailField(required=False)
    role = forms.ChoiceField(choices=Role.choices)
    password = forms.CharField(widget=forms.PasswordInput, strip=False,
                               help_text="A temporary password of at least 12 characters.")

    def clean_username(self) -> str:
        username = self.cleaned_data["username"]
        if User.objects.filter(username=username).exists():
            raise forms.ValidationError("That username is taken.")
        return username

    def clean(self) -> dict:
        cleaned = super().clean()
        password = cleaned.get("password")
        if password:
            candidate = User(username=cleaned.get("username", ""),
                             email=cleaned.get("email", ""))
            try:
                password_validation.validate_password(password, candidate)
            except forms.ValidationError as error:
                self.add_error("password", error)
        return cleaned
