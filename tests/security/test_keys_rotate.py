"""Key rotation: re-encrypt everything, retire old keys, survive a crash half-way."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from typer.testing import CliRunner

from harborlight.cases.models import Case, Person, PersonRole
from harborlight.cli import keys as keys_cli
from harborlight.security import rotation
from harborlight.security.checks import encrypted_columns, verify_keyring
from harborlight.security.crypto import (KeyringError, get_keyring, key_id_of,
                                         load_keyring_file, set_keyring, use_keyring)
from harborlight.security.fields import EncryptedFileSystemStorage, blind_lookup
from harborlight.security.models import KeyCanary

pytestmark = pytest.mark.django_db

NAMES = ["Ana", "Bea", "Cai", "Dov", "Eli", "Fen", "Gus"]


@pytest.fixture
def keyring_file(settings, tmp_path) -> Path:
    """A private copy of the suite's keyring file, which rotation may rewrite."""
    path = tmp_path / "keys.json"
    shutil.copy2(settings.KEYS_FILE, path)
    settings.KEYS_FILE = str(path)
    settings.MEDIA_ROOT = str(tmp_path / "media")
    set_keyring(None)
    yield path
    set_keyring(None)


@pytest.fixture
def people(cast) -> list[Person]:
    case = Case.objects.create(organisation=cast.own, reference="C-ROT-0001", summary="rot")
    return [Person.objects.create(organisation=cast.own, case=case, role=PersonRole.VICTIM,
                                  first_name=name, second_name=f"{name}son",
                                  email=f"{name.lower()}@example.org") for name in NAMES]


@pytest.fixture
def attachment(keyring_file) -> tuple[EncryptedFileSystemStorage, str]:
    storage = EncryptedFileSystemStorage()
    return storage, storage.save("case/scan.txt", ContentFile(b"scan of an identity card"))


def stored_key_ids() -> dict[str, int]:
    """Key id -> number of stored tokens, read from the raw rows of every encrypted column."""
    counts: dict[str, int] = {}
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for model, field in encrypted_columns():
            cursor.execute(f"SELECT {quote(field.column)} FROM {quote(model._meta.db_table)}")
            for (token,) in cursor.fetchall():
                if token:
                    counts[key_id_of(token)] = counts.get(key_id_of(token), 0) + 1
    return counts


def read_back() -> list[tuple[str, str, str]]:
    return list(Person.objects.filter(case__reference="C-ROT-0001").order_by("pk")
                .values_list("first_name", "second_name", "email"))


EXPECTED = [(n, f"{n}son", f"{n.lower()}@example.org") for n in NAMES]


def test_it_rotates_everything_and_retires_the_old_key(keyring_file, people, attachment):
    storage, name = attachment
    assert set(stored_key_ids()) == {"k1"}
    result = rotation.rotate_keys(batch_size=3, retire_old=True)
    assert result.new_key_id == "k2"
    assert result.retired == ["k1"]
    assert result.values_reencrypted == sum(stored_key_ids().values())
    assert result.files_reencrypted == 1
    assert set(stored_key_ids()) == {"k2"}
    assert load_keyring_file(keyring_file).key_ids == ["k2"]
    assert list(KeyCanary.objects.values_list("key_id", flat=True)) == ["k2"]
    set_keyring(None)  # read everything back with the keyring file as now written
    assert read_back() == EXPECTED
    assert storage.read_raw(name).startswith(b"hlf1:k2:")
    assert storage.open(name).read() == b"scan of an identity card"
    # Blind indexes use their own key, which rotation leaves alone.
    assert Person.objects.filter(**blind_lookup(Person, "second_name", "DOVSON")).count() == 1
    verify_keyring()


