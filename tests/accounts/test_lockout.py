"""Sign-in lockout that no one can turn against someone else.

Failures lock a username from the client that made them; a slower, site-wide count per
username holds back a guesser with many addresses, but not a browser where the person
signed in before. Clients are told apart by a keyed digest kept in memory: no address is
stored or logged.
"""

from __future__ import annotations

import logging

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client

from harborlight.accounts import lockout
from harborlight.accounts.models import Organisation, Role
from harborlight.accounts.tokens import create_token
from harborlight.accounts.twofactor import current_code, enrol_confirmed
from tests_support import PASSWORD, assert_audited, audit_mark, make_user

pytestmark = pytest.mark.django_db

ATTACKER = "203.0.113.66"
PERSON = "198.51.100.9"


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def alice():
    organisation = Organisation.objects.create(name="Alice's Hotline", slug="alice")
    user = make_user(organisation, Role.CASEWORKER, "alice", password=PASSWORD)
    enrol_confirmed(user)
    return user


def attempt(address: str, password: str = "wrong password here", client: Client | None = None,
            username: str = "alice"):
    client = client or Client(REMOTE_ADDR=address)
    return client.post("/accounts/login/", {"username": username, "password": password})


def fail_from(address: str, times: int) -> None:
    """``times`` wrong passwords; the one that reaches the limit already says "paused"."""
    for number in range(1, times + 1):
        expected = 429 if number == settings.LOGIN_MAX_FAILURES else 200
        assert attempt(address).status_code == expected


def test_it_locks_the_username_only_from_the_client_that_failed(alice):
    fail_from(ATTACKER, settings.LOGIN_MAX_FAILURES)
    locked = attempt(ATTACKER, PASSWORD)
    assert locked.status_code == 429 and b"Too many failed attempts" in locked.content
    assert attempt(PERSON, PASSWORD).status_code == 302


def test_it_holds_a_username_back_site_wide_after_failures_from_many_clients(alice,
                                                                            settings):
    settings.LOGIN_ACCOUNT_MAX_FAILURES = 6
    answers = [attempt(f"203.0.113.{10 + number}").status_code
               for number in range(3) for _ in range(2)]
    assert answers == [200] * 5 + [429]  # the sixth starts the hold, and says so
    assert attempt(PERSON, PASSWORD).status_code == 429
    assert lockout.account_locked("alice")


def test_it_lets_a_browser_that_signed_in_before_through_a_site_wide_hold(alice, settings):
    settings.LOGIN_ACCOUNT_MAX_FAILURES = 4
    known = Client(REMOTE_ADDR=PERSON)
    attempt(PERSON, PASSWORD, client=known)
    assert known.post("/accounts/two-factor/",
                      {"token": current_code(alice.authenticator_set.get())}).status_code == 302
    known.post("/accounts/logout/")
    for number in range(4):
        attempt(f"203.0.113.{20 + number}")
    assert attempt("192.0.2.1", PASSWORD).status_code == 429  # a new browser is held back
    assert attempt(PERSON, PASSWORD, client=known).status_code == 302


def test_it_records_each_failure_and_each_lock_once(alice):
    mark = audit_mark()
    fail_from(ATTACKER, settings.LOGIN_MAX_FAILURES)
    assert_audited("login_failed", alice, since=mark, times=settings.LOGIN_MAX_FAILURES)
    [entry] = assert_audited("lockout", alice, since=mark)
    assert entry.details["scope"] == "client"
    attempt(ATTACKER, PASSWORD)
    assert_audited("lockout", alice, since=mark)  # still one: the lock did not start again


def test_it_lifts_every_lock_on_a_username_when_unlocked(alice, settings):
    settings.LOGIN_ACCOUNT_MAX_FAILURES = settings.LOGIN_MAX_FAILURES
    fail_from(ATTACKER, settings.LOGIN_MAX_FAILURES)
    assert lockout.is_locked("alice") and lockout.account_locked("alice")
    lockout.unlock("alice")
    assert not lockout.is_locked("alice")
    assert attempt(ATTACKER, PASSWORD).status_code == 302


def test_it_stops_api_tokens_while_the_account_is_held_back(alice):
    token = create_token(alice)
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    assert Client(REMOTE_ADDR=PERSON).get("/api/v1/cases", **headers).status_code == 200
    lockout.lock_account("alice")
    assert Client(REMOTE_ADDR=PERSON).get("/api/v1/cases", **headers).status_code == 401


def test_it_stops_api_tokens_from_a_client_locked_out_of_that_username(alice):
    token = create_token(alice)
    fail_from(ATTACKER, settings.LOGIN_MAX_FAILURES)
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    assert Client(REMOTE_ADDR=ATTACKER).get("/api/v1/cases", **headers).status_code == 401
    assert Client(REMOTE_ADDR=PERSON).get("/api/v1/cases", **headers).status_code == 200


def test_it_keeps_no_address_anywhere(alice, caplog):
    caplog.set_level(logging.DEBUG)
    fail_from(ATTACKER, settings.LOGIN_MAX_FAILURES)
    assert attempt(ATTACKER).status_code == 429
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            assert ATTACKER not in repr(cursor.fetchall()), table
    assert ATTACKER not in caplog.text


def test_it_tells_clients_apart_with_a_secret_that_changes():
    from django.test import RequestFactory

    from harborlight.security import throttle

    request = RequestFactory().get("/", REMOTE_ADDR=ATTACKER)
    today = throttle.client_key(request, now=1_800_000_000)
    assert today == throttle.client_key(request, now=1_800_000_100)
    assert ATTACKER not in today
    assert today != throttle.client_key(request, now=1_800_000_000 + throttle.ROTATION + 1)
