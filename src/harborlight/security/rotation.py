"""Key rotation: a new primary key, every stored value re-encrypted, old keys retired.

:func:`rotate_keys` runs these steps, ordered so that a crash at any point leaves a
database whose every value decrypts with the keyring file on disk:

1. Check the keyring file against the database (:func:`verify_keyring`).
2. Add a new key, make it primary, and write the keyring file atomically, *before*
   anything is re-encrypted. The file now holds the old keys and the new one.
3. Write the new key's canary, and check it is ours (a key id is never reused).
4. In one transaction, re-encrypt every encrypted column in batches (rows ordered by
   primary key) and append a ``keys_rotate`` audit entry. A crash rolls the transaction
   back: values stay under the old keys, which the file still holds.
5. Re-encrypt attachments one file at a time, each replaced atomically. A crash leaves
   some files under the old key and some under the new; the file holds both.
6. Only with ``retire_old``, and only after counting that no value, attachment or
   canary needs them: delete old canaries, then write the keyring file without the
   old keys. Keep a backup of the previous keyring file while database backups made
   with it exist.

Run rotation while the server is stopped: a server still running holds the old keyring
in memory, keeps encrypting with the old primary, and cannot read values under the new
key. Retirement refuses while anything still uses an old key; running ``rotate`` again
re-encrypts those values.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from django.db import DEFAULT_DB_ALIAS, connections, models, transaction

from harborlight.security.audit.log import record
from harborlight.security.checks import (count_by_key_id, encrypted_columns, record_canaries,
                                         verify_keyring)
from harborlight.security.crypto import (DecryptionFailed, Keyring, KeyringError,
                                         blob_key_id_of, keyring_file_path, load_keyring_file,
                                         next_key_id, set_keyring, write_keyring)
from harborlight.security.fields import (EncryptedFileField, EncryptedFileSystemStorage,
                                         column_label, encrypted_fields, encrypted_storage)
from harborlight.security.models import KeyCanary

Advance = Callable[[int], None]


@dataclass
class RotationResult:
    new_key_id: str
    rows_rewritten: int = 0
    values_reencrypted: int = 0
    files_reencrypted: int = 0
    retired: list[str] = field(default_factory=list)


def rotate_keys(*, using: str = DEFAULT_DB_ALIAS, batch_size: int = 500,
                retire_old: bool = False, on_total: Callable[[int], None] | None = None,
                on_advance: Advance | None = None) -> RotationResult:
    """Add a primary key and re-encrypt everything under it (steps in the module doc)."""
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    path = _writable_keyring_path()
    with _rotation_lock(path):
        return _rotate_locked(path, using, batch_size, retire_old, on_total, on_advance)


def _rotate_locked(path: Path, using: str, batch_size: int, retire_old: bool,
                   on_total: Callable[[int], None] | None,
                   on_advance: Advance | None) -> RotationResult:
    current = load_keyring_file(path)
    verify_keyring(using=using, keyring=current, record=True)

    # Never reuse an id that the keyring or a canary in this database holds.
    seen = set(current.key_ids) | set(KeyCanary.objects.using(using)
                                      .values_list("key_id", flat=True))
    keyring = current.with_new_primary(kid=next_key_id(seen))
    write_keyring(path, keyring, overwrite=True)
    set_keyring(keyring)
    record_canaries(keyring, [keyring.primary_key_id], using)
    # A canary that our new key cannot read means another rotation, with another keyring
    # file, added the same key id to this database: stop before encrypting anything.
    verify_keyring(using=using, keyring=keyring, record=False)

    advance = on_advance or (lambda _n: None)
    if on_total is not None:
        on_total(count_rows(using) + sum(1 for _ in _stored_files()))
    result = RotationResult(new_key_id=keyring.primary_key_id)
    with transaction.atomic(using=using):
        for model, fields in _columns_by_model(using):
            rows, values = _reencrypt_table(model, fields, keyring, using, batch_size, advance)
            result.rows_rewritten += rows
            result.values_reencrypted += values
        record("keys_rotate", details={"new_key_id": keyring.primary_key_id,
                                       "rows": result.rows_rewritten,
                                       "values": result.values_reencrypted})
    result.files_reencrypted = _reencrypt_files(keyring, advance)
    if retire_old:
        result.retired = _retire_locked(path, using)
    return result


def retire_unused_keys(using: str = DEFAULT_DB_ALIAS) -> list[str]:
    """Drop every non-primary key that nothing references; return the dropped key ids.

    Raises KeyringError, changing nothing, if any stored value or attachment still uses
    one of them.
    """
    path = _writable_keyring_path()
    with _rotation_lock(path):
        return _retire_locked(path, using)


def _retire_locked(path: Path, using: str) -> list[str]:
    keyring = load_keyring_file(path)
    old = [kid for kid in keyring.key_ids if kid != keyring.primary_key_id]
    if not old:
        return []
    counts = count_by_key_id(keyring.key_ids, using)
    for kid, files in count_files_by_key_id().items():
        counts[kid] = counts.get(kid, 0) + files
    for kid in old:
        if counts.get(kid):
            raise KeyringError(
                f"key {kid} still encrypts {counts[kid]} stored value(s); not retiring it. "
                "Stop the server and run `harborlight keys rotate` again")
    # Canaries go first: a keyring that still holds a key without a canary is fine, a
    # canary whose key is gone would stop start-up.
    with transaction.atomic(using=using):
        KeyCanary.objects.using(using).filter(key_id__in=old).delete()
        record("keys_rotate", details={"retired_key_ids": old})
    smaller = keyring.without_keys(old)
    write_keyring(path, smaller, overwrite=True)
    set_keyring(smaller)
    return old


def count_rows(using: str = DEFAULT_DB_ALIAS) -> int:
    """Rows that rotation visits: every row of every table with an encrypted column."""
    return sum(model._base_manager.using(using).count()
               for model, _fields in _columns_by_model(using))


def count_files_by_key_id() -> dict[str, int]:
    counts: dict[str, int] = {}
    for storage, name in _stored_files():
        kid = blob_key_id_of(storage.read_raw(name)) or "(not encrypted)"
        counts[kid] = counts.get(kid, 0) + 1
    return counts


@contextmanager
def _rotation_lock(keyring_path: Path) -> Iterator[None]:
    """Hold an exclusive lock beside the keyring file, so two rotations cannot interleave.

    Two rotations at once would each add a "k2" with different key material, and the
    second keyring file written would orphan whatever the first encrypted.
    """
    lock_path = keyring_path.with_name(keyring_path.name + ".lock")
    fd = os.open(lock_path, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise KeyringError(f"another key rotation holds {lock_path}; wait for it to "
                               "finish") from None
        yield
    finally:
        os.close(fd)  # closing releases the lock


def _writable_keyring_path() -> Path:
    path = keyring_file_path()
    if path is None:
        raise KeyringError(
            "the keyring comes from HARBORLIGHT_KEYS, which rotation cannot update; put it "
            "in a file (mode 0600) and set HARBORLIGHT_KEYS_FILE instead")
    return path


def _columns_by_model(using: str) -> list[tuple[type[models.Model], list[models.Field]]]:
    grouped: dict[type[models.Model], list[models.Field]] = {}
    for model, model_field in encrypted_columns(using):
        grouped.setdefault(model, []).append(model_field)
    return sorted(grouped.items(), key=lambda item: item[0]._meta.label_lower)


def _reencrypt_table(model: type[models.Model], fields: list[models.Field], keyring: Keyring,
                     using: str, batch_size: int, advance: Advance) -> tuple[int, int]:
    connection = connections[using]
    quote = connection.ops.quote_name
    table, pk = quote(model._meta.db_table), quote(model._meta.pk.column)
    columns = ", ".join(quote(f.column) for f in fields)
    rows_rewritten = values = 0
    last = None
    with connection.cursor() as cursor:
        while True:
            where = f"WHERE {pk} > %s " if last is not None else ""
            cursor.execute(f"SELECT {pk}, {columns} FROM {table} {where}"
                           f"ORDER BY {pk} LIMIT %s",
                           ([last] if last is not None else []) + [batch_size])
            batch = cursor.fetchall()
            if not batch:
                break
            rewritten, changed = _reencrypt_batch(model, fields, keyring, batch)
            if rewritten:
                assignments = ", ".join(f"{quote(f.column)} = %s" for f in fields)
                cursor.executemany(f"UPDATE {table} SET {assignments} WHERE {pk} = %s",
                                   rewritten)
            rows_rewritten += len(rewritten)
            values += changed
            advance(len(batch))
            last = batch[-1][0]
    return rows_rewritten, values


def _reencrypt_batch(model: type[models.Model], fields: list[models.Field], keyring: Keyring,
                     batch: list[tuple]) -> tuple[list[list], int]:
    """Return UPDATE parameters for the rows that changed, and how many values did."""
    rewritten: list[list] = []
    changed = 0
    for row in batch:
        pk, tokens = row[0], list(row[1:])
        new_tokens = []
        for model_field, token in zip(fields, tokens):
            if token is None or token == "":
                new_tokens.append(token)
                continue
            try:
                new_token = keyring.rotate(token, model_field.aad)
            except DecryptionFailed:
                raise KeyringError(
                    f"{column_label(model, model_field.name)} of row {pk} does not decrypt "
                    "with any key in the keyring (damaged or tampered); rotation stopped and "
                    "the database was left unchanged") from None
            changed += new_token != token
            new_tokens.append(new_token)
        if new_tokens != tokens:
            rewritten.append(new_tokens + [pk])
    return rewritten, changed


def _storages() -> list[EncryptedFileSystemStorage]:
    found: dict[str, EncryptedFileSystemStorage] = {encrypted_storage.location: encrypted_storage}
    for _model, model_field in encrypted_fields(include_files=True):
        if isinstance(model_field, EncryptedFileField):
            found.setdefault(model_field.storage.location, model_field.storage)
    return [found[location] for location in sorted(found)]


def _stored_files() -> Iterator[tuple[EncryptedFileSystemStorage, str]]:
    for storage in _storages():
        for name in storage.iter_names():
            yield storage, name


def _reencrypt_files(keyring: Keyring, advance: Advance) -> int:
    done = 0
    for storage, name in _stored_files():
        blob = storage.read_raw(name)
        if blob_key_id_of(blob) != keyring.primary_key_id:
            aad = storage.aad_for(name)
            try:
                plaintext = keyring.decrypt_blob(blob, aad)
            except DecryptionFailed:
                raise KeyringError(
                    f"attachment {name} does not decrypt with any key in the keyring "
                    "(damaged, tampered or never encrypted); rotation stopped there") from None
            storage.replace_raw(name, keyring.encrypt_blob(plaintext, aad))
            done += 1
        advance(1)
    return done
