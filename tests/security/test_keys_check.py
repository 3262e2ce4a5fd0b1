"""A missing or wrong keyring stops Harborlight with a clear message; never plaintext."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core import checks
from django.db import connection

from harborlight.cases.models import Case, Person, PersonRole
from harborlight.security.checks import verify_keyring
from harborlight.security.crypto import (Keyring, KeyringError, generate_keyring,
                                         get_keyring, set_keyring, use_keyring, write_keyring)
from harborlight.security.models import KeyCanary

HARBORLIGHT = Path(sys.executable).with_name("harborlight")


@pytest.fixture
def person(cast) -> Person:
    case = Case.objects.create(organisation=cast.own, reference="C-CHK-0001", summary="chk")
    return Person.objects.create(organisation=cast.own, case=case, role=PersonRole.VICTIM,
                                 first_name="Ilse", second_name="Marrow")


def impostor_keyring() -> Keyring:
    """A keyring with the same key id, k1, but other key material."""
    return Keyring.from_dict(generate_keyring())


@pytest.mark.django_db
def test_it_accepts_the_keyring_that_encrypted_the_database(person):
    counts = verify_keyring(record=False)
    assert counts["k1"] >= 2
    assert KeyCanary.objects.filter(key_id="k1").exists()


@pytest.mark.django_db
def test_it_names_a_key_that_does_not_match_its_canary(person):
    with pytest.raises(KeyringError, match="key k1 in the keyring does not match the key "
                                           "that encrypted this database"):
        verify_keyring(keyring=impostor_keyring(), record=False)


@pytest.mark.django_db
def test_it_detects_a_wrong_key_from_the_data_when_there_is_no_canary(person):
    KeyCanary.objects.all().delete()
    with pytest.raises(KeyringError, match="key k1 in the keyring does not match"):
        verify_keyring(keyring=impostor_keyring(), record=True)
    assert not KeyCanary.objects.exists()  # never records a canary for the wrong key


@pytest.mark.django_db
def test_it_names_a_key_the_keyring_lacks(person):
    suite_keyring = get_keyring()
    newer = suite_keyring.with_new_primary()
    with use_keyring(newer):
        Person.objects.filter(pk=person.pk).update(first_name="Written with k2")
        verify_keyring()  # records k2's canary
    assert set(KeyCanary.objects.values_list("key_id", flat=True)) == {"k1", "k2"}
    with pytest.raises(KeyringError, match="the keyring does not hold key k2 that encrypted "
                                           "data in this database"):
        verify_keyring(keyring=suite_keyring, record=False)
    KeyCanary.objects.filter(key_id="k2").delete()
    with pytest.raises(KeyringError, match="does not hold key k2"):  # found in the data
        verify_keyring(keyring=suite_keyring, record=False)


@pytest.mark.django_db
def test_it_refuses_plaintext_in_an_encrypted_column(person):
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {connection.ops.quote_name(Person._meta.db_table)} "
                       "SET first_name = %s WHERE id = %s", ["Ilse", person.pk])
    with pytest.raises(KeyringError, match="cases.person.first_name holds a value that is "
                                           "not Harborlight ciphertext"):
        verify_keyring(record=False)


@pytest.mark.django_db
def test_it_records_the_primary_canary_when_missing(person):
    KeyCanary.objects.all().delete()
    verify_keyring(record=True)
    canary = KeyCanary.objects.get()
    assert canary.key_id == "k1" and canary.token.startswith("hl1:k1:")
    assert "canary" not in canary.token


@pytest.fixture
def swap_keyring(settings, tmp_path):
    """Point the settings at another keyring file (or none) for one test."""

    def swap(data: dict | None = None, content: str | None = None) -> Path:
        path = tmp_path / "keys.json"
        if data is not None:
            write_keyring(path, data)
        elif content is not None:
            path.write_text(content)
        settings.KEYS_FILE = str(path)
        set_keyring(None)
        return path

    yield swap
    set_keyring(None)


@pytest.mark.django_db
def test_it_reports_a_wrong_key_as_a_system_check_error(person, swap_keyring):
    swap_keyring(generate_keyring())
    errors = [m for m in checks.run_checks(databases=["default"]) if m.id == "harborlight.E102"]
    assert len(errors) == 1
    assert "key k1 in the keyring does not match" in errors[0].msg


@pytest.mark.parametrize("content, message", [
    (None, "encryption keyring not found"),
    ("{oops", "is not valid JSON"),
    ('{"format": "harborlight-keyring", "version": 1, "primary": "k1", '
     '"keys": {"k1": "AAAA"}, "index_key": "AAAA"}', "is 3 bytes long"),
])
def test_it_reports_an_unusable_keyring_as_a_system_check_error(swap_keyring, content,
                                                                 message):
    swap_keyring(content=content)
    errors = [m for m in checks.run_checks() if m.id == "harborlight.E101"]
    assert len(errors) == 1 and message in errors[0].msg
    with pytest.raises(KeyringError, match=message):
        get_keyring()


def test_it_warns_about_a_keyring_file_others_can_read(swap_keyring):
    path = swap_keyring(generate_keyring())
    path.chmod(0o644)
    warnings = [m for m in checks.run_checks() if m.id == "harborlight.W101"]
    assert len(warnings) == 1 and "chmod 600" in warnings[0].hint


# -- the command line, as a separate process on its own SQLite database ---------------

@pytest.fixture
def install(tmp_path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HARBORLIGHT_", "DJANGO_"))}
    env.update(HARBORLIGHT_DATA_DIR=str(tmp_path), HARBORLIGHT_SECRET_KEY="s" * 50,
               HARBORLIGHT_DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}")
    return env


def run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(HARBORLIGHT), *args], env=env, capture_output=True, text=True,
                          timeout=120, check=False)


@pytest.mark.slow
def test_it_stops_the_command_line_with_one_line_when_the_keyring_is_missing(install,
                                                                              tmp_path):
    result = run(install, "keys", "check")
    assert result.returncode == 78
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "encryption keyring not found" in lines[0]
    assert f"harborlight keys generate --out {tmp_path / 'keys.json'}" in lines[0]

    (tmp_path / "keys.json").write_text("{not json")
    result = run(install, "keys", "check")
    assert result.returncode == 78
    assert len(result.stderr.strip().splitlines()) == 1 and "not valid JSON" in result.stderr


@pytest.mark.slow
def test_it_refuses_to_start_with_the_wrong_key(install, tmp_path):
    keys = tmp_path / "keys.json"
    assert run(install, "keys", "generate", "--out", str(keys)).returncode == 0
    assert run(install, "migrate").returncode == 0
    assert run(install, "keys", "check").returncode == 0

    keys.unlink()
    write_keyring(keys, generate_keyring())  # another installation's keyring
    result = run(install, "keys", "check")
    assert result.returncode == 78
    assert result.stderr.strip().splitlines() == [
        "harborlight: error: key k1 in the keyring does not match the key that encrypted "
        "this database; start with the keyring file that belongs to this database (restore "
        "it from backup)"]
    result = run(install, "check")
    assert result.returncode != 0 and "[harborlight.E102]" in result.stdout
    result = run(install, "serve", "--port", "18765")
    assert result.returncode == 78
    assert "not starting" in result.stderr and "does not match" in result.stderr


def test_it_reads_the_keyring_from_harborlight_keys(swap_keyring, settings, monkeypatch):
    data = generate_keyring()
    swap_keyring(content=None)  # no file at all
    monkeypatch.delenv("HARBORLIGHT_KEYS_FILE", raising=False)
    settings.KEYS_JSON = json.dumps(data)
    set_keyring(None)
    assert get_keyring().primary_key_id == "k1"
    token = get_keyring().encrypt(b"x", b"a.b.c")
    assert Keyring.from_dict(data).decrypt(token, b"a.b.c") == b"x"


@pytest.mark.slow
def test_it_generates_a_keyring_once_from_the_command_line(install, tmp_path):
    target = tmp_path / "new" / "keys.json"
    first = run(install, "keys", "generate", "--out", str(target))
    assert first.returncode == 0 and "Back it up" in first.stdout
    assert oct(target.stat().st_mode & 0o777) == "0o600"
    before = target.read_bytes()
    again = run(install, "keys", "generate", "--out", str(target))
    assert again.returncode != 0
    assert len(again.stderr.strip().splitlines()) == 1 and "refusing to overwrite" in again.stderr
    assert target.read_bytes() == before
