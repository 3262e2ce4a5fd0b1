"""verify(): an intact chain passes; edits, deletions, moves and a cut tail are named."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from django.db import connection

from harborlight.security.audit.chain import Anchor, AuditChainBroken, entry_hash
from harborlight.security.audit.store import verify
from harborlight.security.audit.log import record
from harborlight.security.audit.models import AuditChainHead, AuditEntry
from tests_support import as_database_owner

pytestmark = pytest.mark.django_db

START = datetime(2026, 11, 23, 3, 0, tzinfo=timezone.utc)
ENTRIES = AuditEntry._meta.db_table
HEAD = AuditChainHead._meta.db_table


@pytest.fixture
def chain(caseworker, harbor) -> list[AuditEntry]:
    """Seven entries of mixed kinds."""
    actions = ["login", "read", "update", "read", "export", "read", "logout"]
    return [record(action, actor=caseworker, obj=harbor, reason=f"step {index}",
                   details={"step": index}, now=START + timedelta(minutes=index))
            for index, action in enumerate(actions)]


def sql(statement: str, params: list | None = None) -> None:
    """Tamper as the owner of the whole database would (past the append-only triggers)."""
    with as_database_owner(), connection.cursor() as cursor:
        cursor.execute(statement, params or [])


def broken_link(**kwargs) -> AuditChainBroken:
    with pytest.raises(AuditChainBroken) as caught:
        verify(**kwargs)
    return caught.value


def test_it_counts_the_entries_of_an_intact_chain(chain):
    result = verify()

    assert result.entries == 7
    assert result.head == Anchor(7, chain[-1].hash)


def test_it_accepts_an_empty_trail():
    assert verify().entries == 0


def test_it_names_an_entry_edited_through_raw_sql(chain):
    sql(f"UPDATE {ENTRIES} SET reason = %s WHERE seq = %s", ["nothing to see", 3])

    broken = broken_link()
    assert broken.seq == 3
    assert "entry 3 was changed" in broken.message
    assert broken.verified == 2


def test_it_names_an_entry_whose_actor_was_rewritten(chain, supervisor):
    sql(f"UPDATE {ENTRIES} SET actor_id = %s, actor_username = %s WHERE seq = %s",
        [supervisor.pk, supervisor.username, 5])

    assert broken_link().seq == 5


def test_it_names_an_entry_deleted_through_raw_sql(chain):
    sql(f"DELETE FROM {ENTRIES} WHERE seq = %s", [4])

    broken = broken_link()
    assert broken.seq == 4
    assert "entry 4 is missing" in broken.message
    assert "from entry 3 to entry 5" in broken.message


def test_it_names_a_deleted_entry_when_the_later_ones_were_renumbered(chain):
    sql(f"DELETE FROM {ENTRIES} WHERE seq = %s", [4])
    for seq in (5, 6, 7):
        sql(f"UPDATE {ENTRIES} SET seq = %s WHERE seq = %s", [seq - 1, seq])
    sql(f"UPDATE {HEAD} SET last_seq = 6")

    broken = broken_link()
    assert broken.seq == 4
    assert "does not link to entry 3" in broken.message


def test_it_names_a_deleted_tail(chain):
    sql(f"DELETE FROM {ENTRIES} WHERE seq >= %s", [6])

    broken = broken_link()
    assert broken.seq == 6
    assert "entries 6 to 7 are missing" in broken.message
    assert broken.verified == 5


def test_it_names_swapped_entries(chain):
    sql(f"UPDATE {ENTRIES} SET seq = -1 WHERE seq = 2")
    sql(f"UPDATE {ENTRIES} SET seq = 2 WHERE seq = 3")
    sql(f"UPDATE {ENTRIES} SET seq = 3 WHERE seq = -1")

    broken = broken_link()
    assert broken.seq == 2
    assert "does not link to entry 1" in broken.message


def test_it_names_the_next_entry_when_an_edit_recomputed_its_own_hash(chain):
    row = AuditEntry.objects.values().get(seq=2)
    row["reason"] = "rewritten"
    sql(f"UPDATE {ENTRIES} SET reason = %s, hash = %s WHERE seq = 2",
        ["rewritten", entry_hash(row)])

    broken = broken_link()
    assert broken.seq == 3
    assert "does not link to entry 2" in broken.message


def test_it_names_an_entry_appended_without_moving_the_head(chain):
    row = AuditEntry.objects.values().get(seq=7)
    forged = {**row, "seq": 8, "prev_hash": row["hash"], "reason": "forged"}
    forged["hash"] = entry_hash(forged)
    AuditEntry.objects.bulk_create([AuditEntry(**forged)])

    assert broken_link().seq == 8


def test_it_finds_the_first_break_across_batches(chain):
    sql(f"UPDATE {ENTRIES} SET details = %s WHERE seq = %s", ['{"step": 99}', 6])
    sql(f"UPDATE {ENTRIES} SET reason = %s WHERE seq = %s", ["later edit", 7])

    broken = broken_link(batch_size=2)
    assert broken.seq == 6
    assert broken.verified == 5


def test_it_reports_a_missing_head_row(chain):
    sql(f"DELETE FROM {HEAD}")

    broken = broken_link()
    assert broken.seq is None
    assert "head row is missing" in broken.message


def test_it_passes_a_whole_rewrite_that_an_anchor_still_catches(chain):
    """The documented limit: full database write access can rewrite the chain and head."""
    anchor = verify().head
    row = AuditEntry.objects.values().get(seq=7)
    row["reason"] = "rewritten end"
    row["hash"] = entry_hash(row)
    sql(f"UPDATE {ENTRIES} SET reason = %s, hash = %s WHERE seq = 7",
        [row["reason"], row["hash"]])
    sql(f"UPDATE {HEAD} SET last_hash = %s", [row["hash"]])

    assert verify().entries == 7
    broken = broken_link(anchor=anchor)
    assert broken.seq == 7
    assert "no longer has the anchored hash" in broken.message


def test_it_accepts_an_anchor_the_chain_still_contains(chain):
    anchor = Anchor(4, chain[3].hash)
    record("logout", now=START + timedelta(hours=1))

    assert verify(anchor=anchor).anchor_checked == anchor


def test_it_names_a_chain_cut_below_its_anchor(chain):
    anchor = verify().head
    sql(f"DELETE FROM {ENTRIES} WHERE seq >= 6")
    sql(f"UPDATE {HEAD} SET last_seq = 5, last_hash = %s", [chain[4].hash])

    broken = broken_link(anchor=anchor)
    assert broken.seq == 7
    assert "anchor names entry 7" in broken.message


@pytest.mark.parametrize("text", ["", "7", "7:", "0:" + "a" * 64, "x:" + "a" * 64,
                                  "7:" + "A" * 64, "7:" + "a" * 63, "-1:" + "a" * 64])
def test_it_rejects_malformed_anchors(text):
    with pytest.raises(ValueError, match="is not SEQ:HASH"):
        Anchor.parse(text)
