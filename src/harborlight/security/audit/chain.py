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
at the end leaves the chain head pointing past the last row. :func:`verify` walks the
chain in order, in batches, and raises :class:`AuditChainBroken` at the first broken link.

Limit: anyone who can write to the whole database can recompute every hash and the head.
An anchor (``SEQ:HASH`` of the head, written down or sent elsewhere) catches that later.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Iterator

from harborlight.security.audit.models import GENESIS_HASH, HEAD_PK, AuditChainHead, AuditEntry

FORMAT_TAGS = {1: "harborlight.audit/1"}
HASHED_FIELDS = {
    1: ("seq", "version", "created_at", "actor_id", "actor_username", "actor_role",
        "organisation_id", "action", "object_type", "object_id", "object_label", "reason",
        "details", "prev_hash"),
}
CURRENT_VERSION = 1
STORED_FIELDS = HASHED_FIELDS[CURRENT_VERSION] + ("hash",)
DEFAULT_BATCH_SIZE = 2000
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


def read_head(using: str = "default") -> AuditChainHead | None:
    return AuditChainHead.objects.using(using).filter(pk=HEAD_PK).first()


def iter_entries(using: str = "default", up_to: int | None = None,
                 batch_size: int = DEFAULT_BATCH_SIZE) -> Iterator[dict[str, Any]]:
    """Yield stored entries as dicts in sequence order, fetching ``batch_size`` at a time.

    Keyset pagination (``seq > last``) keeps each query cheap however long the chain is.
    """
    queryset = AuditEntry.objects.using(using).order_by("seq")
    if up_to is not None:
        queryset = queryset.filter(seq__lte=up_to)
    last_seq = 0
    while True:
        batch = list(queryset.filter(seq__gt=last_seq).values(*STORED_FIELDS)[:batch_size])
        if not batch:
            return
        yield from batch
        last_seq = batch[-1]["seq"]


def verify(using: str = "default", *, anchor: Anchor | None = None,
           batch_size: int = DEFAULT_BATCH_SIZE) -> VerifyResult:
    """Check the whole chain; raise :class:`AuditChainBroken` at the first broken link.

    Steps:

    1. read the head (last seq and hash) first, so entries appended while we walk are
       simply left for the next run;
    2. walk entries 1..head in order: each must have the next sequence number (else an
       entry was deleted), link to the previous hash (else one was rewritten, removed or
       moved) and hash to its stored hash (else it was edited);
    3. if given, the anchor's position must still carry the anchored hash;
    4. the walk must end exactly at the head (else entries were deleted from the end),
       and, if nobody appended meanwhile, no entry may lie beyond the head.
    """
    head = read_head(using)
    head_seq = head.last_seq if head else 0
    expected_seq = 1
    prev_hash = GENESIS_HASH
    verified = 0

    def broken(seq: int | None, message: str) -> AuditChainBroken:
        return AuditChainBroken(seq, message, verified)

    if head is None:
        first = AuditEntry.objects.using(using).order_by("seq").values_list("seq", flat=True)
        if first.first() is not None:
            raise broken(None, "the chain head row is missing although entries exist")
        if anchor is not None:
            raise broken(anchor.seq, f"the chain is empty, but the anchor names entry "
                                     f"{anchor.seq}: the whole trail was removed")
        return VerifyResult(0, None, None)

    for row in iter_entries(using, up_to=head_seq, batch_size=batch_size):
        seq = row["seq"]
        if seq != expected_seq:
            raise broken(expected_seq, f"entry {expected_seq} is missing: the chain jumps "
                                       f"from entry {expected_seq - 1} to entry {seq}")
        if not hmac.compare_digest(row["prev_hash"], prev_hash):
            raise broken(seq, f"entry {seq} does not link to entry {seq - 1}: its previous "
                              "hash differs (an entry was rewritten, removed or moved)")
        try:
            computed = entry_hash(row)
        except (ValueError, TypeError) as exc:
            raise broken(seq, f"entry {seq} cannot be hashed: {exc}") from None
        if not hmac.compare_digest(computed, row["hash"]):
            raise broken(seq, f"entry {seq} was changed after it was written: its contents "
                              "do not match its hash")
        if anchor is not None and seq == anchor.seq and not hmac.compare_digest(
                row["hash"], anchor.hash):
            raise broken(seq, f"entry {seq} no longer has the anchored hash: the chain was "
                              "rewritten since the anchor was taken")
        prev_hash = row["hash"]
        expected_seq += 1
        verified += 1

    if verified < head_seq:
        raise broken(verified + 1, f"entries {verified + 1} to {head_seq} are missing: the "
                                   f"chain head says {head_seq} entries, the trail ends at "
                                   f"entry {verified}")
    if not hmac.compare_digest(prev_hash, head.last_hash):
        raise broken(head_seq, f"entry {head_seq} does not match the chain head's hash")
    if anchor is not None and anchor.seq > head_seq:
        raise broken(anchor.seq, f"the chain ends at entry {head_seq}, but the anchor names "
                                 f"entry {anchor.seq}: entries were removed")
    head_now = read_head(using)
    if head_now is not None and head_now.last_seq == head_seq:
        beyond = (AuditEntry.objects.using(using).filter(seq__gt=head_seq)
                  .order_by("seq").values_list("seq", flat=True).first())
        if beyond is not None:
            raise broken(beyond, f"entry {beyond} lies beyond the chain head (entry "
                                 f"{head_seq}): it was inserted without being chained")
    return VerifyResult(verified, Anchor(head_seq, head.last_hash) if head_seq else None,
                        anchor)
