"""An audit trail that cannot be emptied (issue 12, Medium 3).

The anchor file beside the keyring, signed checkpoints in the chain, and the database's
append-only triggers: ``audit verify`` fails when the chain is shorter than the anchor or
was emptied, and the ORM cannot update or delete an entry.
"""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from django.conf import settings
from django.db import DatabaseError, connection, transaction
from typer.testing import CliRunner

from harborlight.cli.audit import app
from harborlight.security.audit import append_only
from harborlight.security.audit.chain import entry_hash
from harborlight.security.audit.log import record
from harborlight.security.audit.models import AuditChainHead, AuditEntry
from harborlight.web.checks import collect_problems
from tests_support import as_database_owner

pytestmark = pytest.mark.django_db

ENTRIES = AuditEntry._meta.db_table
HEAD = AuditChainHead._meta.db_table


def run(*args: str):
    return CliRunner().invoke(app, list(args))


def sql(statement: str, params: list | None = None) -> None:
    """Tamper as the owner of the whole database would (past the triggers)."""
    with as_database_owner(), connection.cursor() as cursor:
        cursor.execute(statement, params or [])


def anchor_path() -> Path:
    return Path(settings.AUDIT_ANCHOR_FILE)


# -- the anchor file --------------------------------------------------------------------

def test_it_writes_a_signed_anchor_file_of_mode_600_on_verify(chain):
    result = run("verify")

    assert result.exit_code == 0, result.output
    data = json.loads(anchor_path().read_text("utf-8"))
    assert (data["seq"], data["hash"]) == (4, chain[-1].hash)
    assert len(data["signature"]) == 64
    assert stat.S_IMODE(anchor_path().stat().st_mode) == 0o600


def test_it_fails_verify_after_every_entry_was_deleted(chain):
    assert run("verify").exit_code == 0
    sql(f"DELETE FROM {ENTRIES}")
    sql(f"DELETE FROM {HEAD}")

    result = run("verify")

    assert result.exit_code == 1
    assert "the chain ends at entry 0" in result.output
    assert "anchor file" in result.output and "entries were removed" in result.output


def test_it_fails_verify_of_an_emptied_trail_even_before_any_anchor(chain):
    """No anchor file yet, but accounts exist: every account's creation is audited."""
    sql(f"DELETE FROM {ENTRIES}")
    sql(f"DELETE FROM {HEAD}")

    result = run("verify")

    assert result.exit_code == 1
    assert "the audit trail is empty although" in result.output


def test_it_fails_verify_after_the_tail_was_cut_and_the_head_rewound(chain):
    assert run("verify").exit_code == 0
    sql(f"DELETE FROM {ENTRIES} WHERE seq > 2")
    sql(f"UPDATE {HEAD} SET last_seq = 2, last_hash = %s", [chain[1].hash])

    result = run("verify")

    assert result.exit_code == 1
    assert "the chain ends at entry 2" in result.output
    assert "names entry 4" in result.output


def test_it_fails_verify_after_the_whole_chain_was_rewritten(chain):
    assert run("verify").exit_code == 0
    row = AuditEntry.objects.values().get(seq=4)
    row["reason"] = "rewritten end"
    row["hash"] = entry_hash(row)
    sql(f"UPDATE {ENTRIES} SET reason = %s, hash = %s WHERE seq = 4",
        [row["reason"], row["hash"]])
    sql(f"UPDATE {HEAD} SET last_hash = %s", [row["hash"]])

    result = run("verify")

    assert result.exit_code == 1
    assert "entry 4 no longer has the anchored hash" in result.output


def test_it_moves_the_anchor_forward_as_the_trail_grows(chain, caseworker):
    assert run("verify").exit_code == 0
    later = record("read", actor=caseworker)

    assert run("verify").exit_code == 0
    assert json.loads(anchor_path().read_text("utf-8"))["seq"] == later.seq


def test_it_refuses_an_edited_anchor_file(chain):
    assert run("verify").exit_code == 0
    data = json.loads(anchor_path().read_text("utf-8"))
    data["seq"] = 2
    data["hash"] = chain[1].hash
    anchor_path().write_text(json.dumps(data), "utf-8")

    result = run("verify")

    assert result.exit_code == 1
    assert "signature does not match" in result.output


def test_it_anchors_the_file_when_printing_the_head(chain):
    result = run("anchor")

    assert result.exit_code == 0, result.output
    assert json.loads(anchor_path().read_text("utf-8"))["seq"] == 4


# -- signed checkpoints -----------------------------------------------------------------

