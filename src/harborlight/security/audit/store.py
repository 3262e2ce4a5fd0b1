"""The stored audit chain: append an entry, read the head and entries, verify the database.

The hashed format and the walk that checks it are pure (:mod:`.chain`); this module is
where they meet the tables (:class:`~.models.AuditEntry`, :class:`~.models.AuditChainHead`).
"""

from __future__ import annotations

from typing import Any, Callable, Iterable, Iterator

from django.db import IntegrityError, transaction
from django.db.models import F

from harborlight.security.audit.chain import (HEAD_PK, STORED_FIELDS, Anchor,
                                              AuditChainBroken, VerifyResult,
                                              check_anchor_reached, entry_hash, same_hash,
                                              walk)
from harborlight.security.audit.models import AuditChainHead, AuditEntry

DEFAULT_BATCH_SIZE = 2000
EntryCheck = Callable[[dict[str, Any], int], None]


def append(fields: dict[str, Any], using: str) -> AuditEntry:
    """Chain one entry of checked ``fields`` after the head; return it.

    Steps, inside one transaction (joining the caller's, if any):

    1. lock the chain head row with a conditional UPDATE, which makes concurrent writers
       queue on SQLite (write lock) and PostgreSQL (row lock), so the chain cannot fork;
    2. read the head, build entry ``last_seq + 1`` linked to ``last_hash`` and hash it;
    3. insert the entry and move the head to it, checking exactly one head row changed.
    """
    with transaction.atomic(using=using):
        head = _lock_head(using)
        entry = AuditEntry(seq=head.last_seq + 1, prev_hash=head.last_hash, **fields)
        entry.hash = entry_hash({**fields, "seq": entry.seq, "prev_hash": entry.prev_hash})
        entry.save(force_insert=True, using=using)
        moved = (AuditChainHead.objects.using(using)
                 .filter(pk=HEAD_PK, last_seq=head.last_seq, last_hash=head.last_hash)
                 .update(last_seq=entry.seq, last_hash=entry.hash))
        if moved != 1:
            raise AuditChainBroken(entry.seq, "the chain head moved while an entry was "
                                              "being appended; nothing was recorded")
    return entry


def lock_head(using: str = "default") -> AuditChainHead:
    """Lock and return the chain head until the caller's transaction ends (no entry can
    be appended meanwhile); see :func:`_lock_head`."""
    if not transaction.get_connection(using).in_atomic_block:
        raise RuntimeError("lock_head() needs a transaction")
    return _lock_head(using)


def _lock_head(using: str) -> AuditChainHead:
    """Lock and return the chain head, creating it for an empty trail.

    The no-op UPDATE is what takes the lock; the SELECT after it then sees the head as
    the previous writer committed it (PostgreSQL READ COMMITTED re-reads per statement).
    """
    heads = AuditChainHead.objects.using(using).filter(pk=HEAD_PK)
    if heads.update(last_seq=F("last_seq")) == 0:
        _create_head(using)
        heads.update(last_seq=F("last_seq"))
    return heads.get()


def _create_head(using: str) -> None:
    """Create the head row, unless a concurrent writer just did.

    If entries exist although the head row did not, the head was deleted: refuse, rather
    than silently restart the chain over what is left.
    """
    try:
        with transaction.atomic(using=using):
            AuditChainHead.objects.using(using).create(pk=HEAD_PK)
    except IntegrityError:
        return  # another writer created it first; the caller locks it next
    if AuditEntry.objects.using(using).exists():
        raise AuditChainBroken(None, "the audit chain head row is missing although entries "
                                     "exist; run 'harborlight audit verify'")


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
           anchors: Iterable[Anchor] = (), check: EntryCheck | None = None,
           batch_size: int = DEFAULT_BATCH_SIZE) -> VerifyResult:
    """Check the whole chain in the database; raise :class:`AuditChainBroken` if broken.

    Steps:

    1. read the head (last seq and hash) first, so entries appended while we walk are
       simply left for the next run;
    2. :func:`~.chain.walk` entries 1..head in order, in batches of ``batch_size``;
    3. the walk must end exactly at the head (else entries were deleted from the end),
       and reach every anchor given (``anchor``, ``anchors``: copies of the head kept
       outside the database, see :mod:`.anchors`); ``check`` looks at each entry too;
    4. if nobody appended meanwhile, no entry may lie beyond the head.
    """
    head = read_head(using)
    if head is None:
        if AuditEntry.objects.using(using).exists():
            raise AuditChainBroken(None, "the chain head row is missing although entries "
                                         "exist")
        check_anchor_reached(0, anchor, anchors)
        return VerifyResult(0, None, None)

    head_seq = head.last_seq
    anchors = list(anchors)
    verified, last_hash = walk(iter_entries(using, up_to=head_seq, batch_size=batch_size),
                               anchor=anchor, anchors=anchors, check=check)
    if verified < head_seq:
        raise AuditChainBroken(verified + 1, f"entries {verified + 1} to {head_seq} are "
                                             f"missing: the chain head says {head_seq} "
                                             f"entries, the trail ends at entry {verified}",
                               verified)
    if not same_hash(last_hash, head.last_hash):
        raise AuditChainBroken(head_seq, f"entry {head_seq} does not match the chain "
                                         "head's hash", verified)
    check_anchor_reached(verified, anchor, anchors)
    _check_nothing_beyond(using, head_seq, verified)
    return VerifyResult(verified, Anchor(head_seq, head.last_hash) if head_seq else None,
                        anchor)


def _check_nothing_beyond(using: str, head_seq: int, verified: int) -> None:
    head_now = read_head(using)
    if head_now is None or head_now.last_seq != head_seq:
        return  # someone appended meanwhile: what lies beyond is theirs, checked next time
    beyond = (AuditEntry.objects.using(using).filter(seq__gt=head_seq)
              .order_by("seq").values_list("seq", flat=True).first())
    if beyond is not None:
        raise AuditChainBroken(beyond, f"entry {beyond} lies beyond the chain head "
                                       f"(entry {head_seq}): it was inserted without being "
                                       "chained", verified)
