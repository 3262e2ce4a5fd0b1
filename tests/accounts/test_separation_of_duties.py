"""Separation of duties: no one gives themselves, or anyone, access to survivor records.

An administrator creates accounts and asks for role changes; an account that may read
survivor records (policy.toml) becomes active only after a supervisor of the organisation
who did not ask for it approves it. The person then sets their own password and second
factor through a single-use set-up link (which the administrator hands on) and the
approval code (which the supervisor hands on): neither of them alone can finish it.
"""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.test import Client
from django.utils import timezone

from harborlight.accounts.models import AccessRequest, Authenticator, Role, User
from harborlight.accounts.tokens import create_token
from harborlight.accounts.twofactor import current_code
from harborlight.security.permissions import can
from tests_support import assert_audited, assert_trail, audit_mark

NEW_PASSWORD = "my own long passphrase 2026"
SRC = Path(__file__).resolve().parents[2] / "src" / "harborlight"


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Argon2 costs about a second a hash here; these tests are not about hashing."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def admin_client(cast, signed_in_client):
    return signed_in_client(cast.role(Role.ADMINISTRATOR))


@pytest.fixture
def supervisor_client(cast, signed_in_client):
    return signed_in_client(cast.role(Role.SUPERVISOR))


def add_user(client, role=Role.CASEWORKER, username="new.caseworker"):
    response = client.post("/accounts/users/", {"username": username, "role": role,
                                                "display_name": "New Person", "email": ""})
    assert response.status_code == 201, response.content[:500]
    return User.objects.get(username=username), response.context["setup_link"]


def approve(client, request: AccessRequest, status: int = 200):
    response = client.post(f"/accounts/approvals/{request.pk}/approve/")
    assert response.status_code == status, response.content[:500]
    return response.context["approval_code"] if status == 200 else None


def set_up(link: str, code: str | None = None, password: str = NEW_PASSWORD) -> Client:
    """Walk the set-up pages as the new person: link, code and password, second factor."""
    person = Client()
    assert person.get(link).status_code == 302
    fields = {"new_password1": password, "new_password2": password}
    if code is not None:
        fields["approval_code"] = code
    response = person.post("/accounts/setup/", fields)
    assert response.status_code == 302, response.content[:800]
    device = Authenticator.objects.get(pk=person.session["harborlight_setup_device"])
    response = person.post("/accounts/setup/", {"token": current_code(device)})
    assert response.status_code == 302 and response.url == "/accounts/login/"
    return person


def sign_in(username: str, password: str = NEW_PASSWORD) -> Client:
    client = Client()
    response = client.post("/accounts/login/", {"username": username, "password": password})
    assert response.status_code == 302, "password refused"
    device = Authenticator.objects.get(user__username=username, confirmed=True)
    response = client.post("/accounts/two-factor/", {"token": current_code(device, 1)})
    assert response.status_code == 302
    return client


def every_stored_value() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        dump = []
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            dump.append(repr(cursor.fetchall()))
    return "\n".join(dump)


# -- an administrator alone gives no access to survivor records ---------------------------

def test_it_creates_a_reader_account_that_waits_for_a_supervisor(cast, admin_client):
    member, link = add_user(admin_client)
    assert not member.is_active and not member.has_usable_password()
    assert not can(member, "case.view")
    request = AccessRequest.objects.get(member=member)
    assert request.needs_approval and request.role == Role.CASEWORKER
    assert request.requested_by == cast.role(Role.ADMINISTRATOR)
    person = Client()
    person.get(link)
    page = person.get("/accounts/setup/")
    assert "waits for a supervisor" in page.content.decode()
    assert "new_password1" not in page.content.decode()
    refused = person.post("/accounts/setup/", {"new_password1": NEW_PASSWORD,
                                               "new_password2": NEW_PASSWORD})
    assert refused.status_code == 409 and not User.objects.get(pk=member.pk).is_active


def test_it_needs_both_the_link_and_the_supervisors_code(cast, admin_client,
                                                         supervisor_client):
    member, link = add_user(admin_client)
    code = approve(supervisor_client, AccessRequest.objects.get(member=member))
    person = Client()
    person.get(link)
    without_code = person.post("/accounts/setup/", {"new_password1": NEW_PASSWORD,
                                                    "new_password2": NEW_PASSWORD})
    assert without_code.status_code == 400 and "approval_code" in without_code.context[
        "form"].errors
    set_up(link, code)
    member.refresh_from_db()
    assert member.is_active and member.role == Role.CASEWORKER
    assert member.check_password(NEW_PASSWORD)
    client = sign_in(member.username)
    assert client.get(f"/cases/{cast.own_case.reference}/").status_code == 200


