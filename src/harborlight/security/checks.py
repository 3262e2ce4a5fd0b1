"""Start-up checks: the keyring loads, and it is the keyring that encrypted this database.

:func:`verify_keyring` is what ``harborlight serve`` and ``harborlight demo`` call before
serving, and what the ``database``-tagged system check runs. It fails, with
:class:`KeyringError` naming the key id, when

1. a key canary (:class:`~harborlight.security.models.KeyCanary`) names a key id the
   keyring lacks, or the keyring's key of that id does not decrypt its canary;
2. an encrypted column holds a value under a key id the keyring lacks, or a value that
   is not Harborlight ciphertext at all (plaintext written behind Harborlight's back);
3. a key id with data but no canary yet does not decrypt a sample of that data.

With ``record=True`` it then writes the missing canaries (for the primary key and for
every key id that has data), so the next start compares against them.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable, Iterator
from typing import Any

from django.core import checks
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, models, transaction

from harborlight.security.crypto import (NONCE_BYTES, VERSION, DecryptionFailed, Keyring,
                                         KeyringError, get_keyring, key_id_of,
                                         keyring_file_path)
from harborlight.security.fields import encrypted_fields
from harborlight.security.models import KeyCanary

CANARY_PLAINTEXT = b"harborlight key canary v1"


def canary_aad(kid: str) -> bytes:
    return f"security.keycanary.token:{kid}".encode()


def make_canary_token(keyring: Keyring, kid: str) -> str:
    """Encrypt the canary under key ``kid``, which need not be the primary.

    The one place that encrypts with a chosen key: a canary proves one key, whichever is
    primary. The nonce is random, as for every other value.
    """
    return keyring._encrypt_with_nonce(CANARY_PLAINTEXT, canary_aad(kid),
                                       os.urandom(NONCE_BYTES), kid=kid)


def _mismatch(kid: str) -> KeyringError:
    return KeyringError(
        f"key {kid} in the keyring does not match the key that encrypted this database; "
        "start with the keyring file that belongs to this database (restore it from backup)")


def _missing(kid: str) -> KeyringError:
    return KeyringError(
        f"the keyring does not hold key {kid} that encrypted data in this database; "
        "add it back from a backup of the keyring that holds it with `harborlight keys "
        "merge BACKUP_FILE`")


def encrypted_columns(using: str = DEFAULT_DB_ALIAS
                      ) -> Iterator[tuple[type[models.Model], models.Field]]:
    """(model, field) for every encrypted value column whose table exists in ``using``."""
    tables = set(connections[using].introspection.table_names())
    for model, field in encrypted_fields(include_files=False):
        if model._meta.db_table in tables:
            yield model, field


def _column_sql(model: type[models.Model], field: models.Field, using: str) -> tuple[str, str]:
    quote = connections[using].ops.quote_name
    return quote(model._meta.db_table), quote(field.column)


def count_by_key_id(keyring_ids: Iterable[str], using: str = DEFAULT_DB_ALIAS
                    ) -> dict[str, int]:
    """Count stored encrypted values per key id, over every encrypted column.

    Raises KeyringError if any column holds a value under a key id outside
    ``keyring_ids``, or a value that is not a token at all.
    """
    kids = list(keyring_ids)
    counts = dict.fromkeys(kids, 0)
    with connections[using].cursor() as cursor:
        for model, field in encrypted_columns(using):
            table, column = _column_sql(model, field, using)
            label = f"{model._meta.label_lower}.{field.name}"
            # Key ids are [a-z0-9], so they need no LIKE escaping.
            known = " AND ".join(f"{column} NOT LIKE %s" for _ in kids)
            cursor.execute(
                f"SELECT {column} FROM {table} WHERE {column} IS NOT NULL AND {column} <> ''"
                f" AND {known}" + " LIMIT 1",  # noqa: S608 - names are quoted identifiers
                [f"{VERSION}:{kid}:%" for kid in kids])
            stray = cursor.fetchone()
            if stray is not None:
                try:
                    raise _missing(key_id_of(stray[0]))
                except DecryptionFailed:
                    raise KeyringError(
                        f"{label} holds a value that is not Harborlight ciphertext; it was "
                        "written without encryption or is damaged. Restore the database "
                        "from backup") from None
            for kid in kids:
                cursor.execute(f"SELECT COUNT(*) FROM {table} WHERE {column} LIKE %s",
                               [f"{VERSION}:{kid}:%"])
                counts[kid] += cursor.fetchone()[0]
    return counts


def sample_decrypts(keyring: Keyring, kid: str, using: str) -> bool | None:
    """Decrypt one stored value under ``kid``: True/False, or None if there is none."""
    with connections[using].cursor() as cursor:
        for model, field in encrypted_columns(using):
            table, column = _column_sql(model, field, using)
            cursor.execute(f"SELECT {column} FROM {table} WHERE {column} LIKE %s LIMIT 1",
                           [f"{VERSION}:{kid}:%"])
            row = cursor.fetchone()
            if row is not None:
                try:
                    keyring.decrypt(row[0], field.aad)
                except DecryptionFailed:
                    return False
                return True
    return None


def _canary_table_exists(using: str) -> bool:
    return KeyCanary._meta.db_table in connections[using].introspection.table_names()


def verify_keyring(using: str = DEFAULT_DB_ALIAS, keyring: Keyring | None = None,
                   record: bool = True) -> dict[str, int]:
    """Check the keyring against database ``using``; return stored values per key id.

    Raises KeyringError naming the first key id that is missing or does not match. With
    ``record``, writes missing canaries afterwards. Tables that do not exist yet (before
    ``migrate``) are skipped.
    """
    keyring = keyring or get_keyring()
    has_canaries = _canary_table_exists(using)
    canaries = list(KeyCanary.objects.using(using)) if has_canaries else []
    for canary in canaries:
        if canary.key_id not in keyring.key_ids:
            raise _missing(canary.key_id)
        try:
            matches = keyring.decrypt(canary.token, canary_aad(canary.key_id)) \
                == CANARY_PLAINTEXT
        except DecryptionFailed:
            matches = False
        if not matches:
            raise _mismatch(canary.key_id)
    counts = count_by_key_id(keyring.key_ids, using)
    with_canary = {c.key_id for c in canaries}
    for kid, count in counts.items():
        if count and kid not in with_canary and sample_decrypts(keyring, kid, using) is False:
            raise _mismatch(kid)
    if record and has_canaries:
        wanted = {kid for kid, count in counts.items() if count} | {keyring.primary_key_id}
        record_canaries(keyring, wanted - with_canary, using)
    return counts


def record_canaries(keyring: Keyring, kids: Iterable[str],
                    using: str = DEFAULT_DB_ALIAS) -> None:
    """Write a canary for each of ``kids`` that has none (safe to call concurrently)."""
    for kid in sorted(kids):
        with transaction.atomic(using=using):
            KeyCanary.objects.using(using).get_or_create(
                key_id=kid, defaults={"token": make_canary_token(keyring, kid)})


def keyring_problem() -> str | None:
    """One line describing why the keyring cannot be used, or None if it loads."""
    try:
        get_keyring()
    except KeyringError as problem:
        return str(problem)
    return None


# -- system checks --------------------------------------------------------------------

@checks.register(checks.Tags.security)
def check_keyring_loads(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """The keyring must load; a keyring file others can read gets a warning."""
    problem = keyring_problem()
    if problem is not None:
        return [checks.Error(problem, id="harborlight.E101",
                             hint="Harborlight never runs without its encryption keys.")]
    messages: list[checks.CheckMessage] = []
    path = keyring_file_path()
    if path is not None and os.name == "posix":
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode & 0o077:
            messages.append(checks.Warning(
                f"keyring file {path} has mode {mode:o}: other users can read it",
                hint=f"chmod 600 {path}", id="harborlight.W101"))
    return messages


@checks.register(checks.Tags.database)
def check_keyring_matches_database(app_configs: Any = None, databases: Any = None,
                                   **kwargs: Any) -> list[checks.CheckMessage]:
    """Every database in ``databases`` must have been encrypted with this keyring."""
    if not databases or keyring_problem() is not None:
        return []  # no database asked for, or check_keyring_loads reports the problem
    messages: list[checks.CheckMessage] = []
    for alias in databases:
        try:
            verify_keyring(using=alias, record=False)
        except KeyringError as problem:
            messages.append(checks.Error(f"database {alias!r}: {problem}",
                                         id="harborlight.E102"))
        except DatabaseError as problem:
            # Typically a column that a pending migration adds; the migration check says so.
            first_line = (str(problem).strip().splitlines() or [""])[0]
            messages.append(checks.Warning(
                f"database {alias!r}: could not compare the keyring with the stored data "
                f"({first_line})", hint="apply pending migrations, then check again",
                id="harborlight.W102"))
    return messages


def record_canaries_after_migrate(sender: Any, using: str = DEFAULT_DB_ALIAS,
                                  **kwargs: Any) -> None:
    """post_migrate: write the primary key's canary as soon as the table exists."""
    if _canary_table_exists(using):
        verify_keyring(using=using, record=True)
