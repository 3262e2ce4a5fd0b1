"""Field-level encryption: an AES-256-GCM keyring with key ids, and keyed blind indexes.

Stored values are text tokens::

    hl1:<kid>:<base64url(nonce | ciphertext | tag)>

``hl1`` is the format version, ``kid`` names the key that encrypted the value (lowercase
letters and digits), the nonce is 96 random bits and the tag is GCM's 128-bit tag. The
associated data given to AES-GCM is the token header (``hl1:<kid>:``) followed by the
caller's ``aad``, which names the column (``"cases.person.first_name"``), so a ciphertext
cannot be copied into another column, and cannot be relabelled with another key id.
Attachments use the same scheme in binary form: ``hlf1:<kid>:`` then nonce, ciphertext
and tag.

Like ``MultiFernet``, the primary key encrypts and every key in the keyring decrypts;
:meth:`Keyring.rotate` re-encrypts a token under the primary key. Every failure to verify
or decrypt raises :class:`DecryptionFailed`, which never says which check failed.

Blind indexes are HMAC-SHA256 under a separate index key, never an encryption key, with a
subkey per purpose (``"cases.person.second_name"``), so equal values in two columns get
unrelated index values. They allow exact-match lookups, and they also reveal which rows
share a value: only index what must be searchable.

The keyring lives outside the database, in a JSON file (format version 1)::

    {"format": "harborlight-keyring", "version": 1, "primary": "k2",
     "keys": {"k1": "<base64 of 32 bytes>", "k2": "<base64 of 32 bytes>"},
     "index_key": "<base64 of 32 bytes>", "created_at": "2026-11-23T03:30:00+00:00"}

It is read from ``settings.KEYS_JSON`` (the ``HARBORLIGHT_KEYS`` variable) or else from the
file ``settings.KEYS_FILE`` (``HARBORLIGHT_KEYS_FILE``, default ``<data dir>/keys.json``).
A missing, unreadable or malformed keyring raises :class:`KeyringError`; Harborlight never
falls back to storing plaintext.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import logging
import os
import re
import tempfile
import threading
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.core.exceptions import ImproperlyConfigured

VERSION = "hl1"
FILE_MAGIC = b"hlf1"
KEY_BYTES = 32
NONCE_BYTES = 12
TAG_BYTES = 16
KEYRING_FORMAT = "harborlight-keyring"
KEYRING_VERSION = 1
KEY_ID_PATTERN = re.compile(r"^[a-z0-9]{1,16}$")
_INDEX_SUBKEY_LABEL = b"harborlight blind index v1\x00"
_SIGNING_SUBKEY_LABEL = b"harborlight signature v1\x00"


class DecryptionFailed(Exception):
    """A token did not verify or decrypt: wrong key, tampered, moved, truncated, unknown.

    Deliberately carries no detail about which check failed.
    """

    def __init__(self) -> None:
        super().__init__("the value could not be decrypted")


class KeyringError(ImproperlyConfigured):
    """The keyring is missing, unreadable, malformed, or does not match the database."""


class Keyring:
    """AES-256-GCM keys by id (the primary encrypts, any decrypts) and a blind-index key.

    Instances are immutable: :meth:`with_new_primary` and :meth:`without_keys` return new
    keyrings, so a keyring being written to disk can never change underneath the writer.
    """

    def __init__(self, keys: Mapping[str, bytes], primary: str, index_key: bytes) -> None:
        if not keys:
            raise KeyringError("the keyring holds no encryption keys")
        for kid, key in keys.items():
            if not isinstance(kid, str) or not KEY_ID_PATTERN.match(kid):
                raise KeyringError(
                    f"key id {kid!r} is not valid: use 1-16 lowercase letters and digits")
            if not isinstance(key, bytes) or len(key) != KEY_BYTES:
                length = len(key) if isinstance(key, bytes) else 0
                raise KeyringError(
                    f"key {kid} is {length} bytes long; every key must be {KEY_BYTES} bytes")
        if primary not in keys:
            raise KeyringError(f"the primary key {primary!r} is not one of the keyring's keys")
        if not isinstance(index_key, bytes) or len(index_key) != KEY_BYTES:
            raise KeyringError(f"the index key must be {KEY_BYTES} bytes long")
        if any(hmac.compare_digest(index_key, key) for key in keys.values()):
            raise KeyringError("the index key must differ from every encryption key")
        self._keys = dict(keys)
        self._primary = primary
        self._index_key = index_key
        self._aead = {kid: AESGCM(key) for kid, key in self._keys.items()}

    # -- identity -------------------------------------------------------------------

    @property
    def primary_key_id(self) -> str:
        return self._primary

    @property
    def key_ids(self) -> list[str]:
        return sorted(self._keys, key=_key_id_sort_key)

    def __repr__(self) -> str:
        return (f"<Keyring primary={self._primary} keys={','.join(self.key_ids)} "
                "secrets=***>")

    # -- text tokens ----------------------------------------------------------------

    def encrypt(self, plaintext: bytes, aad: bytes) -> str:
        """Encrypt under the primary key with a fresh random 96-bit nonce."""
        return self._encrypt_with_nonce(plaintext, aad, os.urandom(NONCE_BYTES))

    def _encrypt_with_nonce(self, plaintext: bytes, aad: bytes, nonce: bytes,
                            kid: str | None = None) -> str:
        """Encrypt with an explicit nonce. Internal: for test vectors only.

        Reusing a nonce with the same key destroys GCM's confidentiality and integrity;
        production code always goes through :meth:`encrypt`.
        """
        kid = kid or self._primary
        if len(nonce) != NONCE_BYTES:
            raise ValueError(f"nonce must be {NONCE_BYTES} bytes")
        header = f"{VERSION}:{kid}:"
        sealed = self._aead[kid].encrypt(nonce, bytes(plaintext), header.encode() + aad)
        return header + _b64url_encode(nonce + sealed)

    def decrypt(self, token: str, aad: bytes) -> bytes:
        """Return the plaintext, or raise DecryptionFailed whatever went wrong."""
        kid, body = self._split_token(token)
        aead = self._aead.get(kid)
        if aead is None:
            raise DecryptionFailed()
        try:
            return aead.decrypt(body[:NONCE_BYTES], body[NONCE_BYTES:],
                                f"{VERSION}:{kid}:".encode() + aad)
        except InvalidTag:
            raise DecryptionFailed() from None

    def rotate(self, token: str, aad: bytes) -> str:
        """Re-encrypt ``token`` under the primary key (unchanged if already there)."""
        if key_id_of(token) == self._primary:
            self.decrypt(token, aad)  # still verify: rotation must not bless a bad token
            return token
        return self.encrypt(self.decrypt(token, aad), aad)

    @staticmethod
    def _split_token(token: str) -> tuple[str, bytes]:
        if not isinstance(token, str):
            raise DecryptionFailed()
        parts = token.split(":")
        if len(parts) != 3 or parts[0] != VERSION or not KEY_ID_PATTERN.match(parts[1]):
            raise DecryptionFailed()
        body = _b64url_decode(parts[2])
        if body is None or len(body) < NONCE_BYTES + TAG_BYTES:
            raise DecryptionFailed()
        return parts[1], body

    # -- binary blobs (attachments) -------------------------------------------------

    def encrypt_blob(self, plaintext: bytes, aad: bytes) -> bytes:
        """Encrypt file contents: ``hlf1:<kid>:`` then nonce, ciphertext and tag."""
        header = FILE_MAGIC + b":" + self._primary.encode() + b":"
        nonce = os.urandom(NONCE_BYTES)
        return header + nonce + self._aead[self._primary].encrypt(nonce, plaintext,
                                                                  header + aad)

    def decrypt_blob(self, blob: bytes, aad: bytes) -> bytes:
        kid, offset = _split_blob_header(blob)
        aead = self._aead.get(kid or "")
        if aead is None or len(blob) < offset + NONCE_BYTES + TAG_BYTES:
            raise DecryptionFailed()
        try:
            return aead.decrypt(blob[offset:offset + NONCE_BYTES],
                                blob[offset + NONCE_BYTES:], blob[:offset] + aad)
        except InvalidTag:
            raise DecryptionFailed() from None

    # -- blind indexes --------------------------------------------------------------

    def blind_index(self, purpose: str, value: str) -> str:
        """Keyed HMAC-SHA256 of an already normalised ``value`` for one ``purpose``.

        The per-purpose subkey is HMAC(index_key, label | purpose), so the same value in
        two columns gives unrelated index values. Returns 43 base64url characters.
        """
        subkey = hmac.new(self._index_key, _INDEX_SUBKEY_LABEL + purpose.encode(),
                          hashlib.sha256).digest()
        digest = hmac.new(subkey, value.encode("utf-8"), hashlib.sha256).digest()
        return _b64url_encode(digest)

    # -- signatures -----------------------------------------------------------------

    def sign(self, purpose: str, message: bytes) -> str:
        """HMAC-SHA256 (hex) of ``message`` under a subkey of the index key for ``purpose``.

        For records kept where the database cannot rewrite them alone (audit anchors and
        checkpoints): whoever holds only the database cannot forge one. The index key is
        never rotated, so a signature stays checkable after key rotation.
        """
        subkey = hmac.new(self._index_key, _SIGNING_SUBKEY_LABEL + purpose.encode(),
                          hashlib.sha256).digest()
        return hmac.new(subkey, message, hashlib.sha256).hexdigest()

    def signature_matches(self, purpose: str, message: bytes, signature: str) -> bool:
        expected = self.sign(purpose, message)
        return isinstance(signature, str) and hmac.compare_digest(expected.encode(),
                                                                  signature.encode())

    # -- new keyrings ---------------------------------------------------------------

    def with_new_primary(self, key: bytes | None = None, kid: str | None = None) -> "Keyring":
        """Return a keyring holding every current key plus a new primary key."""
        kid = kid or next_key_id(self._keys)
        if kid in self._keys:
            raise KeyringError(f"the keyring already holds a key {kid}")
        keys = dict(self._keys)
        keys[kid] = key if key is not None else AESGCM.generate_key(bit_length=256)
        return Keyring(keys, kid, self._index_key)

    def without_keys(self, kids: Iterable[str]) -> "Keyring":
        """Return a keyring without ``kids``; the primary key cannot be dropped."""
        drop = set(kids)
        if self._primary in drop:
            raise KeyringError(f"cannot drop the primary key {self._primary}")
        return Keyring({k: v for k, v in self._keys.items() if k not in drop},
                       self._primary, self._index_key)

    def merged_with(self, other: "Keyring") -> tuple["Keyring", list[str]]:
        """Return this keyring plus the keys of ``other`` it lacks, and their ids.

        The primary key stays this keyring's. Refuses (KeyringError) keyrings with another
        index key (their blind indexes would not match) and a key id that names different
        key material in the two (one of them belongs to another database).
        """
        if not hmac.compare_digest(self._index_key, other._index_key):
            raise KeyringError("the other keyring has a different index key: it belongs to "
                               "another installation, not to an earlier state of this one")
        added = []
        keys = dict(self._keys)
        for kid in other.key_ids:
            if kid not in keys:
                keys[kid] = other._keys[kid]
                added.append(kid)
            elif not hmac.compare_digest(keys[kid], other._keys[kid]):
                raise KeyringError(f"both keyrings hold a key {kid}, with different key "
                                   "material; the other keyring is not an earlier state of "
                                   "this one")
        return Keyring(keys, self._primary, self._index_key), added

    def matches_key(self, kid: str, key: bytes) -> bool:
        return kid in self._keys and hmac.compare_digest(self._keys[kid], key)

    # -- serialisation --------------------------------------------------------------

    def to_dict(self, now: datetime | None = None) -> dict[str, Any]:
        return {
            "format": KEYRING_FORMAT,
            "version": KEYRING_VERSION,
            "primary": self._primary,
            "keys": {kid: base64.b64encode(self._keys[kid]).decode() for kid in self.key_ids},
            "index_key": base64.b64encode(self._index_key).decode(),
            "created_at": (now or datetime.now(timezone.utc)).isoformat(timespec="seconds"),
        }

    @classmethod
    def from_dict(cls, data: Any, source: str = "the keyring") -> "Keyring":
        """Build a keyring from its JSON form, naming the first problem found."""
        if not isinstance(data, dict) or data.get("format") != KEYRING_FORMAT:
            raise KeyringError(f"{source} is not a Harborlight keyring "
                               f"(expected \"format\": \"{KEYRING_FORMAT}\")")
        if data.get("version") != KEYRING_VERSION:
            raise KeyringError(f"{source} has keyring version {data.get('version')!r}; "
                               f"this Harborlight reads version {KEYRING_VERSION}")
        raw_keys = data.get("keys")
        if not isinstance(raw_keys, dict) or not raw_keys:
            raise KeyringError(f"{source} holds no encryption keys (\"keys\" is empty)")
        keys = {str(kid): _decode_key(value, f"key {kid} in {source}")
                for kid, value in raw_keys.items()}
        primary = data.get("primary")
        if not isinstance(primary, str) or primary not in keys:
            raise KeyringError(f"{source} names primary key {primary!r}, which it does not hold")
        index_key = _decode_key(data.get("index_key"), f"the index key in {source}")
        try:
            return cls(keys, primary, index_key)
        except KeyringError as problem:
            raise KeyringError(f"{source}: {problem}") from None


def key_id_of(token: str) -> str:
    """Return the key id a token names, without decrypting; DecryptionFailed if malformed."""
    return Keyring._split_token(token)[0]


def blob_key_id_of(blob: bytes) -> str | None:
    """Return the key id of an encrypted attachment, or None if it is not one."""
    return _split_blob_header(blob)[0]


def generate_keyring(now: datetime | None = None) -> dict[str, Any]:
    """Return a new keyring (JSON form) with one key, ``k1``, and a fresh index key."""
    keyring = Keyring({"k1": AESGCM.generate_key(bit_length=256)}, "k1",
                      AESGCM.generate_key(bit_length=256))
    return keyring.to_dict(now=now)


def write_keyring(path: str | os.PathLike[str], data: Mapping[str, Any] | Keyring,
                  overwrite: bool = False) -> Path:
    """Write a keyring file atomically with mode 0600.

    Steps: write a temporary file (0600) beside the target, fsync it, then either
    ``os.link`` it into place (fails if the target exists, when ``overwrite`` is False)
    or ``os.replace`` it; fsync the directory. A crash leaves the old file or the new
    one, never a half-written keyring.
    """
    if isinstance(data, Keyring):
        data = data.to_dict()
    Keyring.from_dict(dict(data))  # never write a keyring that would not load
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    payload = (json.dumps(data, indent=2, sort_keys=True) + "\n").encode()
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp",
                                    dir=target.parent)
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        if overwrite:
            os.replace(tmp_name, target)
        else:
            try:
                os.link(tmp_name, target)
            except FileExistsError:
                raise KeyringError(f"{target} already exists; refusing to overwrite a "
                                   "keyring (move it away first if you mean to)") from None
            os.unlink(tmp_name)
    except BaseException:
        if os.path.exists(tmp_name):
            os.unlink(tmp_name)
        raise
    _fsync_dir(target.parent)
    return target


def load_keyring_file(path: str | os.PathLike[str]) -> Keyring:
    """Read and validate a keyring file, raising KeyringError with the fix on failure."""
    target = Path(path)
    try:
        text = target.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise KeyringError(
            f"encryption keyring not found at {target}. Restore it from your keyring backup, "
            f"or for a new installation create one with `harborlight keys generate --out "
            f"{target}`; set HARBORLIGHT_KEYS_FILE if it lives elsewhere") from None
    except (OSError, UnicodeDecodeError) as problem:
        reason = problem.strerror if isinstance(problem, OSError) else "not UTF-8 text"
        raise KeyringError(f"cannot read encryption keyring {target}: {reason}. Check the "
                           "file and its permissions (the server's user must read it)") from None
    return parse_keyring(text, source=f"keyring {target}")


def parse_keyring(text: str, source: str = "the keyring") -> Keyring:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as problem:
        raise KeyringError(f"{source} is not valid JSON (line {problem.lineno}): restore it "
                           "from your keyring backup") from None
    return Keyring.from_dict(data, source=source)


# -- the process-wide keyring ---------------------------------------------------------
#
# A running server follows its keyring file: every get_keyring() compares the file's
# identity (inode, size, modification and change times: one stat call) with the one it
# loaded, and reloads when it changed. So `harborlight keys rotate` in another process is
# seen by the very next value the server encrypts or decrypts: it never writes under a key
# that is no longer primary, and reads values under the new key at once. A keyring set
# explicitly (set_keyring, use_keyring: rotation itself, tests) is pinned, not followed.

_lock = threading.Lock()
_active: Keyring | None = None
_source: Path | None = None           # the file _active was loaded from, if followed
_source_identity: tuple | None = None
_rejected_identity: tuple | None = None  # a changed file that did not load (logged once)
_log = logging.getLogger(__name__)


def keyring_file_path() -> Path | None:
    """The keyring file in use, or None when the keyring comes from ``HARBORLIGHT_KEYS``."""
    from django.conf import settings

    if getattr(settings, "KEYS_JSON", "") and not os.environ.get("HARBORLIGHT_KEYS_FILE"):
        return None
    return Path(settings.KEYS_FILE)


def load_configured_keyring() -> Keyring:
    """Read the keyring the settings point to, bypassing the process cache."""
    from django.conf import settings

    path = keyring_file_path()
    if path is None:
        return parse_keyring(settings.KEYS_JSON, source="the keyring in HARBORLIGHT_KEYS")
    return load_keyring_file(path)


def get_keyring() -> Keyring:
    """Return the process's keyring, loading it on first use (KeyringError if unusable).

    A keyring loaded from a file is reloaded when the file changes (see above). If the
    changed file does not load, the keyring in memory stays in use and the problem is
    logged once: a damaged file must not stop a server that holds good keys.
    """
    keyring, source = _active, _source
    if keyring is not None and (source is None or _file_identity(source) == _source_identity):
        return keyring
    with _lock:
        if _active is None:
            _load_locked()
        elif _source is not None:
            identity = _file_identity(_source)
            if identity != _source_identity and identity != _rejected_identity:
                _reload_locked(identity)
        return _active


def _load_locked() -> None:
    global _active, _source, _source_identity
    path = keyring_file_path()
    identity = _file_identity(path) if path is not None else None
    _active = load_configured_keyring()
    _source, _source_identity = path, identity


def _reload_locked(identity: tuple | None) -> None:
    global _active, _source_identity, _rejected_identity
    try:
        fresh = load_keyring_file(_source)
    except KeyringError as problem:
        _rejected_identity = identity
        _log.error("the keyring file changed but cannot be loaded; still using the keys "
                   "loaded before: %s", problem)
        return
    _active, _source_identity, _rejected_identity = fresh, identity, None


def _file_identity(path: Path) -> tuple | None:
    try:
        found = os.stat(path)
    except OSError:
        return None
    return (found.st_ino, found.st_size, found.st_mtime_ns, found.st_ctime_ns)


def set_keyring(keyring: Keyring | None) -> None:
    """Pin the process's keyring (rotation, tests), or forget it (None) to load the file."""
    global _active, _source, _source_identity
    with _lock:
        _active, _source, _source_identity = keyring, None, None