def test_it_never_stores_the_link_or_the_code(cast, admin_client, supervisor_client):
    member, link = add_user(admin_client)
    code = approve(supervisor_client, AccessRequest.objects.get(member=member))
    token = link.rstrip("/").rsplit("/", 1)[-1]
    dump = every_stored_value()
    assert token not in dump and code not in dump and code.replace("-", "") not in dump


def test_it_shows_the_code_to_the_supervisor_and_never_to_the_administrator(
        cast, admin_client, supervisor_client):
    member, _link = add_user(admin_client)
    request = AccessRequest.objects.get(member=member)
    code = approve(supervisor_client, request)
    for page in ("/accounts/users/", f"/accounts/users/{member.pk}/", "/dashboard/"):
        assert code not in admin_client.get(page).content.decode()
    assert code not in supervisor_client.get("/accounts/approvals/").content.decode()


def test_it_lets_the_link_work_once(cast, admin_client, supervisor_client):
    member, link = add_user(admin_client)
    code = approve(supervisor_client, AccessRequest.objects.get(member=member))
    set_up(link, code)
    again = Client()
    again.get(link)
    page = again.get("/accounts/setup/")
    assert page.status_code == 410 and "no longer works" in page.content.decode()


def test_it_refuses_an_expired_link(cast, admin_client, supervisor_client):
    member, link = add_user(admin_client)
    code = approve(supervisor_client, AccessRequest.objects.get(member=member))
    AccessRequest.objects.filter(member=member).update(
        expires_at=timezone.now() - timedelta(seconds=1))
    person = Client()
    person.get(link)
    response = person.post("/accounts/setup/", {"approval_code": code,
                                                "new_password1": NEW_PASSWORD,
                                                "new_password2": NEW_PASSWORD})
    assert response.status_code == 410
    assert not User.objects.get(pk=member.pk).is_active


def test_it_cancels_the_request_after_five_wrong_codes(cast, admin_client,
                                                       supervisor_client):
    member, link = add_user(admin_client)
    approve(supervisor_client, AccessRequest.objects.get(member=member))
    person = Client()
    person.get(link)
    for _ in range(5):
        response = person.post("/accounts/setup/", {"approval_code": "AAAA-AAAA",
                                                    "new_password1": NEW_PASSWORD,
                                                    "new_password2": NEW_PASSWORD})
    assert response.status_code == 410
    assert AccessRequest.objects.get(member=member).status == "cancelled"


# -- who may approve ------------------------------------------------------------------------

def test_it_refuses_approval_by_anyone_but_a_supervisor(cast, admin_client, signed_in_client):
    member, _link = add_user(admin_client)
    request = AccessRequest.objects.get(member=member)
    assert admin_client.post(f"/accounts/approvals/{request.pk}/approve/").status_code == 403
    caseworker = signed_in_client(cast.role(Role.CASEWORKER))
    assert caseworker.post(f"/accounts/approvals/{request.pk}/approve/").status_code == 403
    outsider = signed_in_client(cast.outsiders[Role.SUPERVISOR])
    assert outsider.post(f"/accounts/approvals/{request.pk}/approve/").status_code == 404
    assert AccessRequest.objects.get(pk=request.pk).status == "waiting"


@pytest.mark.parametrize("whose", ["own account", "own request"])
def test_it_refuses_a_supervisor_approving_their_own_account_or_request(
        cast, supervisor_client, whose):
    """Policy is data: should a role ever both ask and approve, or a supervisor's own
    change need approval, the same person still cannot do both."""
    supervisor, caseworker = cast.role(Role.SUPERVISOR), cast.role(Role.CASEWORKER)
    member = supervisor if whose == "own account" else caseworker
    request = AccessRequest.objects.create(
        organisation=cast.own, member=member, kind="role_change", role=Role.SUPERVISOR,
        needs_approval=True, needs_setup=False,
        requested_by=supervisor if whose == "own request" else cast.role(Role.ADMINISTRATOR),
        expires_at=timezone.now() + timedelta(days=1))
    approve(supervisor_client, request, status=403)
    assert AccessRequest.objects.get(pk=request.pk).status == "waiting"


def test_it_lets_a_supervisor_refuse(cast, admin_client, supervisor_client):
    member, link = add_user(admin_client)
    request = AccessRequest.objects.get(member=member)
    mark = audit_mark()
    response = supervisor_client.post(f"/accounts/approvals/{request.pk}/refuse/")
    assert response.status_code == 302
    assert_trail(mark, ("access_refuse", request))
    person = Client()
    person.get(link)
    assert person.get("/accounts/setup/").status_code == 410


# -- role changes, deactivation, reactivation --------------------------------------------------

