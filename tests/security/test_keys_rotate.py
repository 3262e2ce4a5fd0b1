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
    # Each batch commits on its own (a running server is never kept waiting): the first
    # is under the new key, the rest under the old one, and the file holds both.
    assert set(stored_key_ids()) == {"k1", "k2"}
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


def tokens_under(kid: str) -> int:
    """Stored tokens under ``kid`` in every text column of every table, encrypted or not:
    rotation must leave nothing behind anywhere, whatever encrypted it."""
    quote = connection.ops.quote_name
    found = 0
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            for column in connection.introspection.get_table_description(cursor, table):
                try:
                    cursor.execute(f"SELECT COUNT(*) FROM {quote(table)} WHERE "
                                   f"CAST({quote(column.name)} AS TEXT) LIKE %s",
                                   [f"hl1:{kid}:%"])
                except Exception:  # a column type that cannot be cast to text
                    continue
                found += cursor.fetchone()[0]
    return found


def test_it_leaves_no_value_under_the_retired_key_in_any_table(keyring_file, people, cast):
    from harborlight.accounts.twofactor import enrol_confirmed

    enrol_confirmed(cast.users["caseworker"])
    assert tokens_under("k1") > len(NAMES)
    rotation.rotate_keys(retire_old=True)
    assert tokens_under("k1") == 0


def test_it_keeps_a_value_the_server_changed_while_its_row_was_being_rotated(
        keyring_file, people, monkeypatch):
    real_batch = rotation._reencrypt_batch
    target = people[1].pk
    written = []

    def server_writes_meanwhile(model, fields, keyring, batch):
        planned = real_batch(model, fields, keyring, batch)
        if model is Person and not written and any(pk == target
                                                   for _new, _old, pk in planned[0]):
            written.append(Person.objects.filter(pk=target).update(
                first_name="Changed by the server"))
        return planned

    monkeypatch.setattr(rotation, "_reencrypt_batch", server_writes_meanwhile)
    rotation.rotate_keys(batch_size=50, retire_old=True)
    set_keyring(None)
    assert Person.objects.get(pk=target).first_name == "Changed by the server"
    assert set(stored_key_ids()) == {"k2"}


def test_it_re_encrypts_values_a_request_stored_under_the_old_key_during_rotation(
        keyring_file, people, monkeypatch):
    """A request that encrypted under the old key just before the keyring file changed
    stores its value after the rotation's pass went by: retirement still succeeds."""
    old = get_keyring()
    real_table = rotation._reencrypt_table
    late = []

    def late_request(model, *args, **kwargs):
        result = real_table(model, *args, **kwargs)
        if model is Person and not late:
            with use_keyring(old):
                late.append(Person.objects.create(organisation=people[0].organisation,
                                                  case=people[0].case, role=PersonRole.VICTIM,
                                                  first_name="Late", second_name="Arrival"))
        return result

    monkeypatch.setattr(rotation, "_reencrypt_table", late_request)
    result = rotation.rotate_keys(retire_old=True)
    assert result.retired == ["k1"]
    assert set(stored_key_ids()) == {"k2"}
    set_keyring(None)
    assert Person.objects.get(pk=late[0].pk).first_name == "Late"


def test_it_merges_a_keyring_backup_to_recover_values_under_a_retired_key(
        keyring_file, people, tmp_path):
    backup = tmp_path / "keys-before-rotation.json"
    shutil.copy2(keyring_file, backup)
    old = get_keyring()
    rotation.rotate_keys(retire_old=True)
    with use_keyring(old):  # what a server that never reloaded its keyring did
        Person.objects.filter(pk=people[0].pk).update(first_name="Stranded")
    set_keyring(None)
    with pytest.raises(KeyringError, match="harborlight keys merge"):
        verify_keyring(record=False)

    merged = CliRunner().invoke(keys_cli.app, ["merge", str(backup)])
    assert merged.exit_code == 0, merged.output
    assert "Added keys: k1." in merged.output
    assert load_keyring_file(keyring_file).primary_key_id == "k2"
    verify_keyring(record=False)
    set_keyring(None)
    assert Person.objects.get(pk=people[0].pk).first_name == "Stranded"
    assert rotation.rotate_keys(retire_old=True).retired == ["k1", "k2"]
    assert set(stored_key_ids()) == {"k3"}


def test_it_merges_nothing_from_a_keyring_whose_key_does_not_match_the_data(
        keyring_file, people, tmp_path):
    from harborlight.security.crypto import Keyring

    current = load_keyring_file(keyring_file)
    rotation.rotate_keys(retire_old=True)
    forged = Keyring({"k1": bytes(32), "k2": load_keyring_file(keyring_file)._keys["k2"]},
                     "k2", current._index_key)
    with use_keyring(current):
        Person.objects.filter(pk=people[0].pk).update(first_name="Stranded")
    path = tmp_path / "forged.json"
    path.write_text(json.dumps(forged.to_dict()))
    refused = CliRunner().invoke(keys_cli.app, ["merge", str(path)])
    assert refused.exit_code != 0
    assert "does not decrypt the values stored under k1" in str(refused.exception)
    assert load_keyring_file(keyring_file).key_ids == ["k2"]
