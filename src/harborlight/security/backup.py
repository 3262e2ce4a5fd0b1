"""Backups: a consistent online snapshot of the database and the keyring, encrypted.

``harborlight backup create`` and ``harborlight backup restore``. A copy of the SQLite file
taken while the server writes misses what sits in the write-ahead log (the outside probe
lost 5 tips and 7 audit entries that way), and a copy without the keyring cannot be read.

The file (``*.hlbackup``)::

    HARBORLIGHT-BACKUP 1\\n
    {"kdf": {"name": "scrypt", "n": 32768, "r": 8, "p": 1, "salt": "<b64>"},
     "nonce_prefix": "<b64, 8 bytes>", "chunk_bytes": 1048576}\\n
    then chunks: 1 byte (1 = last chunk), 4 bytes length, AES-256-GCM ciphertext

The key comes from the passphrase (scrypt). Chunk ``i`` uses nonce ``prefix || i`` and
authenticates the header, ``i`` and the last-chunk flag, so a wrong passphrase, an edited
byte, chunks moved, or a file cut short all fail. Inside is a tar stream of:

- ``manifest.json``: when, which database, the row count of every table, the audit
  chain's head and length, and SHA-256 digests of the two files below, all read from the
  snapshot itself (so they describe exactly what is in the backup);
- ``database.sqlite3`` (SQLite's online backup API) or ``database.dump`` (``pg_dump
  --format=custom`` inside the REPEATABLE READ snapshot the counts were read in);
- ``keys.json``: the keyring (the passphrase is all that protects it: choose a long one).

Restoring (:func:`restore`): decrypt, check both digests against the manifest, load the
database (SQLite: into a scratch file first; PostgreSQL: ``pg_restore`` into an empty
database), then refuse unless every table count and the audit head match the manifest,
the audit chain verifies (signed checkpoints included) and a sample value under every key
decrypts with the backup's keyring. Only then is a SQLite file moved into place.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import shutil
import sqlite3
import struct
import subprocess
import tarfile
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, BinaryIO, Iterator

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.db import DEFAULT_DB_ALIAS, connections, transaction

from harborlight.security.audit.anchors import check_checkpoint, read_anchor, write_anchor
from harborlight.security.audit.chain import Anchor, AuditChainBroken
from harborlight.security.audit.models import AuditChainHead
from harborlight.security.audit.store import verify as verify_chain
from harborlight.security.checks import count_by_key_id, sample_decrypts, verify_keyring
from harborlight.security.crypto import (Keyring, KeyringError, get_keyring,
                                         keyring_file_path, load_configured_keyring,
                                         parse_keyring, use_keyring, write_keyring)

MAGIC = b"HARBORLIGHT-BACKUP 1\n"
MANIFEST_FORMAT = "harborlight-backup-manifest"
CHUNK_BYTES = 1 << 20
MIN_PASSPHRASE = 12
SCRATCH_ALIAS = "harborlight_backup_scratch"
SCRYPT = {"name": "scrypt", "n": 1 << 15, "r": 8, "p": 1}
_MEMBERS = {"manifest.json", "keys.json", "database.sqlite3", "database.dump"}


class BackupError(Exception):
    """Any refused backup or restore; the message says what and what to do."""


@dataclass(frozen=True)
class Restored:
    manifest: dict[str, Any]
    sample_key_ids: list[str]   # key ids a stored value was decrypted under
    previous_anchor: "Anchor | None" = None  # what the anchor file said before restoring

    @property
    def entries_lost(self) -> int:
        """Audit entries the anchor file knew of that the backup does not hold."""
        seq = int((self.manifest["audit_head"] or "0:").split(":")[0])
        return max(0, self.previous_anchor.seq - seq) if self.previous_anchor else 0


# -- create ----------------------------------------------------------------------------

def create(out: Path, passphrase: str, using: str = DEFAULT_DB_ALIAS,
           now: datetime | None = None) -> dict[str, Any]:
    """Write an encrypted backup of database ``using`` and the keyring to ``out``.

    Steps: check the passphrase and that ``out`` is new; take the snapshot into a private
    scratch folder (SQLite backup API, or pg_dump in an exported snapshot) with the counts
    and audit head read from that same snapshot; write the tar stream through the
    encrypting writer into a temporary file (0600) beside ``out``; move it into place.
    Returns the manifest.
    """
    check_passphrase(passphrase)
    if out.exists():
        raise BackupError(f"{out.name} already exists; choose a new file name")
    if not out.parent.is_dir():
        raise BackupError(f"the folder for {out.name} does not exist")
    keyring = get_keyring()
    keys_bytes = (json.dumps(keyring.to_dict(now=now), indent=2, sort_keys=True) + "\n").encode()
    with _scratch_folder() as scratch:
        database, facts = _snapshot(using, scratch)
        manifest = {
            "format": MANIFEST_FORMAT, "version": 1,
            "created_at": (now or datetime.now(timezone.utc)).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "database": {"vendor": connections[using].vendor, "file": database.name,
                         "sha256": _sha256_file(database)},
            "keyring_sha256": hashlib.sha256(keys_bytes).hexdigest(),
            **facts,
        }
        fd, temporary = tempfile.mkstemp(prefix=f".{out.name}.", dir=out.parent)
        try:
            os.fchmod(fd, 0o600)
            with os.fdopen(fd, "wb") as raw:
                with _EncryptingWriter(raw, passphrase) as sealed, \
                        tarfile.open(fileobj=sealed, mode="w|") as archive:
                    _add_bytes(archive, "manifest.json",
                               (json.dumps(manifest, indent=1, sort_keys=True) + "\n").encode())
                    _add_bytes(archive, "keys.json", keys_bytes)
                    archive.add(database, arcname=database.name)
                raw.flush()
                os.fsync(raw.fileno())
            os.replace(temporary, out)
        finally:
            if os.path.exists(temporary):
                os.unlink(temporary)
    return manifest


def _snapshot(using: str, scratch: Path) -> tuple[Path, dict[str, Any]]:
    connection = connections[using]
    if connection.vendor == "sqlite":
        target = scratch / "database.sqlite3"
        connection.ensure_connection()
        with sqlite3.connect(target) as copy:
            connection.connection.backup(copy)  # one consistent read of the source
        copy.close()
        with _scratch_alias(using, target) as alias:
            return target, _facts(alias)
    if connection.vendor == "postgresql":
        target = scratch / "database.dump"
        if connection.in_atomic_block:
            raise BackupError("a PostgreSQL backup needs its own transaction")
        with transaction.atomic(using=using), connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            facts = _facts(using)
            _pg_tool(["pg_dump", "--format=custom", "--no-owner", f"--snapshot={snapshot}",
                      f"--file={target}"], connection.settings_dict)
        return target, facts
    raise BackupError(f"backups of {connection.vendor} databases are not supported")


def _facts(using: str) -> dict[str, Any]:
    """Row counts of every table and the audit head, as database ``using`` sees them."""
    connection = connections[using]
    counts = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            if table.startswith("sqlite_"):
                continue
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")
            counts[table] = cursor.fetchone()[0]
    head = AuditChainHead.objects.using(using).first()
    return {"tables": counts,
            "audit_head": f"{head.last_seq}:{head.last_hash}" if head and head.last_seq else ""}


# -- restore ---------------------------------------------------------------------------

def restore(path: Path, passphrase: str, using: str = DEFAULT_DB_ALIAS,
            replace: bool = False) -> Restored:
    """Restore ``path`` into database ``using`` after proving it whole; see the module doc.

    SQLite: everything is checked on a scratch copy beside the target, which then
    replaces the target's contents through the backup API (``replace`` must be given if
    the target holds tables). PostgreSQL: the target must be empty unless ``replace``
    (then ``pg_restore --clean``); the checks run after loading and a failure says so.
    """
    connection = connections[using]
    with _scratch_folder() as scratch:
        manifest, keys_bytes, database = _unpack(path, passphrase, scratch)
        keyring = parse_keyring(keys_bytes.decode("utf-8"), source="the backup's keyring")
        install_keyring = _keyring_plan(keyring, replace)
        vendor = manifest["database"]["vendor"]
        if vendor != connection.vendor:
            raise BackupError(f"this backup holds a {vendor} database; the configured "
                              f"database is {connection.vendor}")
        has_tables = bool(_user_tables(using))
        if has_tables and not replace:
            raise BackupError("the configured database already holds tables; restore into "
                              "an empty database, or add --replace to overwrite it")
        if vendor == "sqlite":
            target = Path(connection.settings_dict["NAME"])
            checked = Path(tempfile.mkdtemp(prefix=".restore-", dir=target.parent))
            try:
                copy = checked / "database.sqlite3"
                shutil.copyfile(database, copy)
                with _scratch_alias(using, copy) as alias:
                    samples = _prove(alias, manifest, keyring)
                connection.close()
                with sqlite3.connect(copy) as source, sqlite3.connect(target) as into:
                    source.backup(into)
            finally:
                shutil.rmtree(checked, ignore_errors=True)
        else:
            command = ["pg_restore", "--no-owner", "--single-transaction", "--exit-on-error"]
            if replace and has_tables:
                command += ["--clean", "--if-exists"]
            connection.close()
            _pg_tool(command + [str(database)], connection.settings_dict, dbname_flag=True)
            try:
                samples = _prove(using, manifest, keyring)
            except BackupError as problem:
                raise BackupError(f"{problem}. The database was loaded all the same: empty "
                                  "it before restoring another backup") from None
    install_keyring()
    previous = _previous_anchor()
    with use_keyring(keyring):
        head = AuditChainHead.objects.using(using).first()
        if head is not None and head.last_seq:
            write_anchor(Anchor(head.last_seq, head.last_hash))
    return Restored(manifest, samples, previous)


def _keyring_plan(keyring: Keyring, replace: bool):
    """Decide, before anything changes, how the backup's keyring joins the configured
    one; return the step that does it (run after the database is restored)."""
    path = keyring_file_path()
    try:
        current = load_configured_keyring()
    except KeyringError:
        current = None
    merged = keyring
    if current is not None:
        try:
            merged, added = current.merged_with(keyring)
        except KeyringError as problem:
            if not replace:
                raise BackupError(f"the configured keyring is not this backup's ({problem}); "
                                  "add --replace to put the backup's keyring in its place "
                                  "(the current one is kept beside it)") from None
            merged, added = keyring, keyring.key_ids
        if not added:
            return lambda: None  # the configured keyring already holds every key
    if path is None:
        raise BackupError("the keyring comes from HARBORLIGHT_KEYS and lacks keys of this "
                          "backup; set it to the backup's keyring first")

    def install() -> None:
        if path.exists():
            kept = path.with_name(f"{path.name}.before-restore")
            shutil.copy2(path, kept)
            os.chmod(kept, 0o600)
        write_keyring(path, merged, overwrite=True)

    return install


def _previous_anchor() -> Anchor | None:
    try:
        return read_anchor()
    except AuditChainBroken:
        return None


def _prove(alias: str, manifest: dict[str, Any], keyring: Keyring) -> list[str]:
    """Refuse unless the database ``alias`` is what the manifest describes, its audit
    chain verifies and its values decrypt; return the key ids a sample decrypted under."""
    facts = _facts(alias)
    if facts["tables"] != manifest["tables"]:
        differ = sorted(set(facts["tables"]) ^ set(manifest["tables"]) | {
            t for t in set(facts["tables"]) & set(manifest["tables"])
            if facts["tables"][t] != manifest["tables"][t]})
        raise BackupError("the restored database does not match the backup's manifest "
                          f"(table counts differ: {', '.join(differ[:5])})")
    if facts["audit_head"] != manifest["audit_head"]:
        raise BackupError("the restored audit head does not match the backup's manifest")
    with use_keyring(keyring):
        try:
            verify_chain(alias, check=check_checkpoint)
        except AuditChainBroken as broken:
            where = f"entry {broken.seq}" if broken.seq is not None else "the chain head"
            raise BackupError(f"the backup's audit chain is broken at {where}: "
                              f"{broken.message}") from None
    try:
        verify_keyring(using=alias, keyring=keyring, record=False)
    except KeyringError as problem:
        raise BackupError(f"the backup's keyring does not read its database: {problem}") \
            from None
    samples = []
    for kid, count in count_by_key_id(keyring.key_ids, alias).items():
        if count:
            if sample_decrypts(keyring, kid, alias) is not True:
                raise BackupError(f"a value under key {kid} does not decrypt with the "
                                  "backup's keyring")
            samples.append(kid)
    return samples


def _unpack(path: Path, passphrase: str, scratch: Path) -> tuple[dict, bytes, Path]:
    """Decrypt and read the archive; check the two digests against the manifest."""
    manifest: dict[str, Any] | None = None
    keys_bytes = b""
    database: Path | None = None
    try:
        with path.open("rb") as raw, _DecryptingReader(raw, passphrase) as opened, \
                tarfile.open(fileobj=opened, mode="r|") as archive:
            for member in archive:
                if member.name not in _MEMBERS or not member.isfile():
                    raise BackupError(f"{path.name} holds an unexpected entry; not a "
                                      "Harborlight backup")
                stream = archive.extractfile(member)
                if member.name == "manifest.json":
                    manifest = json.loads(stream.read().decode("utf-8"))
                elif member.name == "keys.json":
                    keys_bytes = stream.read()
                else:
                    database = scratch / member.name
                    with database.open("wb") as handle:
                        shutil.copyfileobj(stream, handle)
    except (tarfile.TarError, ValueError, UnicodeDecodeError) as problem:
        raise BackupError(f"{path.name} is not a readable Harborlight backup ({problem})") \
            from None
    if not isinstance(manifest, dict) or manifest.get("format") != MANIFEST_FORMAT \
            or database is None or not keys_bytes:
        raise BackupError(f"{path.name} lacks its manifest, keyring or database")
    if hashlib.sha256(keys_bytes).hexdigest() != manifest.get("keyring_sha256"):
        raise BackupError("the keyring in the backup does not match its manifest")
    if database.name != manifest["database"].get("file") \
            or _sha256_file(database) != manifest["database"].get("sha256"):
        raise BackupError("the database in the backup does not match its manifest")
    return manifest, keys_bytes, database


# -- the encrypted file ----------------------------------------------------------------

def check_passphrase(passphrase: str) -> None:
    if len(passphrase) < MIN_PASSPHRASE:
        raise BackupError(f"the passphrase must be at least {MIN_PASSPHRASE} characters")


def _derive(passphrase: str, kdf: dict[str, Any]) -> bytes:
    if kdf.get("name") != "scrypt" or not all(isinstance(kdf.get(k), int)
                                              for k in ("n", "r", "p")) \
            or kdf["n"] > 1 << 20 or kdf["r"] > 32 or kdf["p"] > 16:
        raise BackupError("the backup names a key derivation this Harborlight does not use")
    return hashlib.scrypt(passphrase.encode("utf-8"), salt=base64.b64decode(kdf["salt"]),
                          n=kdf["n"], r=kdf["r"], p=kdf["p"], dklen=32,
                          maxmem=256 * kdf["n"] * kdf["r"] * kdf["p"] + (1 << 20))


def _aad(header: bytes, index: int, last: bool) -> bytes:
    return header + struct.pack(">Q?", index, last)


class _EncryptingWriter(io.RawIOBase):
    """A write-only stream that seals what it is given in chunks (see the module doc)."""

    def __init__(self, raw: BinaryIO, passphrase: str) -> None:
        kdf = {**SCRYPT, "salt": base64.b64encode(os.urandom(16)).decode()}
        self._prefix = os.urandom(8)
        self._header = MAGIC + (json.dumps({
            "kdf": kdf, "nonce_prefix": base64.b64encode(self._prefix).decode(),
            "chunk_bytes": CHUNK_BYTES}, sort_keys=True) + "\n").encode()
        self._aead = AESGCM(_derive(passphrase, kdf))
        self._raw, self._buffer, self._index = raw, bytearray(), 0
        raw.write(self._header)

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self._buffer += data
        while len(self._buffer) > CHUNK_BYTES:
            self._seal(bytes(self._buffer[:CHUNK_BYTES]), last=False)
            del self._buffer[:CHUNK_BYTES]
        return len(data)

    def close(self) -> None:
        if not self.closed:
            self._seal(bytes(self._buffer), last=True)
        super().close()

    def _seal(self, chunk: bytes, last: bool) -> None:
        nonce = self._prefix + struct.pack(">I", self._index)
        sealed = self._aead.encrypt(nonce, chunk, _aad(self._header, self._index, last))
        self._raw.write(struct.pack(">?I", last, len(sealed)) + sealed)
        self._index += 1


class _DecryptingReader(io.RawIOBase):
    """A read-only stream of the plaintext; raises BackupError at the first bad chunk."""

    def __init__(self, raw: BinaryIO, passphrase: str) -> None:
        if raw.read(len(MAGIC)) != MAGIC:
            raise BackupError("this file is not a Harborlight backup")
        line = raw.readline(4096)
        try:
            header = json.loads(line)
            self._prefix = base64.b64decode(header["nonce_prefix"])
            self._aead = AESGCM(_derive(passphrase, header["kdf"]))
        except (ValueError, KeyError, TypeError):
            raise BackupError("this backup's header is damaged") from None
        self._header = MAGIC + line
        self._raw, self._buffer, self._index, self._done = raw, b"", 0, False

    def readable(self) -> bool:
        return True

    def readinto(self, target) -> int:
        while not self._buffer and not self._done:
            self._buffer = self._open_next()
        count = min(len(target), len(self._buffer))
        target[:count] = self._buffer[:count]
        self._buffer = self._buffer[count:]
        return count

    def _open_next(self) -> bytes:
        frame = self._raw.read(5)
        if len(frame) < 5:
            raise BackupError("the backup file is cut short")
        last, length = struct.unpack(">?I", frame)
        sealed = self._raw.read(length)
        nonce = self._prefix + struct.pack(">I", self._index)
        try:
            chunk = self._aead.decrypt(nonce, sealed, _aad(self._header, self._index, last))
        except InvalidTag:
            raise BackupError("wrong passphrase, or the backup file was changed or damaged"
                              ) from None
        self._index += 1
        self._done = last
        return chunk


# -- helpers ---------------------------------------------------------------------------

def _add_bytes(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mode = len(data), 0o600
    archive.addfile(info, io.BytesIO(data))


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@contextmanager
def _scratch_folder() -> Iterator[Path]:
    folder = Path(tempfile.mkdtemp(prefix="harborlight-backup-"))
    os.chmod(folder, 0o700)
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def _scratch_alias(like: str, sqlite_file: Path) -> Iterator[str]:
    """A database alias for a SQLite file, for the ORM's checks; removed afterwards."""
    connections.databases[SCRATCH_ALIAS] = {**connections[like].settings_dict,
                                            "NAME": str(sqlite_file), "TEST": {}}
    try:
        yield SCRATCH_ALIAS
    finally:
        connections[SCRATCH_ALIAS].close()
        del connections[SCRATCH_ALIAS]
        del connections.databases[SCRATCH_ALIAS]