def test_it_needs_approval_and_new_secrets_to_turn_an_analyst_into_a_caseworker(
        cast, admin_client, supervisor_client):
    analyst = cast.role(Role.ANALYST)
    response = admin_client.post(f"/accounts/users/{analyst.pk}/role/",
                                 {"role": Role.CASEWORKER})
    assert response.status_code == 201
    link = response.context["setup_link"]
    assert User.objects.get(pk=analyst.pk).role == Role.ANALYST  # not yet
    code = approve(supervisor_client, AccessRequest.objects.get(member=analyst))
    assert User.objects.get(pk=analyst.pk).role == Role.ANALYST  # still not: set-up first
    set_up(link, code)
    analyst.refresh_from_db()
    assert analyst.role == Role.CASEWORKER and analyst.check_password(NEW_PASSWORD)


def test_it_promotes_an_active_reader_on_approval_alone(cast, admin_client,
                                                        supervisor_client):
    caseworker = cast.role(Role.CASEWORKER)
    response = admin_client.post(f"/accounts/users/{caseworker.pk}/role/",
                                 {"role": Role.SUPERVISOR})
    assert response.status_code == 302
    assert User.objects.get(pk=caseworker.pk).role == Role.CASEWORKER
    request = AccessRequest.objects.get(member=caseworker)
    assert request.needs_approval and not request.needs_setup
    response = supervisor_client.post(f"/accounts/approvals/{request.pk}/approve/")
    assert response.status_code == 302
    assert User.objects.get(pk=caseworker.pk).role == Role.SUPERVISOR


def test_it_reissues_the_request_when_a_new_accounts_role_changes(cast, admin_client,
                                                                   supervisor_client):
    member, old_link = add_user(admin_client, role=Role.ANALYST, username="new.person")
    response = admin_client.post(f"/accounts/users/{member.pk}/role/",
                                 {"role": Role.CASEWORKER})
    assert response.status_code == 201
    code = approve(supervisor_client, AccessRequest.objects.get(member=member,
                                                                 status="waiting"))
    set_up(response.context["setup_link"], code)
    assert User.objects.get(pk=member.pk).role == Role.CASEWORKER
    stale = Client()
    stale.get(old_link)
    assert stale.get("/accounts/setup/").status_code == 410


def test_it_changes_a_role_away_from_survivor_records_at_once(cast, admin_client):
    caseworker = cast.role(Role.CASEWORKER)
    mark = audit_mark()
    response = admin_client.post(f"/accounts/users/{caseworker.pk}/role/",
                                 {"role": Role.ANALYST})
    assert response.status_code == 302
    assert User.objects.get(pk=caseworker.pk).role == Role.ANALYST
    assert_trail(mark, ("update", caseworker))


