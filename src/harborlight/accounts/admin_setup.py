"""Create the first administrator of an organisation from the command line."""

from __future__ import annotations

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify

from harborlight.accounts.members import create_member
from harborlight.accounts.models import Organisation, Role, User


class AdminSetupError(Exception):
    """The administrator cannot be created; the message says what to change."""


@transaction.atomic
def create_administrator(username: str, organisation_name: str, email: str,
                         password: str) -> User:
    username = username.strip()
    organisation_name = organisation_name.strip()
    if not username:
        raise AdminSetupError("the username is empty")
    if not organisation_name:
        raise AdminSetupError("the organisation name is empty")
    if User.objects.filter(username=username).exists():
        raise AdminSetupError(f"a user named {username!r} already exists")
    try:
        password_validation.validate_password(password, User(username=username, email=email))
    except ValidationError as problem:
        raise AdminSetupError("password: " + " ".join(problem.messages)) from None
    slug = slugify(organisation_name)[:60] or "organisation"
    organisation, _ = Organisation.objects.get_or_create(name=organisation_name,
                                                         defaults={"slug": slug})
    return create_member(organisation, via="cli", username=username, password=password,
                         role=Role.ADMINISTRATOR, email=email)
