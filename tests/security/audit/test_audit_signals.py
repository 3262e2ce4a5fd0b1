"""Entries written by signals: sign-in, failed sign-in, lockout, sensitive model writes."""

from __future__ import annotations

import json

import pytest
from django.conf import settings
from django.contrib.auth import authenticate, login, logout
from django.contrib.sessions.backends.db import SessionStore
from django.http import HttpResponse
from django.test import Client, RequestFactory

from harborlight.accounts.models import Organisation
from harborlight.security.audit.context import acting_as, current_actor
from harborlight.security.audit.middleware import ActorMiddleware
from harborlight.security.audit.models import AuditEntry
from harborlight.security.audit.signals import unknown_username_digest

pytestmark = pytest.mark.django_db

CLIENT_IP = "203.0.113.77"
USER_AGENT = "ProbeBrowser/9.9"


def login_request():
    request = RequestFactory().post("/accounts/login/", REMOTE_ADDR=CLIENT_IP,
                                    HTTP_USER_AGENT=USER_AGENT)
    request.session = SessionStore()
    return request


def stored_text(entry: AuditEntry) -> str:
    """Every stored column of the entry's row, as one string."""
    return json.dumps(AuditEntry.objects.values().get(seq=entry.seq), default=str)


def entries(action: str) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action=action).order_by("seq"))


def test_it_records_sign_in_and_sign_out(caseworker, password):
    request = login_request()
    user = authenticate(request, username="carlos", password=password)
    login(request, user)
    request.user = user  # as AuthenticationMiddleware sets it on the next request
    logout(request)

    signed_in, = entries("login")
    signed_out, = entries("logout")
    assert (signed_in.actor_username, signed_in.organisation_id) == (
        "carlos", caseworker.organisation_id)
    assert signed_out.actor_id == caseworker.pk
    for entry in (signed_in, signed_out):
        assert CLIENT_IP not in stored_text(entry) and USER_AGENT not in stored_text(entry)


def test_it_records_a_failed_sign_in_with_the_username_but_no_password_or_ip(caseworker):
    assert authenticate(login_request(), username="carlos", password="wrong pass 123") is None

    failed, = entries("login_failed")
    text = stored_text(failed)
    assert failed.details == {"attempted_username": "carlos", "username_known": True}
    assert failed.organisation_id == caseworker.organisation_id
    assert (failed.object_type, failed.object_id) == ("accounts.user", str(caseworker.pk))
    assert failed.actor_id is None
    for secret in ("wrong pass 123", CLIENT_IP, USER_AGENT):
        assert secret not in text


def test_it_keeps_only_a_digest_of_an_unknown_username(harbor):
    typed = "my-Password-typed-in-the-wrong-box"

    assert authenticate(login_request(), username=typed, password="x") is None

    failed, = entries("login_failed")
    assert typed not in stored_text(failed)
    assert failed.organisation_id is None
    assert failed.details == {"attempted_username_digest": unknown_username_digest(typed),
                              "username_known": False}


def test_it_records_a_lockout_without_the_ip_address(caseworker):
    client = Client(REMOTE_ADDR=CLIENT_IP, HTTP_USER_AGENT=USER_AGENT)
    for _ in range(settings.LOGIN_MAX_FAILURES):
        client.post("/accounts/login/", {"username": "carlos", "password": "wrong pass 123"})

    lockouts = entries("lockout")
    assert len(lockouts) == 1
    assert lockouts[0].details["attempted_username"] == "carlos"
    assert lockouts[0].organisation_id == caseworker.organisation_id
    assert CLIENT_IP not in stored_text(lockouts[0])
    assert len(entries("login_failed")) == settings.LOGIN_MAX_FAILURES


@pytest.fixture
def sensitive_organisations(monkeypatch):
    """Organisation stands in for a sensitive model (the tests own no model of their own)."""
    monkeypatch.setattr(Organisation, "audit_sensitive", True, raising=False)


def test_it_records_create_update_and_delete_of_sensitive_records_with_the_actor(
        caseworker, sensitive_organisations):
    with acting_as(caseworker):
        shelter = Organisation.objects.create(name="North Shelter", slug="north")
        shelter.name = "North Shelter Renamed"
        shelter.save()
        shelter_id = shelter.pk
        shelter.delete()

    created, = entries("create")
    updated, = entries("update")
    deleted, = entries("delete")
    for entry in (created, updated, deleted):
        assert entry.actor_username == "carlos"
        assert (entry.object_type, entry.object_id) == ("accounts.organisation",
                                                        str(shelter_id))
    assert updated.details == {"changed_fields": ["name"]}
    assert "Renamed" not in stored_text(updated)


def test_it_lists_only_the_fields_changed_since_the_record_was_loaded(
        harbor, sensitive_organisations):
    loaded = Organisation.objects.get(pk=harbor.pk)
    loaded.country = "NLD"
    loaded.slug = "harbor-nl"
    loaded.save()
    loaded.save()

    first, second = entries("update")
    assert first.details == {"changed_fields": ["country", "slug"]}
    assert second.details == {"changed_fields": []}
    assert first.actor_id is None


def test_it_ignores_models_that_are_not_sensitive(harbor):
    harbor.name = "Harbor House 2"
    harbor.save()

    assert not AuditEntry.objects.filter(action__in=["create", "update"]).exists()


def test_it_takes_the_actor_from_the_request_through_the_middleware(
        caseworker, supervisor, sensitive_organisations):
    seen = []

    def view(request):
        seen.append(current_actor())
        request.user = supervisor  # as if the user changed during the request
        Organisation.objects.create(name="Made in a view", slug="view")
        return HttpResponse()

    request = RequestFactory().get("/")
    request.user = caseworker
    ActorMiddleware(view)(request)

    assert seen == [caseworker]
    assert entries("create")[0].actor_username == "sofia"
    assert current_actor() is None


def test_it_is_installed_after_authentication():
    middleware = list(settings.MIDDLEWARE)
    ours = middleware.index("harborlight.security.audit.middleware.ActorMiddleware")

    assert ours > middleware.index("django.contrib.auth.middleware.AuthenticationMiddleware")