def test_it_deactivates_a_user_who_can_then_neither_sign_in_nor_use_a_token(
        cast, admin_client):
    caseworker = cast.role(Role.CASEWORKER)
    caseworker.set_password(NEW_PASSWORD)
    caseworker.save()
    token = create_token(caseworker)
    mark = audit_mark()
    response = admin_client.post(f"/accounts/users/{caseworker.pk}/deactivate/",
                                 {"confirm": "on"})
    assert response.status_code == 302
    assert_trail(mark, ("update", caseworker))
    refused = Client().post("/accounts/login/", {"username": caseworker.username,
                                                 "password": NEW_PASSWORD})
    assert refused.status_code == 200 and "do not match" in refused.content.decode()
    api = Client().get("/api/v1/cases", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert api.status_code == 401


def test_it_deactivates_only_when_asked_to_mean_it(cast, admin_client):
    caseworker = cast.role(Role.CASEWORKER)
    response = admin_client.post(f"/accounts/users/{caseworker.pk}/deactivate/", follow=True)
    assert "End their access now" in response.content.decode()
    assert User.objects.get(pk=caseworker.pk).is_active


def test_it_refuses_to_deactivate_oneself(cast, admin_client):
    admin = cast.role(Role.ADMINISTRATOR)
    response = admin_client.post(f"/accounts/users/{admin.pk}/deactivate/", {"confirm": "on"})
    assert response.status_code == 302
    assert User.objects.get(pk=admin.pk).is_active


def test_it_needs_approval_to_reactivate_a_reader(cast, admin_client, supervisor_client):
    caseworker = cast.role(Role.CASEWORKER)
    admin_client.post(f"/accounts/users/{caseworker.pk}/deactivate/", {"confirm": "on"})
    response = admin_client.post(f"/accounts/users/{caseworker.pk}/reactivate/")
    assert response.status_code == 201
    assert not User.objects.get(pk=caseworker.pk).is_active
    code = approve(supervisor_client, AccessRequest.objects.get(member=caseworker))
    set_up(response.context["setup_link"], code)
    assert User.objects.get(pk=caseworker.pk).is_active


def test_it_reactivates_an_account_without_survivor_records_at_once(cast, admin_client):
    auditor = cast.role(Role.AUDITOR)
    admin_client.post(f"/accounts/users/{auditor.pk}/deactivate/", {"confirm": "on"})
    response = admin_client.post(f"/accounts/users/{auditor.pk}/reactivate/")
    assert response.status_code == 302 and User.objects.get(pk=auditor.pk).is_active


def test_it_sets_up_an_account_without_survivor_records_with_the_link_alone(
        cast, admin_client):
    member, link = add_user(admin_client, role=Role.ANALYST, username="new.analyst")
    assert AccessRequest.objects.get(member=member).status == "ready"
    set_up(link)
    assert User.objects.get(pk=member.pk).is_active


# -- what supervisors and administrators see -------------------------------------------------

def test_it_shows_waiting_approvals_on_the_supervisors_dashboard(cast, admin_client,
                                                                 supervisor_client):
    add_user(admin_client)
    page = supervisor_client.get("/dashboard/").content.decode()
    assert "Waiting for your approval" in page and "new.caseworker" in page
    assert "/accounts/approvals/" in page
    assert "Waiting for your approval" not in admin_client.get("/dashboard/").content.decode()


def test_it_asks_for_a_role_with_no_default(cast, admin_client):
    page = admin_client.get("/accounts/users/").content.decode()
    select = re.search(r'<select name="role"[^>]*>(.*?)</select>', page, re.S).group(1)
    assert re.search(r'<option value=""[^>]*selected', select)
    response = admin_client.post("/accounts/users/", {"username": "no.role"})
    assert response.status_code == 400 and "role" in response.context["form"].errors
    assert not User.objects.filter(username="no.role").exists()


def test_it_shows_unlock_only_for_locked_users(cast, admin_client):
    from harborlight.accounts import lockout

    caseworker = cast.role(Role.CASEWORKER)
    page = admin_client.get("/accounts/users/").content.decode()
    assert f"/accounts/users/{caseworker.pk}/unlock/" not in page
    lockout.lock_account(caseworker.username)
    page = admin_client.get("/accounts/users/").content.decode()
    assert f"/accounts/users/{caseworker.pk}/unlock/" in page


# -- every step audited once ---------------------------------------------------------------

def test_it_writes_one_audit_entry_per_step(cast, admin_client, supervisor_client):
    mark = audit_mark()
    member, link = add_user(admin_client)
    request = AccessRequest.objects.get(member=member)
    assert_trail(mark, ("user_create", member))
    mark = audit_mark()
    code = approve(supervisor_client, request)
    assert_trail(mark, ("access_approve", request))
    mark = audit_mark()
    set_up(link, code)
    assert_audited("account_setup", member, since=mark)
    assert_audited("2fa_enrol", since=mark, times=0)


# -- no other path --------------------------------------------------------------------------

# The only modules that may create accounts or change who holds which role directly: the
# access service itself, the command line's first administrator and supervisor, the demo's
# synthetic cast, and the account model that defines the calls.
DIRECT_GRANTS = re.compile(r"create_staff_user\(|create_user\(|create_superuser\("
                           r"|\.role\s*=[^=]|\.is_active\s*=\s*True"
                           r"|update\([^)]*\b(role|is_active)\s*=")
ALLOWED = {"accounts/access.py", "accounts/admin_setup.py", "accounts/models.py",
           "demo/records.py"}


def test_it_grants_access_only_through_the_access_service():
    offenders = []
    for path in sorted(SRC.rglob("*.py")):
        relative = path.relative_to(SRC).as_posix()
        if relative in ALLOWED or "/migrations/" in relative:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if DIRECT_GRANTS.search(line.split("#")[0]):
                offenders.append(f"{relative}:{number}: {line.strip()}")
    assert not offenders, "accounts or roles changed outside accounts.access:\n" + \
        "\n".join(offenders)


def test_it_speaks_spanish_on_the_pages_of_all_three_people(cast, admin_client,
                                                            supervisor_client):
    member, link = add_user(admin_client)
    person = Client(HTTP_ACCEPT_LANGUAGE="es")
    person.get(link)
    assert "espera la aprobación de supervisión" in person.get("/accounts/setup/").content \
        .decode()
    users = admin_client.get("/accounts/users/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Añadir una persona usuaria" in users and "Elija un rol" in users
    approvals = supervisor_client.get("/accounts/approvals/",
                                      HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Accesos que esperan su aprobación" in approvals and "Aprobar" in approvals
