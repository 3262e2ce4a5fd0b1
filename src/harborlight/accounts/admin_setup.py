"""The first administrator and supervisor of an organisation, from the server's command line.

Here, and only here (with the demo's synthetic cast), an account is created active with a
password chosen at once, with no second person: whoever runs ``harborlight createadmin``
or ``createsupervisor`` holds the server, its keyring and its secret key already. Every
later account goes through :mod:`harborlight.accounts.access`.
"""

from __future__ import annotations

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.text import slugify

from harborlight.accounts.models import Organisation, Role, User
from harborlight.security.audit.log import audited, record


class AdminSetupError(Exception):
    """The account cannot be created; the message says what to change."""


@transaction.atomic
def create_administrator(username: str, organisation_name: str, email: str,
                         password: str) -> User:
    """An administrator of the organisation named (by its name or slug); one that does
    not exist yet is created with that name."""
    organisation_name = " ".join(organisation_name.split())
    if not organisation_name:
        raise AdminSetupError("the organisation name is empty")
    username = _checked(username, email, password)
    organisation = _existing(organisation_name)
    if organisation is None:
        slug = slugify(organisation_name)[:60] or "organisation"
        if Organisation.objects.filter(slug=slug).exists():
            raise AdminSetupError(f"the slug {slug!r} of {organisation_name!r} belongs to "
                                  "another organisation; choose another name")
        organisation = Organisation.objects.create(name=organisation_name, slug=slug)
    return _create(organisation, username, email, password, Role.ADMINISTRATOR)


@transaction.atomic
def create_supervisor(username: str, organisation: str, email: str, password: str) -> User:
    """A supervisor of an existing organisation (named by its name or slug): the person
    who approves the accounts that read survivor records."""
    found = _existing(organisation)
    if found is None:
        raise AdminSetupError(f"no organisation named {organisation!r}; create it with "
                              "`harborlight createadmin` first")
    username = _checked(username, email, password)
    return _create(found, username, email, password, Role.SUPERVISOR)


def _existing(organisation: str) -> Organisation | None:
    """The organisation with this slug, or this name (any case)."""
    text = " ".join(organisation.split())
    return Organisation.objects.filter(Q(slug=text) | Q(name__iexact=text)).first()


def _checked(username: str, email: str, password: str) -> str:
    username = username.strip()
    if not username:
        raise AdminSetupError("the username is empty")
    if User.objects.filter(username=username).exists():
        raise AdminSetupError(f"a user named {username!r} already exists")
    try:
        password_validation.validate_password(password, User(username=username, email=email))
    except ValidationError as problem:
        raise AdminSetupError("password: " + " ".join(problem.messages)) from None
    return username


def _create(organisation: Organisation, username: str, email: str, password: str,
            role: str) -> User:
    with audited():
        user = User.objects.create_staff_user(username=username, password=password,
                                              organisation=organisation, role=role,
                                              email=email)
        record("user_create", obj=user, organisation=organisation,
               details={"role": role, "via": "cli"})
    return user
