"""Single sign-on through OpenID Connect, against a real provider on 127.0.0.1
(tests/oidc_provider.py): sign-in, the second factor (the provider's when trusted,
Harborlight's own otherwise), refusals (unknown subject, wrong state, nonce, signature,
audience, issuer), lockout and flood limit, and local accounts beside it."""

from __future__ import annotations

import re
import runpy
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.core.exceptions import ImproperlyConfigured
from django.test import Client
from typer.testing import CliRunner

from harborlight.accounts import lockout, oidc
from harborlight.accounts.models import Organisation, ProviderIdentity, Role
from harborlight.accounts.twofactor import current_code, enrol_confirmed
from harborlight.cli import app
from harborlight.cli.errors import UsageProblem
from harborlight.security.audit.models import AuditEntry
from oidc_provider import configured_provider
from tests_support import PASSWORD, assert_audited, audit_mark, make_user, verify_session

pytestmark = pytest.mark.django_db
SUBJECT = "248289761001"


@pytest.fixture
def provider(settings):
    with configured_provider(settings, "Harbor Hotline's sign-in") as running:
        yield running


@pytest.fixture
def bea():
    organisation = Organisation.objects.create(name="Bea's Hotline", slug="bea")
    user = make_user(organisation, Role.CASEWORKER, "bea", password=PASSWORD)
    oidc.link(user, SUBJECT, by=None)
    return user


def _through_provider(client: Client, next_url: str = "", state: str | None = None):
    """Start at Harborlight, let the provider answer, come back: the callback's response."""
    start = client.get("/accounts/sso/start/" + (f"?next={next_url}" if next_url else ""))
    assert start.status_code == 302
    answer = requests.get(start.url, allow_redirects=False, timeout=10)
    assert answer.status_code == 302
    back = urlsplit(answer.headers["Location"])
    assert back.path == "/accounts/sso/callback/"
    query = {k: v[0] for k, v in parse_qs(back.query).items()}
    if state is not None:
        query["state"] = state
    return client.get(back.path, query)


def _continue_to(response) -> str:
    assert response.status_code == 200, response.content[:400]
    return re.search(rb'http-equiv="refresh" content="0;url=([^"]+)"',
                     response.content).group(1).decode()


def test_the_sign_in_page_offers_the_provider_only_when_configured(settings, provider):
    page = Client().get("/accounts/login/")
    assert b"Sign in with Harbor Hotline&#x27;s sign-in" in page.content
    settings.OIDC_ISSUER = ""
    assert b"Sign in with" not in Client().get("/accounts/login/").content
    assert Client().get("/accounts/sso/start/").status_code == 404
    assert Client().get("/accounts/sso/callback/").status_code == 404


def test_sign_in_through_the_provider_then_harborlight_s_own_code(provider, bea):
    device = enrol_confirmed(bea)
    client = Client()
    mark = audit_mark()
    response = _through_provider(client, next_url="/cases/")
    assert _continue_to(response) == "/accounts/two-factor/"
    assert AuditEntry.objects.get(seq__gt=mark, action="login").actor_id == bea.pk
    # The provider's step alone opens nothing: no second factor yet.
    assert client.get("/dashboard/").status_code == 302
    assert client.get("/cases/").url == "/accounts/two-factor/"
    done = client.post("/accounts/two-factor/", {"token": current_code(device)})
    assert done.status_code == 302 and done.url == "/cases/"
    assert client.get("/dashboard/").status_code == 200
    # Organisation and role are Harborlight's, whatever the provider said.
    assert client.get("/dashboard/").context["user"].role == Role.CASEWORKER


def test_a_wrong_code_after_the_provider_is_refused(provider, bea):
    enrol_confirmed(bea)
    client = Client()
    _through_provider(client)
    response = client.post("/accounts/two-factor/", {"token": "000000"})
    assert response.status_code == 400 and b"That code is not right" in response.content
    assert client.get("/dashboard/").status_code == 302


def test_without_a_device_the_provider_step_leads_to_enrolment(provider, bea):
    client = Client()
    _through_provider(client)
    assert client.get("/accounts/two-factor/").url == "/accounts/two-factor/enrol/"
    assert client.get("/dashboard/").status_code == 302


def test_amr_from_the_provider_is_not_trusted_unless_configured(settings, provider, bea):
    provider.person = {"sub": SUBJECT, "amr": ["pwd", "mfa"], "acr": "phr"}
    client = Client()
    assert _continue_to(_through_provider(client)) == "/accounts/two-factor/"
    assert client.get("/dashboard/").status_code == 302