def test_it_leaves_a_usable_database_after_a_crash_mid_rotation(keyring_file, people,
                                                                monkeypatch):
    calls = []
    real_batch = rotation._reencrypt_batch

    def crash_on_second_batch(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("power cut")
        return real_batch(*args, **kwargs)

    monkeypatch.setattr(rotation, "_reencrypt_batch", crash_on_second_batch)
    with pytest.raises(RuntimeError, match="power cut"):
        rotation.rotate_keys(batch_size=3)
    # The first batch's updates were rolled back with the transaction.
    assert set(stored_key_ids()) == {"k1"}
    on_disk = load_keyring_file(keyring_file)
    assert on_disk.primary_key_id == "k2" and on_disk.key_ids == ["k1", "k2"]
    set_keyring(None)
    assert read_back() == EXPECTED
    verify_keyring()

    monkeypatch.setattr(rotation, "_reencrypt_batch", real_batch)
    result = rotation.rotate_keys(batch_size=3, retire_old=True)
    assert result.new_key_id == "k3" and result.retired == ["k1", "k2"]
    assert set(stored_key_ids()) == {"k3"}
    set_keyring(None)
    assert read_back() == EXPECTED


def test_it_refuses_to_retire_a_key_still_in_use(keyring_file, people):
    old = get_keyring()
    rotation.rotate_keys(batch_size=50)
    with use_keyring(old):  # a server that still runs with the old keyring writes a value
        Person.objects.filter(pk=people[0].pk).update(first_name="Written late")
    with pytest.raises(KeyringError, match="key k1 still encrypts 1 stored value"):
        rotation.retire_unused_keys()
    assert load_keyring_file(keyring_file).key_ids == ["k1", "k2"]
    assert KeyCanary.objects.filter(key_id="k1").exists()
    set_keyring(None)
    assert Person.objects.get(pk=people[0].pk).first_name == "Written late"


def test_it_stops_on_a_tampered_value_and_changes_nothing(keyring_file, people):
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {quote(Person._meta.db_table)} SET first_name = second_name "
                       "WHERE id = %s", [people[2].pk])
        cursor.execute(f"SELECT id, first_name, email FROM {quote(Person._meta.db_table)} "
                       "ORDER BY id")
        before = cursor.fetchall()
    with pytest.raises(KeyringError, match=f"cases.person.first_name of row {people[2].pk}"):
        rotation.rotate_keys(batch_size=2)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, first_name, email FROM {quote(Person._meta.db_table)} "
                       "ORDER BY id")
        assert cursor.fetchall() == before


def test_it_refuses_to_rotate_a_keyring_held_in_the_environment(settings, keyring_file):
    settings.KEYS_JSON = keyring_file.read_text()
    with pytest.raises(KeyringError, match="HARBORLIGHT_KEYS_FILE"):
        rotation.rotate_keys()
    assert json.loads(keyring_file.read_text())["primary"] == "k1"


def test_it_rotates_from_the_command_line_and_prints_counts(keyring_file, people):
    total = sum(stored_key_ids().values())
    result = CliRunner().invoke(keys_cli.app, ["rotate", "--retire-old", "--batch-size", "4"])
    assert result.exit_code == 0, result.output
    assert f"New primary key k2: re-encrypted {total} value(s)" in result.output
    assert "Retired keys: k1." in result.output
    assert set(stored_key_ids()) == {"k2"}


def test_it_checks_the_keyring_from_the_command_line(keyring_file, people):
    result = CliRunner().invoke(keys_cli.app, ["check"])
    assert result.exit_code == 0, result.output
    assert f"k1: {sum(stored_key_ids().values())}" in result.output


def test_it_records_rotation_and_retirement_in_the_audit_trail(keyring_file, people):
    from harborlight.security.audit.models import AuditEntry

    result = rotation.rotate_keys(retire_old=True)
    entries = list(AuditEntry.objects.filter(action="keys_rotate").order_by("seq"))
    assert [e.details for e in entries] == [
        {"new_key_id": "k2", "rows": result.rows_rewritten,
         "values": result.values_reencrypted},
        {"retired_key_ids": ["k1"]}]
    assert result.values_reencrypted == sum(stored_key_ids().values())
    assert result.rows_rewritten >= len(NAMES)


def test_it_retires_from_the_command_line_only_when_nothing_uses_the_key(keyring_file,
                                                                         people):
    old = get_keyring()
    rotation.rotate_keys()
    with use_keyring(old):
        Person.objects.filter(pk=people[0].pk).update(first_name="Written late")
    refused = CliRunner().invoke(keys_cli.app, ["retire"])
    assert refused.exit_code != 0
    assert "key k1 still encrypts 1 stored value" in str(refused.exception)
    assert load_keyring_file(keyring_file).key_ids == ["k1", "k2"]

    rotation.rotate_keys()
    result = CliRunner().invoke(keys_cli.app, ["retire"])
    assert result.exit_code == 0, result.output
    assert "Retired keys: k1, k2." in result.output
    assert load_keyring_file(keyring_file).key_ids == ["k3"]


def test_it_runs_one_rotation_at_a_time(keyring_file, people):
    import fcntl
    import os

    fd = os.open(f"{keyring_file}.lock", os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # another rotation is running
        with pytest.raises(KeyringError, match="another key rotation"):
            rotation.rotate_keys()
    finally:
        os.close(fd)
    assert load_keyring_file(keyring_file).key_ids == ["k1"]
    assert set(stored_key_ids()) == {"k1"}
    assert rotation.rotate_keys().new_key_id == "k2"
