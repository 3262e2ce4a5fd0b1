"""API tokens: they expire, can be revoked (page and command line), record their last use,
are audited when created and revoked, and stop working for a deactivated user."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from typer.testing import CliRunner

from harborlight.accounts.models import ApiToken, Role
from harborlight.accounts.tokens import create_token, prefix_of
from harborlight.cli import app
from tests_support import assert_audited, audit_mark


def api_status(token: str) -> int:
    return Client().get("/api/v1/cases", HTTP_AUTHORIZATION=f"Bearer {token}").status_code


def test_it_expires_after_90_days_by_default(cast):
    token = create_token(cast.role(Role.CASEWORKER))
    row = ApiToken.objects.get(prefix=prefix_of(token))
    assert timedelta(days=89) < row.expires_at - timezone.now() <= timedelta(days=90)
    assert api_status(token) == 200
    ApiToken.objects.filter(pk=row.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert api_status(token) == 401


def test_it_records_its_last_use(cast):
    token = create_token(cast.role(Role.CASEWORKER))
    assert ApiToken.objects.get(prefix=prefix_of(token)).last_used_at is None
    api_status(token)
    assert ApiToken.objects.get(prefix=prefix_of(token)).last_used_at is not None


def test_it_audits_creation_and_revocation_once_each(cast, signed_in_client):
    caseworker = cast.role(Role.CASEWORKER)
    mark = audit_mark()
    token = create_token(caseworker, label="case sync")
    row = ApiToken.objects.get(prefix=prefix_of(token))
    assert_audited("token_create", row, since=mark)
    response = signed_in_client(caseworker).post(f"/accounts/tokens/{row.pk}/revoke/")
    assert response.status_code == 302
    assert_audited("token_revoke", row, since=mark)
    assert api_status(token) == 401


def test_it_lists_only_your_own_tokens(cast, signed_in_client):
    create_token(cast.role(Role.CASEWORKER), label="mine")
    create_token(cast.teammate, label="theirs")
    page = signed_in_client(cast.role(Role.CASEWORKER)).get("/accounts/tokens/")
    assert "mine" in page.content.decode() and "theirs" not in page.content.decode()


def test_it_lets_an_administrator_revoke_any_token_of_the_organisation_only(
        cast, signed_in_client):
    own = ApiToken.objects.get(prefix=prefix_of(create_token(cast.role(Role.CASEWORKER))))
    other = ApiToken.objects.get(prefix=prefix_of(
        create_token(cast.outsiders[Role.CASEWORKER])))
    admin = signed_in_client(cast.role(Role.ADMINISTRATOR))
    assert admin.post(f"/accounts/tokens/{own.pk}/revoke/").status_code == 302
    assert admin.post(f"/accounts/tokens/{other.pk}/revoke/").status_code == 404
    own.refresh_from_db(), other.refresh_from_db()
    assert own.revoked_at is not None and other.revoked_at is None


def test_it_refuses_to_let_a_colleague_revoke_your_token(cast, signed_in_client):
    row = ApiToken.objects.get(prefix=prefix_of(create_token(cast.role(Role.CASEWORKER))))
    response = signed_in_client(cast.teammate).post(f"/accounts/tokens/{row.pk}/revoke/")
    assert response.status_code == 403
    row.refresh_from_db()
    assert row.revoked_at is None


@pytest.mark.parametrize("given", ["prefix", "whole token"])
def test_it_revokes_from_the_command_line(cast, given):
    token = create_token(cast.role(Role.CASEWORKER))
    row = ApiToken.objects.get(prefix=prefix_of(token))
    mark = audit_mark()
    result = CliRunner().invoke(app, ["token", "revoke",
                                      row.prefix if given == "prefix" else token])
    assert result.exit_code == 0, result.output
    assert f"Revoked token {row.prefix}" in result.output
    assert_audited("token_revoke", row, since=mark)
    assert api_status(token) == 401
    again = CliRunner().invoke(app, ["token", "revoke", row.prefix])
    assert again.exit_code != 0 and "already revoked" in str(again.exception)
    assert again.exception.exit_code == 65


def test_it_creates_a_token_with_its_lifetime_from_the_command_line(cast):
    result = CliRunner().invoke(app, ["token", "create", cast.role(Role.ANALYST).username,
                                      "--days", "7", "--label", "export job"])
    assert result.exit_code == 0, result.output
    token = result.output.strip().splitlines()[-1]
    row = ApiToken.objects.get(prefix=prefix_of(token))
    assert timedelta(days=6) < row.expires_at - timezone.now() <= timedelta(days=7)
    assert row.label == "export job"
    listed = CliRunner().invoke(app, ["token", "list", cast.role(Role.ANALYST).username])
    assert row.prefix in listed.output and "export job" in listed.output