def test_trusted_amr_counts_as_the_second_factor(settings, provider, bea):
    settings.OIDC_TRUSTED_AMR = ["mfa", "hwk"]
    provider.person = {"sub": SUBJECT, "amr": ["pwd", "mfa"]}
    client = Client()
    assert _continue_to(_through_provider(client, next_url="/cases/")) == "/cases/"
    assert client.get("/dashboard/").status_code == 200


def test_trusted_acr_counts_as_the_second_factor(settings, provider, bea):
    settings.OIDC_TRUSTED_ACR = ["phrh"]
    provider.person = {"sub": SUBJECT, "acr": "phr"}
    client = Client()
    assert _continue_to(_through_provider(client)) == "/accounts/two-factor/"
    provider.person = {"sub": SUBJECT, "acr": "phrh"}
    client = Client()
    assert _continue_to(_through_provider(client)) == "/"
    assert client.get("/dashboard/").status_code == 200


def test_an_unknown_subject_is_refused_with_a_page_and_audited(provider, bea):
    provider.person = {"sub": "someone-else", "email": "bea@example.org"}  # her e-mail: ignored
    client = Client()
    mark = audit_mark()
    response = _through_provider(client)
    assert response.status_code == 403
    assert b"is not linked to a Harborlight" in response.content
    assert b'<code class="secret">someone-else</code>' in response.content  # for the admin
    assert client.get("/dashboard/").status_code == 302
    entry = AuditEntry.objects.get(seq__gt=mark, action="login_failed")
    assert entry.details["reason"] == "unknown subject"
    assert entry.details["username_known"] is False
    assert "someone-else" not in str(entry.details)
    assert not AuditEntry.objects.filter(seq__gt=mark, action="login").exists()


def test_a_deactivated_user_is_refused(provider, bea):
    bea.is_active = False
    bea.save(update_fields=["is_active"])
    response = _through_provider(Client())
    assert response.status_code == 403


@pytest.mark.parametrize("tamper", ["nonce", "signature", "audience", "issuer"])
def test_a_spoiled_id_token_is_refused(provider, bea, tamper):
    provider.tamper = tamper
    client = Client()
    mark = audit_mark()
    response = _through_provider(client)
    assert response.status_code == 403
    assert b"could not be checked" in response.content
    assert client.get("/dashboard/").status_code == 302
    entry = AuditEntry.objects.get(seq__gt=mark, action="login_failed")
    assert entry.details["method"] == "oidc" and "ID token refused" in entry.details["reason"]


def test_a_wrong_state_is_refused(provider, bea):
    client = Client()
    response = _through_provider(client, state="forged-state")
    assert response.status_code == 403
    assert client.get("/dashboard/").status_code == 302
    # A callback with no flow started in this browser at all.
    fresh = Client().get("/accounts/sso/callback/", {"code": "x", "state": "y"})
    assert fresh.status_code == 403


def test_a_code_is_used_once(provider, bea):
    client = Client()
    start = client.get("/accounts/sso/start/")
    back = urlsplit(requests.get(start.url, allow_redirects=False, timeout=10)
                    .headers["Location"])
    query = {k: v[0] for k, v in parse_qs(back.query).items()}
    flow = client.cookies[oidc.FLOW_COOKIE].value
    assert client.get(back.path, query).status_code == 200
    replay = Client()
    replay.cookies[oidc.FLOW_COOKIE] = flow  # even with the flow's cookie
    response = replay.get(back.path, query)
    assert response.status_code == 403
    assert AuditEntry.objects.filter(action="login_failed").last() \
        .details["reason"] == "code exchange failed"


def test_refusals_pause_single_sign_on_from_that_client(settings, provider, bea):
    settings.LOGIN_MAX_FAILURES = 3
    client = Client()
    for _ in range(3):
        assert client.get("/accounts/sso/callback/", {"code": "x", "state": "y"}) \
            .status_code == 403
    assert client.get("/accounts/sso/callback/", {"code": "x", "state": "y"}).status_code == 429
    assert client.get("/accounts/sso/start/").status_code == 429
    assert AuditEntry.objects.filter(action="lockout").count() == 1


def test_a_locked_account_stays_locked_through_the_provider(settings, provider, bea):
    lockout.lock_account("bea")
    response = _through_provider(Client())
    assert response.status_code == 429


def test_local_accounts_keep_working_beside_it(provider, bea):
    device = enrol_confirmed(bea)
    client = Client()
    response = client.post("/accounts/login/", {"username": "bea", "password": PASSWORD})
    assert response.status_code == 302 and response.url == "/accounts/two-factor/"
    client.post("/accounts/two-factor/", {"token": current_code(device)})
    assert client.get("/dashboard/").status_code == 200