@contextmanager
def use_keyring(keyring: Keyring) -> Iterator[Keyring]:
    """Use ``keyring`` inside the block, then restore the previous one."""
    global _active, _source, _source_identity
    with _lock:
        previous = (_active, _source, _source_identity)
        _active, _source, _source_identity = keyring, None, None
    try:
        yield keyring
    finally:
        with _lock:
            _active, _source, _source_identity = previous


# -- helpers --------------------------------------------------------------------------

def _b64url_encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64url_decode(text: str) -> bytes | None:
    if not re.fullmatch(r"[A-Za-z0-9_-]*", text) or len(text) % 4 == 1:
        return None
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        return None


def _decode_key(value: Any, what: str) -> bytes:
    if not isinstance(value, str):
        raise KeyringError(f"{what} is missing or not a base64 string")
    try:
        key = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise KeyringError(f"{what} is not valid base64") from None
    if len(key) != KEY_BYTES:
        raise KeyringError(f"{what} is {len(key)} bytes long; keys must be {KEY_BYTES} bytes "
                           "(the keyring is damaged: restore it from your backup)")
    return key


def _split_blob_header(blob: bytes) -> tuple[str | None, int]:
    if not blob.startswith(FILE_MAGIC + b":"):
        return None, 0
    end = blob.find(b":", len(FILE_MAGIC) + 1, len(FILE_MAGIC) + 18)
    if end < 0:
        return None, 0
    kid = blob[len(FILE_MAGIC) + 1:end].decode("ascii", errors="replace")
    if not KEY_ID_PATTERN.match(kid):
        return None, 0
    return kid, end + 1


def _key_id_sort_key(kid: str) -> tuple[int, str]:
    match = re.fullmatch(r"k(\d+)", kid)
    return (int(match.group(1)), "") if match else (1 << 30, kid)


def next_key_id(taken: Iterable[str]) -> str:
    """The next unused ``k<n>`` id after every id in ``taken``."""
    numbers = [int(m.group(1)) for kid in taken if (m := re.fullmatch(r"k(\d+)", kid))]
    return f"k{max(numbers, default=0) + 1}"


def _fsync_dir(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