def _user_tables(using: str) -> list[str]:
    return [t for t in connections[using].introspection.table_names()
            if not t.startswith("sqlite_")]


def _pg_tool(command: list[str], settings_dict: dict[str, Any],
             dbname_flag: bool = False) -> None:
    """Run pg_dump / pg_restore against the database of ``settings_dict``; the password
    goes through the environment, never the command line."""
    env = {**os.environ, "PGHOST": str(settings_dict.get("HOST") or ""),
           "PGPORT": str(settings_dict.get("PORT") or ""),
           "PGUSER": str(settings_dict.get("USER") or ""),
           "PGPASSWORD": str(settings_dict.get("PASSWORD") or ""),
           "PGDATABASE": str(settings_dict["NAME"])}
    if dbname_flag:
        command = command[:1] + [f"--dbname={settings_dict['NAME']}"] + command[1:]
    try:
        done = subprocess.run(command, env={k: v for k, v in env.items() if v},
                              capture_output=True, text=True, timeout=3600)
    except FileNotFoundError:
        raise BackupError(f"{command[0]} is not installed (it comes with the PostgreSQL "
                          "client tools, same major version as the server)") from None
    if done.returncode != 0:
        lines = (done.stderr.strip().splitlines() or [f"exit {done.returncode}"])
        raise BackupError(f"{command[0]} failed: {lines[0]}")