def test_linking_a_subject_twice_or_to_two_people_is_refused(provider, bea):
    other = make_user(bea.organisation, Role.CASEWORKER, "cai")
    with pytest.raises(ValueError, match="already linked"):
        oidc.link(other, SUBJECT, by=None)
    with pytest.raises(ValueError, match="1-255"):
        oidc.link(other, "  ", by=None)
    mark = audit_mark()
    oidc.link(bea, "new-subject", by=None)  # replaces her old link
    assert list(ProviderIdentity.objects.filter(user=bea).values_list("subject", flat=True)) \
        == ["new-subject"]
    assert_audited("update", bea, since=mark)
    assert oidc.unlink(bea, by=None) == 1


def test_an_administrator_links_and_unlinks_on_the_command_line(provider, bea):
    runner = CliRunner()
    mark = audit_mark()
    result = runner.invoke(app, ["sso", "link", "bea", "sub-from-the-provider"])
    assert result.exit_code == 0, result.output
    assert f"Linked 'sub-from-the-provider' at {provider.issuer} to bea" in result.output
    [entry] = assert_audited("update", bea, since=mark)
    assert entry.details["change"] == "sso_link" and entry.details["os_user"]
    listed = runner.invoke(app, ["sso", "list"])
    assert f"bea\t{provider.issuer}\tsub-from-the-provider" in listed.output
    refused = runner.invoke(app, ["sso", "link", "nobody", "x"])
    assert isinstance(refused.exception, UsageProblem) and refused.exception.exit_code == 65
    assert "no user named 'nobody'" in str(refused.exception)
    assert runner.invoke(app, ["sso", "unlink", "bea"]).output.startswith("Removed 1 link ")
    # Unlinked: the provider's account no longer signs in.
    provider.person = {"sub": "sub-from-the-provider"}
    assert _through_provider(Client()).status_code == 403


def _settings_with(monkeypatch, **variables: str) -> dict:
    for name, value in variables.items():
        monkeypatch.setenv(f"HARBORLIGHT_OIDC_{name}", value)
    return runpy.run_module("harborlight.settings")


def test_it_is_off_by_default_and_refuses_a_half_configuration(monkeypatch):
    for name in ("ISSUER", "CLIENT_ID", "CLIENT_SECRET", "TRUSTED_AMR", "TRUSTED_ACR"):
        monkeypatch.delenv(f"HARBORLIGHT_OIDC_{name}", raising=False)
    values = runpy.run_module("harborlight.settings")
    assert values["OIDC_ISSUER"] == "" and values["OIDC_TRUSTED_AMR"] == []
    with pytest.raises(ImproperlyConfigured, match="HARBORLIGHT_OIDC_CLIENT_ID"):
        _settings_with(monkeypatch, ISSUER="https://login.example.org")
    with pytest.raises(ImproperlyConfigured, match="must be an https:// address"):
        _settings_with(monkeypatch, ISSUER="http://login.example.org", CLIENT_ID="h",
                       CLIENT_SECRET="s")
    values = _settings_with(monkeypatch, ISSUER="https://login.example.org/", CLIENT_ID="h",
                            CLIENT_SECRET="s", TRUSTED_AMR="mfa, hwk")
    assert values["OIDC_ISSUER"] == "https://login.example.org"
    assert values["OIDC_TRUSTED_AMR"] == ["mfa", "hwk"]


def test_the_button_and_the_refusal_speak_spanish(provider, bea):
    client = Client(HTTP_ACCEPT_LANGUAGE="es")
    assert "Iniciar sesión con Harbor Hotline".encode() in client.get("/accounts/login/").content
    provider.person = {"sub": "someone-else"}
    refused = _through_provider(client)
    assert refused.status_code == 403
    assert "no está vinculada a una cuenta de Harborlight".encode() in refused.content


def test_the_member_page_says_whether_someone_is_linked(settings, provider, bea):
    administrator = make_user(bea.organisation, Role.ADMINISTRATOR, "ada")
    client = verify_session(Client(), administrator)
    page = client.get(f"/accounts/users/{bea.pk}/")
    assert b"Linked to an account at Harbor Hotline" in page.content
    oidc.unlink(bea, by=None)
    assert b"Not linked" in client.get(f"/accounts/users/{bea.pk}/").content
    settings.OIDC_ISSUER = ""
    assert b"Single sign-on" not in client.get(f"/accounts/users/{bea.pk}/").content
