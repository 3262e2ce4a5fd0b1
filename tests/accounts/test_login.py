"""Sign-in: password, then a TOTP code; lockout; enrolment; idle timeout; headers."""

from __future__ import annotations

import re
import time

import pytest
from django.conf import settings
from django.test import Client

from harborlight.accounts.models import Authenticator, Organisation, Role
from harborlight.accounts.twofactor import current_code, enrol_confirmed
from harborlight.accounts.middleware import LAST_SEEN_KEY
from tests_support import PASSWORD, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice():
    organisation = Organisation.objects.create(name="Alice's Hotline", slug="alice")
    return make_user(organisation, Role.CASEWORKER, "alice", password=PASSWORD)


def _password_step(client: Client, username: str, password: str):
    return client.post("/accounts/login/", {"username": username, "password": password})


def test_it_stores_passwords_with_argon2(alice):
    assert alice.password.startswith("argon2$")


def test_it_asks_for_a_code_after_the_password(alice):
    enrol_confirmed(alice)
    client = Client()
    response = _password_step(client, "alice", PASSWORD)
    assert response.status_code == 302 and response.url == "/accounts/two-factor/"
    # Password alone opens nothing.
    assert client.get("/dashboard/").status_code == 302
    assert client.get("/cases/").url == "/accounts/two-factor/"


def test_it_signs_in_with_password_and_code(alice):
    device = enrol_confirmed(alice)
    client = Client()
    _password_step(client, "alice", PASSWORD)
    response = client.post("/accounts/two-factor/", {"token": current_code(device)})
    assert response.status_code == 302
    assert client.get("/dashboard/").status_code == 200


def test_it_refuses_a_wrong_code_with_a_message(alice):
    enrol_confirmed(alice)
    client = Client()
    _password_step(client, "alice", PASSWORD)
    response = client.post("/accounts/two-factor/", {"token": "000000"})
    assert response.status_code == 400
    assert b"That code is not right" in response.content
    assert client.get("/dashboard/").status_code == 302


def test_it_rejects_malformed_codes_per_field(alice):
    enrol_confirmed(alice)
    client = Client()
    _password_step(client, "alice", PASSWORD)
    response = client.post("/accounts/two-factor/", {"token": "12ab56"})
    assert response.status_code == 400
    assert b"The code is six digits." in response.content


def test_it_gives_unknown_users_the_same_answer(alice):
    wrong_password = _password_step(Client(), "alice", "not the password at all")
    unknown_user = _password_step(Client(), "nobody-here", "not the password at all")
    assert wrong_password.status_code == unknown_user.status_code == 200
    assert b"do not match" in wrong_password.content
    def without_token_and_name(page: bytes, name: bytes) -> bytes:
        return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", page).replace(name, b"")

    assert without_token_and_name(wrong_password.content, b"alice") == \
        without_token_and_name(unknown_user.content, b"nobody-here")


def test_it_locks_out_after_repeated_failures(alice):
    for _ in range(settings.LOGIN_MAX_FAILURES):
        _password_step(Client(), "alice", "wrong password here")
    # Even the right password is refused while locked out.
    response = _password_step(Client(), "alice", PASSWORD)
    assert response.status_code == 429
    assert b"Too many failed attempts" in response.content


def test_it_lets_an_administrator_unlock_a_user(alice, signed_in_client):
    for _ in range(settings.LOGIN_MAX_FAILURES):
        _password_step(Client(), "alice", "wrong password here")
    admin = make_user(alice.organisation, Role.ADMINISTRATOR, "admin")
    response = signed_in_client(admin).post(f"/accounts/users/{alice.pk}/unlock/")
    assert response.status_code == 302
    assert _password_step(Client(), "alice", PASSWORD).status_code == 302


def test_it_sends_users_without_a_device_to_enrolment(alice):
    client = Client()
    _password_step(client, "alice", PASSWORD)
    assert client.get("/accounts/two-factor/").url == "/accounts/two-factor/enrol/"
    page = client.get("/accounts/two-factor/enrol/")
    assert page.status_code == 200 and b"data:image/svg+xml;base64," in page.content
    device = Authenticator.objects.get(user=alice, confirmed=False)
    response = client.post("/accounts/two-factor/enrol/", {"token": current_code(device)})
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/dashboard/").status_code == 200


def test_it_refuses_a_wrong_enrolment_code_and_keeps_the_device_unconfirmed(alice):
    client = Client()
    _password_step(client, "alice", PASSWORD)
    client.get("/accounts/two-factor/enrol/")
    response = client.post("/accounts/two-factor/enrol/", {"token": "000000"})
    assert response.status_code == 400 and b"not right" in response.content
    assert not Authenticator.objects.get(user=alice).confirmed
    assert client.get("/dashboard/").status_code == 302


def test_it_throttles_codes_after_a_failure(alice):
    device = enrol_confirmed(alice)
    client = Client()
    _password_step(client, "alice", PASSWORD)
    client.post("/accounts/two-factor/", {"token": "000000"})
    response = client.post("/accounts/two-factor/", {"token": current_code(device)})
    assert response.status_code == 400 and b"Wait a few seconds" in response.content


def test_it_signs_out_idle_sessions(alice, signed_in_client):
    client = signed_in_client(alice)
    assert client.get("/dashboard/").status_code == 200
    session = client.session
    session[LAST_SEEN_KEY] = time.time() - settings.SESSION_IDLE_SECONDS - 1
    session.save()
    response = client.get("/dashboard/")
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")


def test_it_sets_the_session_to_expire_after_the_idle_limit():
    assert settings.SESSION_COOKIE_AGE == settings.SESSION_IDLE_SECONDS == 30 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST


def test_it_needs_post_and_csrf_to_sign_out(alice):
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    assert client.get("/accounts/logout/").status_code == 405
    assert client.post("/accounts/logout/").status_code == 403


def test_it_enforces_csrf_on_the_login_form(alice):
    client = Client(enforce_csrf_checks=True)
    response = _password_step(client, "alice", PASSWORD)
    assert response.status_code == 403
    assert b"Form expired" in response.content


def test_it_sends_strict_security_headers(client):
    response = client.get("/accounts/login/")
    csp = response.headers["Content-Security-Policy"]
    for directive in ("default-src 'self'", "script-src 'self'", "style-src 'self'",
                      "object-src 'none'", "frame-ancestors 'none'", "base-uri 'none'"):
        assert directive in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "camera=()" in response.headers["Permissions-Policy"]
    assert response.headers["Cache-Control"] == "no-store"


def test_it_marks_cookies_secure_httponly_and_strict(alice):
    client = Client()
    client.get("/accounts/login/")
    enrol_confirmed(alice)
    _password_step(client, "alice", PASSWORD)
    session_cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    assert session_cookie["secure"] and session_cookie["httponly"]
    assert session_cookie["samesite"] == "Strict"
    assert client.cookies[settings.CSRF_COOKIE_NAME]["secure"]


def test_it_keeps_no_address_or_user_agent_of_failed_sign_ins(alice):
    from django.db import connection

    client = Client(REMOTE_ADDR="203.0.113.77", HTTP_USER_AGENT="MarkerAgent/9.9")
    for _ in range(settings.LOGIN_MAX_FAILURES + 1):
        client.post("/accounts/login/", {"username": "alice", "password": "wrong password"})
    assert _password_step(client, "alice", PASSWORD).status_code == 429  # locked out
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            text = " ".join(str(value) for row in cursor.fetchall() for value in row)
            assert "203.0.113.77" not in text and "MarkerAgent" not in text, table
