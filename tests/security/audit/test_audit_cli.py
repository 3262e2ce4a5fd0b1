"""``harborlight audit verify | anchor | export``."""

from __future__ import annotations

import json
import stat

import pytest
from django.db import connection
from typer.testing import CliRunner

from harborlight.cli.audit import app
from harborlight.cli.errors import UsageProblem
from harborlight.security.audit.store import verify
from harborlight.security.audit.log import record
from harborlight.security.audit.models import AuditEntry
from tests_support import as_database_owner

pytestmark = pytest.mark.django_db


def run(*args: str):
    return CliRunner().invoke(app, list(args))


def test_it_exits_zero_with_a_count_when_the_chain_is_intact(chain):
    result = run("verify")

    assert result.exit_code == 0, result.output
    assert f"audit chain intact: 4 entries verified, head 4:{chain[-1].hash}" in result.output


def test_it_exits_one_naming_an_entry_edited_through_raw_sql(chain):
    with as_database_owner(), connection.cursor() as cursor:
        cursor.execute(f"UPDATE {AuditEntry._meta.db_table} SET object_id = '999' "
                       "WHERE seq = 2")

    result = run("verify")

    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("harborlight: error: audit chain broken at entry 2:")


def test_it_exits_one_naming_an_entry_deleted_through_raw_sql(chain):
    with as_database_owner(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {AuditEntry._meta.db_table} WHERE seq = 3")

    result = run("verify")

    assert result.exit_code == 1
    assert "audit chain broken at entry 3: entry 3 is missing" in result.output


def test_it_prints_the_head_as_an_anchor_that_verify_accepts(chain):
    anchored = run("anchor")
    assert anchored.exit_code == 0
    assert anchored.output.strip() == f"4:{chain[-1].hash}"

    record("login")
    result = run("verify", "--anchor", anchored.output.strip())
    assert result.exit_code == 0
    assert "5 entries verified" in result.output and "anchor 4 matches" in result.output


def test_it_exits_one_when_the_anchor_hash_no_longer_matches(chain):
    result = run("verify", "--anchor", "2:" + "0" * 64)

    assert result.exit_code == 1
    assert "entry 2 no longer has the anchored hash" in result.output


def test_it_refuses_a_malformed_anchor_with_a_usage_problem(chain):
    result = run("verify", "--anchor", "two:abc")

    assert isinstance(result.exception, UsageProblem)
    assert "is not SEQ:HASH" in str(result.exception)


def test_it_refuses_to_anchor_an_empty_trail():
    result = run("anchor")

    assert result.exit_code == 1
    assert "empty" in result.output


def test_it_exports_every_entry_as_json_lines_and_records_the_export(chain, tmp_path):
    out = tmp_path / "audit.jsonl"

    result = run("export", "--out", str(out), "--reason", "test")

    assert result.exit_code == 0, result.output
    assert "exported 4 audit entries" in result.output
    rows = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    assert [row["seq"] for row in rows] == [1, 2, 3, 4]
    assert rows[1]["hash"] == chain[1].hash and rows[1]["prev_hash"] == chain[0].hash
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    last = AuditEntry.objects.order_by("-seq").first()
    assert (last.action, last.reason, last.details["entries"]) == ("export", "test", 4)
    assert verify().entries == 5


def test_it_refuses_to_overwrite_an_existing_export(chain, tmp_path):
    out = tmp_path / "audit.jsonl"
    out.write_text("keep me")

    result = run("export", "--out", str(out), "--reason", "test")

    assert isinstance(result.exception, UsageProblem)
    assert out.read_text() == "keep me"


@pytest.mark.slow
def test_it_runs_as_the_real_command_against_a_sqlite_file(tmp_path):
    """End to end: a fresh process, a migrated SQLite file, a row deleted behind its back."""
    import os
    import sqlite3
    import subprocess
    import sys
    from pathlib import Path

    database = tmp_path / "harborlight.sqlite3"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "django_settings",
           "HARBORLIGHT_DATABASE_URL": f"sqlite:///{database}",
           "PYTHONPATH": os.pathsep.join([str(Path(__file__).resolve().parents[2]),
                                          os.environ.get("PYTHONPATH", "")])}

    def python(code: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                              text=True, timeout=300)

    def harborlight(*args: str) -> subprocess.CompletedProcess:
        return python("import sys; from harborlight.cli import main; "
                      f"sys.argv = ['harborlight', *{list(args)!r}]; main()")

    prepared = python(
        "import django; django.setup()\n"
        "from django.core.management import call_command\n"
        "call_command('migrate', verbosity=0, interactive=False)\n"
        "from harborlight.security.audit.log import record\n"
        "for n in range(5): record('read', object_type='test.item', object_id=str(n))\n")
    assert prepared.returncode == 0, prepared.stderr[-2000:]

    intact = harborlight("audit", "verify")
    assert intact.returncode == 0, intact.stderr[-2000:]
    assert intact.stdout.startswith("audit chain intact: 5 entries verified")

    with sqlite3.connect(database) as raw:
        with pytest.raises(sqlite3.DatabaseError):  # the append-only trigger refuses
            raw.execute(f"DELETE FROM {AuditEntry._meta.db_table} WHERE seq = 2")
        # Whoever holds the file can drop the trigger first; the chain still shows it.
        raw.execute("DROP TRIGGER harborlight_audit_entries_no_delete")
        raw.execute(f"DELETE FROM {AuditEntry._meta.db_table} WHERE seq = 2")

    broken = harborlight("audit", "verify")
    assert broken.returncode == 1
    assert broken.stderr.strip().splitlines() == [
        "harborlight: error: audit chain broken at entry 2: entry 2 is missing: the chain "
        "jumps from entry 1 to entry 3 (1 entry before it verified)"]


@pytest.fixture
def exported(chain, tmp_path):
    out = tmp_path / "audit.jsonl"
    assert run("export", "--out", str(out), "--reason", "test").exit_code == 0
    return out


def test_it_verifies_an_export_without_the_database(chain, exported):
    result = run("verify", "--file", str(exported))

    assert result.exit_code == 0, result.output
    assert f"audit chain intact: 4 entries verified, head 4:{chain[-1].hash}" in result.output


def test_it_names_an_entry_edited_in_an_export(exported):
    lines = exported.read_text("utf-8").splitlines()
    row = json.loads(lines[2])
    row["reason"] = "edited in the file"
    lines[2] = json.dumps(row)
    exported.write_text("\n".join(lines) + "\n", "utf-8")

    result = run("verify", "--file", str(exported))

    assert result.exit_code == 1
    assert "audit chain broken at entry 3: entry 3 was changed" in result.output


def test_it_catches_a_cut_export_only_with_an_anchor(chain, exported):
    anchor = f"4:{chain[-1].hash}"
    lines = exported.read_text("utf-8").splitlines()
    exported.write_text("\n".join(lines[:-1]) + "\n", "utf-8")

    assert run("verify", "--file", str(exported)).exit_code == 0
    result = run("verify", "--file", str(exported), "--anchor", anchor)
    assert result.exit_code == 1
    assert "the chain ends at entry 3, but the anchor names entry 4" in result.output


def test_it_refuses_an_export_line_that_is_not_an_entry(exported):
    with exported.open("a", encoding="utf-8") as stream:
        stream.write('{"seq": 5}\n')

    result = run("verify", "--file", str(exported))

    assert isinstance(result.exception, UsageProblem)
    assert result.exception.exit_code == 65
    assert "line 5 is not an exported audit entry: missing version" in str(result.exception)
