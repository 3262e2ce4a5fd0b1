"""The audit tests' cast: two organisations, an auditor, a caseworker, a supervisor and
an auditor from another organisation (the outsider)."""

from __future__ import annotations

import pytest
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY

from harborlight.accounts.models import Authenticator, Organisation, Role, User

PASSWORD = "correct horse battery staple 42"


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Argon2 costs about a second per user here; these tests are not about hashing."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def harbor(db) -> Organisation:
    return Organisation.objects.create(name="Harbor House", slug="harbor-house")


@pytest.fixture
def elsewhere(db) -> Organisation:
    return Organisation.objects.create(name="Elsewhere Shelter", slug="elsewhere")


def _staff(username: str, organisation: Organisation, role: str) -> User:
    return User.objects.create_staff_user(username, PASSWORD, organisation, role)


@pytest.fixture
def auditor(harbor) -> User:
    return _staff("audrey", harbor, Role.AUDITOR)


@pytest.fixture
def caseworker(harbor) -> User:
    return _staff("carlos", harbor, Role.CASEWORKER)


@pytest.fixture
def supervisor(harbor) -> User:
    return _staff("sofia", harbor, Role.SUPERVISOR)


@pytest.fixture
def outsider(elsewhere) -> User:
    return _staff("otto", elsewhere, Role.AUDITOR)


def verified_client(user: User) -> Client:
    """A client signed in with password and a confirmed TOTP device (two factors)."""
    device = Authenticator.objects.create(user=user, name="phone", confirmed=True)
    client = Client()
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


@pytest.fixture
def password() -> str:
    """The cast's password."""
    return PASSWORD


@pytest.fixture
def client_for():
    """``client_for(user)``: a client signed in with both factors as ``user``."""
    return verified_client


@pytest.fixture
def chain(caseworker, harbor):
    """Four entries (login, read, update, logout) by the caseworker; some modules define
    their own chain."""
    from harborlight.security.audit.log import record

    return [record(action, actor=caseworker, obj=harbor)
            for action in ("login", "read", "update", "logout")]
