"""Key rotation: a new primary key, every stored value re-encrypted, old keys retired,
while the server keeps serving.

:func:`rotate_keys` runs these steps, ordered so that a crash at any point leaves a
database whose every value decrypts with the keyring file on disk:

1. Check the keyring file against the database (:func:`verify_keyring`), then read every
   stored value once: a value that does not decrypt stops rotation before anything is
   written, naming its column and row.
2. Add a new key, make it primary, and write the keyring file atomically, *before*
   anything is re-encrypted. The file now holds the old keys and the new one. A running
   server sees the change at the next value it touches (:func:`~.crypto.get_keyring`
   follows the file): from then on it encrypts under the new key and reads both.
3. Write the new key's canary, and check it is ours (a key id is never reused).
4. Re-encrypt every row holding a value under another key, a batch per short transaction,
   so the server's own writes are never kept waiting for long. Each row is rewritten only
   if it still holds the tokens just read (compare and set), so a value the server
   changed meanwhile is never overwritten with an older one. Passes repeat until one
   finds nothing left (a value a request encrypted just before step 2 and stored after a
   pass went by). Then one ``keys_rotate`` audit entry.
5. Re-encrypt attachments one file at a time, each replaced atomically.
6. Only with ``retire_old`` (or ``harborlight keys retire``): wait until the new primary
   key has been in the file a few seconds (requests that began before it
   have finished), sweep once more, and count every stored value and attachment under
   each old key: if any remain, refuse and change nothing. Otherwise delete the old
   canaries, write the keyring file without the old keys, and count once more: a value
   stored under an old key in that instant is re-encrypted at once with the keys still
   in this process's memory. Keep a copy of the previous keyring file while database
   backups made with it exist; ``harborlight keys merge`` puts its keys back.
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, models, transaction

from harborlight.security.audit.log import record
from harborlight.security.checks import (count_by_key_id, encrypted_columns, record_canaries,
                                         sample_decrypts, verify_keyring)
from harborlight.security.crypto import (VERSION, DecryptionFailed, Keyring, KeyringError,
                                         blob_key_id_of, keyring_file_path, load_keyring_file,
                                         next_key_id, set_keyring, write_keyring)
from harborlight.security.fields import (EncryptedFileField, EncryptedFileSystemStorage,
                                         column_label, encrypted_fields, encrypted_storage)
from harborlight.security.models import KeyCanary

Advance = Callable[[int], None]
MAX_PASSES = 20


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
    columns = _columns_by_model(using)
    for model, fields in columns:
        _check_table(model, fields, current, using, batch_size)

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
    rows, values = _sweep(columns, keyring, using, batch_size, advance)
    result.rows_rewritten, result.values_reencrypted = rows, values
    with transaction.atomic(using=using):
        record("keys_rotate", details={"new_key_id": keyring.primary_key_id,
                                       "rows": result.rows_rewritten,
                                       "values": result.values_reencrypted})
    result.files_reencrypted = _reencrypt_files(keyring, advance)
    if retire_old:
        result.retired = _retire_locked(path, using, batch_size)
    return result


def retire_unused_keys(using: str = DEFAULT_DB_ALIAS) -> list[str]:
    """Drop every non-primary key that nothing references; return the dropped key ids.

    Raises KeyringError, changing nothing, if any stored value or attachment still uses
    one of them.
    """
    path = _writable_keyring_path()
    with _rotation_lock(path):
        return _retire_locked(path, using, batch_size=500, sweep=False)


def _retire_locked(path: Path, using: str, batch_size: int, sweep: bool = True) -> list[str]:
    keyring = load_keyring_file(path)
    old = [kid for kid in keyring.key_ids if kid != keyring.primary_key_id]
    if not old:
        return []
    _settle(path)
    if sweep:
        _sweep(_columns_by_model(using), keyring, using, batch_size, _no_advance)
    _refuse_if_used(keyring, old, using)
    # Canaries go first: a keyring that still holds a key without a canary is fine, a
    # canary whose key is gone would stop start-up.
    with transaction.atomic(using=using):
        KeyCanary.objects.using(using).filter(key_id__in=old).delete()
        record("keys_rotate", details={"retired_key_ids": old})
    smaller = keyring.without_keys(old)
    write_keyring(path, smaller, overwrite=True)
    # A request may have stored a value under an old key in this very instant: this
    # process still holds the old keys, so it re-encrypts any such value now.
    _sweep(_columns_by_model(using), keyring, using, batch_size, _no_advance)
    set_keyring(smaller)
    return old


def merge_keyring(other_path: str | os.PathLike[str], using: str = DEFAULT_DB_ALIAS
                  ) -> list[str]:
    """Add the keys of another keyring file (a backup) that the keyring file lacks.

    The recovery for values stored under a key that was retired (or a keyring restored
    from an older backup): the primary key stays, the other file's missing keys are added,
    the result is checked against the database before it is written, and the act is
    audited. Returns the added key ids (none: nothing changes).
    """
    path = _writable_keyring_path()
    other = load_keyring_file(other_path)
    with _rotation_lock(path):
        merged, added = load_keyring_file(path).merged_with(other)
        if not added:
            return []
        for kid in added:
            if sample_decrypts(merged, kid, using) is False:
                raise KeyringError(f"key {kid} of {other_path} does not decrypt the values "
                                   f"stored under {kid} in this database; nothing merged")
        write_keyring(path, merged, overwrite=True)
        set_keyring(merged)
        with transaction.atomic(using=using):
            record("keys_rotate", details={"merged_key_ids": added})
    # Names any key the database still needs and neither file held; writes the canaries
    # of the added keys that encrypt data here.
    verify_keyring(using=using, keyring=merged, record=True)
    return added


def _settle(path: Path) -> None:
    """Wait until the primary key has been in the keyring file for a few seconds
    (``settings.KEY_ROTATION_SETTLE_SECONDS``).

    A request that encrypted a value just before the file changed may store it a moment
    later; by then it has, and the sweep that follows re-encrypts it.
    """
    settle = float(getattr(settings, "KEY_ROTATION_SETTLE_SECONDS", 3.0))
    try:
        age = time.time() - path.stat().st_mtime
    except OSError:
        age = 0.0
    if age < settle:
        time.sleep(settle - age)


def _refuse_if_used(keyring: Keyring, old: list[str], using: str) -> None:
    counts = count_by_key_id(keyring.key_ids, using)
    for kid, files in count_files_by_key_id().items():
        counts[kid] = counts.get(kid, 0) + files
    for kid in old:
        if counts.get(kid):
            raise KeyringError(
                f"key {kid} still encrypts {counts[kid]} stored value(s); not retiring it. "
                "Run `harborlight keys rotate` again, which re-encrypts them")


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


def _check_table(model: type[models.Model], fields: list[models.Field], keyring: Keyring,
                 using: str, batch_size: int) -> None:
    """Decrypt every stored value of one table; KeyringError naming the first that fails."""
    for batch in _batches(model, fields, using, batch_size, stale_for=None):
        for row in batch:
            for model_field, token in zip(fields, row[1:]):
                if token:
                    _rotated(keyring, model, model_field, row[0], token, check_only=True)


def _sweep(columns: list[tuple[type[models.Model], list[models.Field]]], keyring: Keyring,
           using: str, batch_size: int, advance: Advance) -> tuple[int, int]:
    """Re-encrypt every row holding a value under another key, until none is left.

    Returns (rows rewritten, values re-encrypted). Stops with KeyringError if a pass finds
    rows it cannot rewrite MAX_PASSES times in a row (they change faster than we write).
    """
    rows = values = 0
    for _pass in range(MAX_PASSES):
        found = 0
        for model, fields in columns:
            pass_rows, pass_values, pass_found = _reencrypt_table(
                model, fields, keyring, using, batch_size, advance)
            rows, values, found = rows + pass_rows, values + pass_values, found + pass_found
            advance = _no_advance  # the progress bar counts the first pass only
        if not found:
            return rows, values
    raise KeyringError(f"values kept arriving under old keys after {MAX_PASSES} passes; "
                       "is a server running with a keyring of its own? Run rotate again")


def _no_advance(_n: int) -> None:
    return None


def _reencrypt_table(model: type[models.Model], fields: list[models.Field], keyring: Keyring,
                     using: str, batch_size: int, advance: Advance) -> tuple[int, int, int]:
    """One pass over one table: (rows rewritten, values re-encrypted, rows found stale)."""
    connection = connections[using]
    quote = connection.ops.quote_name
    table, pk = quote(model._meta.db_table), quote(model._meta.pk.column)
    assignments = ", ".join(f"{quote(f.column)} = %s" for f in fields)
    unchanged = " AND ".join(f"{quote(f.column)} IS NOT DISTINCT FROM %s" for f in fields)
    rows_rewritten = values = found = 0
    for batch in _batches(model, fields, using, batch_size,
                          stale_for=keyring.primary_key_id):
        found += len(batch)
        rewritten, changed = _reencrypt_batch(model, fields, keyring, batch)
        with transaction.atomic(using=using), connection.cursor() as cursor:
            for new_tokens, old_tokens, row_pk in rewritten:
                # Compare and set: a row the server changed since we read it keeps the
                # server's value (the next pass looks at it again).
                cursor.execute(f"UPDATE {table} SET {assignments} WHERE {pk} = %s "
                               f"AND {unchanged}", [*new_tokens, row_pk, *old_tokens])
                rows_rewritten += cursor.rowcount
        values += changed
        advance(len(batch))
    return rows_rewritten, values, found


def _batches(model: type[models.Model], fields: list[models.Field], using: str,
             batch_size: int, stale_for: str | None) -> Iterator[list[tuple]]:
    """Rows (pk, *tokens) in primary-key order, ``batch_size`` at a time; with
    ``stale_for``, only rows holding a value under a key other than that one."""
    connection = connections[using]
    quote = connection.ops.quote_name
    table, pk = quote(model._meta.db_table), quote(model._meta.pk.column)
    columns = [quote(f.column) for f in fields]
    stale, stale_params = "", []
    if stale_for is not None:
        stale = " AND (" + " OR ".join(f"({c} <> '' AND {c} NOT LIKE %s)"
                                       for c in columns) + ")"
        stale_params = [f"{VERSION}:{stale_for}:%"] * len(columns)
    last = None
    while True:
        after = f"{pk} > %s" if last is not None else "1 = 1"
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {pk}, {', '.join(columns)} FROM {table} "  # noqa: S608
                           f"WHERE {after}{stale} ORDER BY {pk} LIMIT %s",
                           ([last] if last is not None else []) + stale_params + [batch_size])
            batch = cursor.fetchall()
        if not batch:
            return
        yield batch
        last = batch[-1][0]


def _reencrypt_batch(model: type[models.Model], fields: list[models.Field], keyring: Keyring,
                     batch: list[tuple]) -> tuple[list[tuple[list, list, Any]], int]:
    """(new tokens, old tokens, pk) for the rows that change, and how many values do."""
    rewritten: list[tuple[list, list, Any]] = []
    changed = 0
    for row in batch:
        pk, tokens = row[0], list(row[1:])
        new_tokens = [token if not token else
                      _rotated(keyring, model, model_field, pk, token)
                      for model_field, token in zip(fields, tokens)]
        changed += sum(1 for new, old in zip(new_tokens, tokens) if new != old)
        if new_tokens != tokens:
            rewritten.append((new_tokens, tokens, pk))
    return rewritten, changed


def _rotated(keyring: Keyring, model: type[models.Model], model_field: models.Field, pk: Any,
             token: str, check_only: bool = False) -> str:
    try:
        if check_only:
            keyring.decrypt(token, model_field.aad)
            return token
        return keyring.rotate(token, model_field.aad)
    except DecryptionFailed:
        raise KeyringError(
            f"{column_label(model, model_field.name)} of row {pk} does not decrypt with any "
            "key in the keyring (damaged or tampered); rotation stopped before changing "
            "anything") from None


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
