"""The administrator's users page: add people, reset two-factor; bad input per field.
(Who gets access to survivor records, and how: test_separation_of_duties.py.)"""

from __future__ import annotations

import pytest

from harborlight.accounts.models import Authenticator, Role, User
from harborlight.accounts.twofactor import enrol_confirmed
from harborlight.security.audit.models import AuditEntry

GOOD = {"username": "new.caseworker", "display_name": "New Caseworker", "email": "",
        "role": Role.CASEWORKER}


def test_it_lists_only_own_organisation_users(cast, signed_in_client):
    page = signed_in_client(cast.role(Role.ADMINISTRATOR)).get("/accounts/users/")
    assert b"own-caseworker" in page.content and b"other-caseworker" not in page.content


def test_it_creates_a_user_in_the_admins_organisation(cast, signed_in_client):
    response = signed_in_client(cast.role(Role.ADMINISTRATOR)).post("/accounts/users/", GOOD)
    assert response.status_code == 201
    user = User.objects.get(username="new.caseworker")
    assert user.organisation == cast.own and user.role == Role.CASEWORKER
    assert not user.has_usable_password()  # they choose their own, through the link
    assert response.context["setup_link"] in response.content.decode()
    assert AuditEntry.objects.filter(action="user_create", object_id=str(user.pk)).exists()


@pytest.mark.parametrize("changes, field, message", [
    ({"username": "Bad Name!"}, "username", "lowercase letters"),
    ({"username": "own-caseworker"}, "username", "taken"),
    ({"role": "superhero"}, "role", "Select a valid choice"),
    ({"role": ""}, "role", "This field is required"),
    ({"email": "not-an-email"}, "email", "valid email"),
])
def test_it_explains_bad_input_per_field_and_creates_nothing(cast, signed_in_client, changes,
                                                            field, message):
    before = User.objects.count()
    response = signed_in_client(cast.role(Role.ADMINISTRATOR)).post(
        "/accounts/users/", {**GOOD, **changes})
    assert response.status_code == 400
    assert message in str(response.context["form"].errors[field])
    assert User.objects.count() == before


def test_it_resets_two_factor_so_the_user_enrols_again(cast, signed_in_client):
    caseworker = cast.role(Role.CASEWORKER)
    enrol_confirmed(caseworker)
    response = signed_in_client(cast.role(Role.ADMINISTRATOR)).post(
        f"/accounts/users/{caseworker.pk}/reset-two-factor/")
    assert response.status_code == 302
    assert not Authenticator.objects.filter(user=caseworker).exists()
    assert AuditEntry.objects.filter(action="2fa_reset", object_id=str(caseworker.pk)).exists()


def test_it_answers_404_for_another_organisations_user(cast, signed_in_client):
    outsider = cast.outsiders[Role.CASEWORKER]
    enrol_confirmed(outsider)
    response = signed_in_client(cast.role(Role.ADMINISTRATOR)).post(
        f"/accounts/users/{outsider.pk}/reset-two-factor/")
    assert response.status_code == 404
    assert Authenticator.objects.filter(user=outsider).exists()
