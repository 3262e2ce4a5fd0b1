"""Hashing and verification of the audit chain.

Each entry's ``hash`` is the SHA-256 (hex) of its canonical form: UTF-8 JSON with sorted
keys, no spaces, over an explicit field list that includes the previous entry's hash and
a format tag. For format version 1::

    {"action":"read","actor_id":7,"actor_role":"caseworker","actor_username":"ana",
     "created_at":"2026-11-23T03:25:45.123456Z","details":{"action":"case.view"},
     "format":"harborlight.audit/1","object_id":"42","object_label":"case #42",
     "object_type":"cases.case","organisation_id":3,"prev_hash":"<64 hex>",
     "reason":"","seq":12,"version":1}

Entry 1 links to ``GENESIS_HASH`` (64 zeros). Changing any field of an entry changes its
hash; deleting or moving an entry breaks the next entry's ``prev_hash``; deleting entries
at the end leaves the chain head pointing past the last row. :func:`walk` checks entries
in order and raises :class:`AuditChainBroken` at the first broken link.

This module is pure: it hashes and checks rows given to it and never touches a database,
so an export can be verified anywhere (:func:`verify_export`). Reading and appending the
stored chain is :mod:`harborlight.security.audit.store`.

Limit: anyone who can write to the whole database can recompute every hash and the head.
An anchor (``SEQ:HASH`` of the head, written down or sent elsewhere) catches that later.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Callable, Iterable, Iterator

GENESIS_HASH = "0" * 64
HEAD_PK = 1
FORMAT_TAGS = {1: "harborlight.audit/1"}
HASHED_FIELDS = {
    1: ("seq", "version", "created_at", "actor_id", "actor_username", "actor_role",
        "organisation_id", "action", "object_type", "object_id", "object_label", "reason",
        "details", "prev_hash"),
}
CURRENT_VERSION = 1
STORED_FIELDS = HASHED_FIELDS[CURRENT_VERSION] + ("hash",)
_HASH_RE = re.compile(r"^[0-9a-f]{64}$")


class AuditChainBroken(Exception):
    """The audit chain fails verification; ``seq`` names the first broken link.

    ``verified`` is how many entries before it checked out. ``seq`` is ``None`` only when
    the problem is not tied to one position (the chain head row itself is missing).
    """

    def __init__(self, seq: int | None, message: str, verified: int = 0):
        super().__init__(message)
        self.seq = seq
        self.message = message
        self.verified = verified


@dataclass(frozen=True)
class Anchor:
    """A chain position and hash recorded outside the database, as ``SEQ:HASH``."""

    seq: int
    hash: str
    source: str = field(default="the anchor", compare=False)  # named in messages

    @classmethod
    def parse(cls, text: str) -> "Anchor":
        seq_text, _, hash_text = (text or "").strip().partition(":")
        if not seq_text.isdigit() or int(seq_text) < 1 or not _HASH_RE.match(hash_text):
            raise ValueError(
                f"anchor {text!r} is not SEQ:HASH (a positive number, a colon and 64 "
                "lower-case hex digits, as printed by 'harborlight audit anchor')"
            )
        return cls(int(seq_text), hash_text)

    def __str__(self) -> str:
        return f"{self.seq}:{self.hash}"


@dataclass(frozen=True)
class VerifyResult:
    entries: int
    head: Anchor | None
    anchor_checked: Anchor | None = None


def format_timestamp(value: datetime) -> str:
    if value.tzinfo is None:
        raise ValueError("audit timestamps must be timezone-aware")
    return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical_bytes(fields: dict[str, Any]) -> bytes:
    """The exact bytes that are hashed for one entry, given its stored field values."""
    version = fields["version"]
    if version not in HASHED_FIELDS:
        raise ValueError(f"unknown audit entry format version {version!r}")
    payload = {name: fields[name] for name in HASHED_FIELDS[version]}
    payload["created_at"] = format_timestamp(payload["created_at"])
    payload["format"] = FORMAT_TAGS[version]
    return json.dumps(payload, sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False, allow_nan=False).encode("utf-8")


def entry_hash(fields: dict[str, Any]) -> str:
    return hashlib.sha256(canonical_bytes(fields)).hexdigest()


def walk(rows: Iterable[dict[str, Any]], *, anchor: Anchor | None = None,
         anchors: Iterable[Anchor] = (),
         check: Callable[[dict[str, Any], int], None] | None = None) -> tuple[int, str]:
    """Check entries in order from entry 1; return (entries checked, last hash).

    Each entry must have the next sequence number (else an entry was deleted), link to
    the previous hash (else one was rewritten, removed or moved) and hash to its stored
    hash (else it was edited); each anchor's position must still carry the anchored hash.
    ``check(row, verified)``, if given, then looks at the entry too (signed checkpoints)
    and raises :class:`AuditChainBroken` itself. Raises at the first entry that fails.
    """
    by_seq: dict[int, list[Anchor]] = {}
    for each in ([anchor] if anchor is not None else []) + list(anchors):
        by_seq.setdefault(each.seq, []).append(each)
    expected_seq = 1
    prev_hash = GENESIS_HASH
    verified = 0

    def broken(at: int, message: str) -> AuditChainBroken:
        return AuditChainBroken(at, message, verified)

    for row in rows:
        seq = row["seq"]
        if seq != expected_seq:
            raise broken(expected_seq, f"entry {expected_seq} is missing: the chain jumps "
                                       f"from entry {expected_seq - 1} to entry {seq}")
        if not same_hash(row["prev_hash"], prev_hash):
            raise broken(seq, f"entry {seq} does not link to entry {seq - 1}: its previous "
                              "hash differs (an entry was rewritten, removed or moved)")
        try:
            computed = entry_hash(row)
        except (ValueError, TypeError) as exc:
            raise broken(seq, f"entry {seq} cannot be hashed: {exc}") from None
        if not same_hash(computed, row["hash"]):
            raise broken(seq, f"entry {seq} was changed after it was written: its contents "
                              "do not match its hash")
        for each in by_seq.get(seq, ()):
            if not same_hash(row["hash"], each.hash):
                raise broken(seq, f"entry {seq} no longer has the anchored hash: the chain "
                                  f"was rewritten since {each.source} was taken")
        if check is not None:
            check(row, verified)
        prev_hash = row["hash"]
        expected_seq += 1
        verified += 1
    return verified, prev_hash


def check_anchor_reached(verified: int, anchor: Anchor | None,
                         anchors: Iterable[Anchor] = ()) -> None:
    for each in ([anchor] if anchor is not None else []) + list(anchors):
        if each.seq > verified:
            raise AuditChainBroken(each.seq, f"the chain ends at entry {verified}, but "
                                             f"{each.source} names entry {each.seq}: entries "
                                             "were removed", verified)


def verify_export(lines: Iterable[str], *, anchor: Anchor | None = None) -> VerifyResult:
    """Check an export (JSON Lines, as written by ``harborlight audit export``).

    Needs no database, so a copy kept elsewhere can be checked anywhere. An export has no
    head row: entries cut from its end are caught only by an anchor.
    """
    verified, last_hash = walk(read_export(lines), anchor=anchor)
    check_anchor_reached(verified, anchor)
    return VerifyResult(verified, Anchor(verified, last_hash) if verified else None, anchor)


def read_export(lines: Iterable[str]) -> Iterator[dict[str, Any]]:
    """Parse export lines into entry dicts; raise ``ValueError`` naming a bad line."""
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            missing = [name for name in STORED_FIELDS if name not in row]
            if missing:
                raise ValueError(f"missing {', '.join(missing)}")
            if not isinstance(row["seq"], int) or not isinstance(row["hash"], str) \
                    or not isinstance(row["prev_hash"], str):
                raise ValueError("seq, hash or prev_hash has the wrong type")
            row["created_at"] = datetime.fromisoformat(row["created_at"])
        except (ValueError, TypeError, AttributeError) as exc:
            raise ValueError(f"line {number} is not an exported audit entry: {exc}") from None
        yield row


def same_hash(left: str, right: str) -> bool:
    """Compare two hashes in constant time."""
    return hmac.compare_digest(left.encode(), right.encode())