def test_it_appends_a_signed_checkpoint(chain):
    result = run("checkpoint")

    assert result.exit_code == 0, result.output
    entry = AuditEntry.objects.order_by("-seq").first()
    assert (entry.seq, entry.action) == (5, "checkpoint")
    assert entry.details["covers"] == f"4:{chain[-1].hash}"
    assert "checkpoint 5 signed" in result.output
    assert json.loads(anchor_path().read_text("utf-8"))["seq"] == 5
    assert run("verify").exit_code == 0


def test_it_catches_a_rewrite_before_a_checkpoint_without_the_anchor_file(chain):
    """Someone with the database but not the keyring rewrites every hash and removes the
    anchor file: the checkpoint's signature no longer matches the entry before it."""
    assert run("checkpoint").exit_code == 0
    anchor_path().unlink()
    rows = list(AuditEntry.objects.order_by("seq").values())
    rows[1]["reason"] = "rewritten"
    prev = rows[0]["hash"]
    for row in rows[1:]:
        row["prev_hash"] = prev
        if row["action"] == "checkpoint":
            row["details"] = {**row["details"],
                              "covers": f"{row['seq'] - 1}:{prev}"}  # signature kept
        row["hash"] = entry_hash(row)
        prev = row["hash"]
    for row in rows[1:]:
        sql(f"UPDATE {ENTRIES} SET reason = %s, prev_hash = %s, hash = %s, details = %s "
            "WHERE seq = %s", [row["reason"], row["prev_hash"], row["hash"],
                               json.dumps(row["details"]), row["seq"]])
    sql(f"UPDATE {HEAD} SET last_hash = %s", [prev])

    result = run("verify")

    assert result.exit_code == 1
    assert "checkpoint entry 5 does not carry this installation's signature" in result.output


def test_it_refuses_to_checkpoint_a_broken_chain(chain):
    sql(f"UPDATE {ENTRIES} SET reason = 'edited' WHERE seq = 2")

    result = run("checkpoint")

    assert result.exit_code == 1
    assert "entry 2" in result.output
    assert not AuditEntry.objects.filter(action="checkpoint").exists()


# -- append-only in the database --------------------------------------------------------

def refused():
    return pytest.raises(DatabaseError, match="append-only")


def test_it_refuses_an_orm_update_of_an_entry(chain):
    with refused(), transaction.atomic():
        AuditEntry.objects.filter(seq=2).update(reason="edited")
    assert AuditEntry.objects.get(seq=2).reason == ""


def test_it_refuses_to_save_an_edited_entry(chain):
    entry = AuditEntry.objects.get(seq=2)
    entry.reason = "edited"
    with refused(), transaction.atomic():
        entry.save()


def test_it_refuses_an_orm_delete_of_one_entry_or_all(chain):
    with refused(), transaction.atomic():
        AuditEntry.objects.get(seq=3).delete()
    with refused(), transaction.atomic():
        AuditEntry.objects.all().delete()
    assert AuditEntry.objects.count() == 4


def test_it_refuses_raw_sql_deletes_through_harborlights_connection(chain):
    with refused(), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {ENTRIES}")


def test_it_refuses_to_rewind_or_delete_the_head(chain):
    with refused(), transaction.atomic():
        AuditChainHead.objects.update(last_seq=2, last_hash=chain[1].hash)
    with refused(), transaction.atomic():
        AuditChainHead.objects.all().delete()
    assert AuditChainHead.objects.get().last_seq == 4


def test_it_still_appends(chain, caseworker):
    entry = record("read", actor=caseworker)

    assert AuditChainHead.objects.get().last_seq == entry.seq == 5


# -- harborlight check ------------------------------------------------------------------

def texts() -> list[str]:
    return [f"{p.level}: {p.text}" for p in collect_problems()]


def test_check_reports_a_trail_shorter_than_its_anchor(chain):
    assert run("verify").exit_code == 0
    sql(f"DELETE FROM {ENTRIES} WHERE seq > 2")
    sql(f"UPDATE {HEAD} SET last_seq = 2, last_hash = %s", [chain[1].hash])

    assert any(text.startswith("error: the audit trail ends at entry 2") for text in texts())


def test_check_reports_missing_append_only_triggers(chain):
    name = sorted(append_only.TRIGGERS[connection.vendor])[0]
    sql(f"DROP TRIGGER {name}" + (f" ON {ENTRIES}" if connection.vendor == "postgresql"
                                  and "entries" in name else
                                  f" ON {HEAD}" if connection.vendor == "postgresql" else ""))
    try:
        problems = texts()
    finally:
        append_only.install()

    assert any(name in text and text.startswith("error:") for text in problems), problems


def test_check_is_quiet_about_an_intact_anchored_trail(chain):
    assert run("verify").exit_code == 0

    assert not [text for text in texts() if "audit" in text]
