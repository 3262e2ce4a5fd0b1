"""Two-factor secrets: encrypted with the keyring, moved out of the clear by a migration,
re-encrypted by key rotation; the session key is renewed once the second factor is in."""

from __future__ import annotations

import shutil

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client

from harborlight.accounts.models import Authenticator, Organisation, Role
from harborlight.accounts.twofactor import base32_secret, current_code, enrol_confirmed
from harborlight.security import rotation
from harborlight.security.crypto import key_id_of, set_keyring
from tests_support import PASSWORD, make_user, migrate_to

BEFORE_ENCRYPTION = [("accounts", "0002_lockout_cache_table"),
                     ("otp_totp", "0003_add_timestamps")]


def every_stored_value() -> str:
    """Every row of every table, as one text: what a copy of the database shows."""
    dump = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            dump.append(repr(cursor.fetchall()))
    return "\n".join(dump)


def stored_secret(device: Authenticator) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT key FROM {Authenticator._meta.db_table} WHERE id = %s",
                       [device.pk])
        return cursor.fetchone()[0]


@pytest.fixture
def alice(db):
    organisation = Organisation.objects.create(name="Alice's Hotline", slug="alice")
    return make_user(organisation, Role.CASEWORKER, "alice", password=PASSWORD)


def test_it_stores_the_two_factor_secret_only_encrypted(alice):
    device = enrol_confirmed(alice)
    secret_hex, secret_b32 = device.key, base32_secret(device)
    assert stored_secret(device).startswith("hl1:")
    dump = every_stored_value()
    assert secret_hex not in dump and secret_b32 not in dump
    assert secret_hex.upper() not in dump


def test_it_still_checks_codes_against_the_decrypted_secret(alice):
    device = enrol_confirmed(alice)
    reloaded = Authenticator.objects.get(pk=device.pk)
    assert reloaded.verify_token(current_code(reloaded))
    assert not reloaded.verify_token(current_code(reloaded))  # a used code never twice


def test_it_re_encrypts_two_factor_secrets_when_keys_rotate(alice, settings, tmp_path):
    device = enrol_confirmed(alice)
    keys = tmp_path / "keys.json"
    shutil.copy2(settings.KEYS_FILE, keys)
    settings.KEYS_FILE = str(keys)
    set_keyring(None)
    try:
        before = key_id_of(stored_secret(device))
        result = rotation.rotate_keys(retire_old=True)
        assert key_id_of(stored_secret(device)) == result.new_key_id != before
        set_keyring(None)
        assert Authenticator.objects.get(pk=device.pk).key == device.key
    finally:
        set_keyring(None)


def test_it_renews_the_session_key_after_the_second_factor(alice):
    device = enrol_confirmed(alice)
    client = Client()
    client.post("/accounts/login/", {"username": "alice", "password": PASSWORD})
    after_password = client.cookies[settings.SESSION_COOKIE_NAME].value
    response = client.post("/accounts/two-factor/", {"token": current_code(device)})
    assert response.status_code == 302
    after_code = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert after_code != after_password
    assert client.get("/dashboard/").status_code == 200


@pytest.mark.django_db(transaction=True)
def test_it_moves_secrets_stored_in_clear_into_the_encrypted_column():
    try:
        apps = migrate_to(BEFORE_ENCRYPTION)
        organisation = apps.get_model("accounts", "Organisation").objects.create(
            name="Before", slug="before")
        user = apps.get_model("accounts", "User").objects.create(
            username="before", organisation=organisation, role="caseworker")
        secret = "3132333435363738393031323334353637383930"
        apps.get_model("otp_totp", "TOTPDevice").objects.create(
            user=user, name="phone", confirmed=True, key=secret, last_t=42)
        migrate_to(None)
        device = Authenticator.objects.get(user_id=user.pk)
        assert device.key == secret and device.confirmed and device.last_t == 42
        assert secret not in every_stored_value()
    finally:
        migrate_to(None)
