"""Copies of the audit chain's head kept where the database cannot rewrite them alone.

The chain catches entries changed one at a time; someone who can write the whole database
could still empty the trail, or cut its end and move the head back, or rewrite it all and
recompute every hash. Two records outside their reach catch that:

1. **The anchor file** (``settings.AUDIT_ANCHOR_FILE``, by default ``audit-anchor.json``
   beside the keyring file, mode 0600)::

       {"format": "harborlight-audit-anchor", "version": 1, "seq": 18342,
        "hash": "3f9a...c07e", "written_at": "2026-12-06T03:00:00Z",
        "signature": "<HMAC-SHA256 under the keyring, hex>"}

   Every successful verification (``harborlight audit verify``, ``audit anchor``,
   ``audit checkpoint``, the auditors' page) first checks the chain against the file (it
   must still reach entry ``seq`` and carry ``hash`` there) and then writes the new head
   into it. A chain shorter than the file, or another hash at its position, fails. The
   signature (:meth:`~harborlight.security.crypto.Keyring.sign`) makes an edited file
   fail too.
2. **Signed checkpoints**: ``harborlight audit checkpoint`` (run it daily from a scheduled
   job) appends a ``checkpoint`` entry whose details name the entry before it and sign it
   with the keyring: ``{"covers": "18341:ab...", "signature": "..."}``. Verification checks
   every checkpoint's signature, so a chain rewritten before a checkpoint cannot pass
   without the keyring, even where the anchor file was lost.

Neither helps against someone who holds the keyring as well as the database (the server's
operator); for that, keep the printed ``SEQ:HASH`` of ``audit anchor`` somewhere else too.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model

from harborlight.security.audit.chain import Anchor, AuditChainBroken, VerifyResult
from harborlight.security.audit.log import audited, record
from harborlight.security.audit.store import lock_head, read_head, verify
from harborlight.security.audit.models import AuditEntry
from harborlight.security.crypto import get_keyring

FORMAT = "harborlight-audit-anchor"
VERSION = 1
ANCHOR_PURPOSE = "audit.anchor-file"
CHECKPOINT_PURPOSE = "audit.checkpoint"
CHECKPOINT = "checkpoint"


@dataclass(frozen=True)
class AnchoredResult:
    """A verification, the anchor file it was checked against, and what was written."""

    result: VerifyResult
    previous: Anchor | None
    written: bool
    write_problem: str = ""


def anchor_file() -> Path:
    return Path(settings.AUDIT_ANCHOR_FILE)


def read_anchor(path: Path | None = None) -> Anchor | None:
    """The anchor in the file, or None if there is no file yet.

    Raises AuditChainBroken if the file is damaged or its signature does not match.
    """
    path = path or anchor_file()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except OSError as problem:
        raise AuditChainBroken(None, f"the anchor file {path} cannot be read "
                                     f"({problem.strerror})") from None
    try:
        data = json.loads(text)
        anchor = Anchor(int(data["seq"]), str(data["hash"]),
                        source=f"the anchor file (written {data['written_at']})")
        signed = _anchor_message(anchor.seq, anchor.hash, str(data["written_at"]))
        valid = (data.get("format") == FORMAT and data.get("version") == VERSION
                 and get_keyring().signature_matches(ANCHOR_PURPOSE, signed,
                                                     data.get("signature", "")))
    except (ValueError, KeyError, TypeError):
        valid = False
    if not valid:
        raise AuditChainBroken(None, f"the anchor file {path} is damaged or was edited: its "
                                     "signature does not match (restore it from a backup, "
                                     "or move it away to start a new one)")
    return anchor


def write_anchor(head: Anchor, path: Path | None = None, now: datetime | None = None) -> None:
    """Write ``head`` to the anchor file, atomically, mode 0600."""
    path = path or anchor_file()
    written_at = (now or datetime.now(timezone.utc)).strftime("%Y-%m-%dT%H:%M:%SZ")
    data: dict[str, Any] = {
        "format": FORMAT, "version": VERSION, "seq": head.seq, "hash": head.hash,
        "written_at": written_at,
        "signature": get_keyring().sign(ANCHOR_PURPOSE, _anchor_message(
            head.seq, head.hash, written_at)),
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(json.dumps(data, indent=1, sort_keys=True) + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


def verify_anchored(using: str = "default", *, anchor: Anchor | None = None,
                    write: bool = True) -> AnchoredResult:
    """Verify the chain against the anchor file (and ``anchor``), checking every signed
    checkpoint; then write the head into the anchor file. Raises AuditChainBroken."""
    previous = read_anchor()
    result = verify(using, anchor=anchor, anchors=[previous] if previous else [],
                    check=check_checkpoint)
    if result.entries == 0:
        _check_not_emptied(using)
    if not write or result.head is None:
        return AnchoredResult(result, previous, written=False)
    try:
        write_anchor(result.head)
    except OSError as problem:
        return AnchoredResult(result, previous, written=False,
                              write_problem=f"{anchor_file()}: {problem.strerror}")
    return AnchoredResult(result, previous, written=True)


def checkpoint(using: str = "default", by=None) -> Anchor:
    """Verify, then append a signed checkpoint entry and anchor the file to it."""
    if verify_anchored(using, write=False).result.head is None:
        raise AuditChainBroken(None, "the audit trail is empty: nothing to checkpoint yet")
    with audited():
        # The entry covered is the one just before the checkpoint: read it under the
        # head's lock, or a server appending meanwhile would slip in between.
        head = lock_head(using)
        covers = Anchor(head.last_seq, head.last_hash)
        entry = record(CHECKPOINT, actor=by, object_type="audit.auditentry",
                       object_id=str(covers.seq), details={
                           "covers": str(covers),
                           "signature": get_keyring().sign(
                               CHECKPOINT_PURPOSE, str(covers).encode())})
    head = Anchor(entry.seq, entry.hash)
    write_anchor(head)
    return head


def check_checkpoint(row: dict[str, Any], verified: int) -> None:
    """walk()'s check: a checkpoint entry must carry the keyring's signature of the entry
    before it."""
    if row["action"] != CHECKPOINT:
        return
    details = row["details"] if isinstance(row["details"], dict) else {}
    try:
        covers = Anchor.parse(str(details.get("covers", "")))
    except ValueError:
        covers = None
    valid = (covers is not None and covers.seq == row["seq"] - 1
             and covers.hash == row["prev_hash"]
             and get_keyring().signature_matches(CHECKPOINT_PURPOSE, str(covers).encode(),
                                                 details.get("signature", "")))
    if not valid:
        raise AuditChainBroken(row["seq"], f"checkpoint entry {row['seq']} does not carry this "
                                           "installation's signature of the entry before it: "
                                           "the chain up to it was rewritten", verified)


def anchor_problem(using: str = "default") -> str | None:
    """A quick comparison of the database with the anchor file, for ``harborlight check``:
    one sentence if the trail is shorter than the file says or was rewritten there."""
    try:
        anchor = read_anchor()
    except AuditChainBroken as broken:
        return broken.message
    if anchor is None:
        return None
    head = read_head(using)
    ends = head.last_seq if head is not None else 0
    if ends < anchor.seq:
        return (f"the audit trail ends at entry {ends}, but {anchor.source} names entry "
                f"{anchor.seq}: entries were removed; run `harborlight audit verify`")
    stored = (AuditEntry.objects.using(using).filter(seq=anchor.seq)
              .values_list("hash", flat=True).first())
    if stored != anchor.hash:
        return (f"audit entry {anchor.seq} no longer has the hash in {anchor.source}: the "
                "trail was rewritten; run `harborlight audit verify`")
    return None


def _check_not_emptied(using: str) -> None:
    """An empty trail in a database that holds accounts was emptied: creating each
    account (``createadmin``, ``createsupervisor``, the users page) is audited."""
    accounts = get_user_model().objects.using(using).count()
    if accounts:
        raise AuditChainBroken(None, f"the audit trail is empty although the database "
                                     f"holds {accounts} account(s), whose creation was "
                                     "audited: its entries were deleted")


def _anchor_message(seq: int, hash_: str, written_at: str) -> bytes:
    return f"{FORMAT}/{VERSION}|{seq}|{hash_}|{written_at}".encode()
