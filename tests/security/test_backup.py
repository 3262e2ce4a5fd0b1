"""``harborlight backup create | restore`` (issue 12, Medium 8), as an operator runs them:
real processes on a scratch SQLite file or PostgreSQL database (whichever the suite runs
on), a migrated installation with encrypted records and an audit trail."""

from __future__ import annotations

import io
import json
import stat
import time
import tarfile
from pathlib import Path

import pytest

from harborlight.security.backup import _DecryptingReader, _EncryptingWriter
from installations import (TipSender, fresh_installation, installed, ok, run,
                           scratch_database, serving, suite_database_kind)

pytestmark = pytest.mark.slow

SECRET = "correct horse battery staple backup"
KIND = suite_database_kind()


def import_two_survivors(env) -> None:
    """Two survivors imported (encrypted names), the audit trail verified and anchored."""
    source = Path(env["HARBORLIGHT_DATA_DIR"]) / "people.csv"
    source.write_text("prs_First_Name,prs_SecondName,cas_Status\n"
                      "Kemi,Adebayo,Active\nLuz,Quintero,Active\n", "utf-8")
    ok(env, "import", "htcds", str(source), "--organisation", "harbor-hotline")
    ok(env, "audit", "verify")


@pytest.fixture
def installation(tmp_path):
    """A running installation's environment: an organisation, two survivors imported
    (encrypted names), an anchored audit trail. A copy of this worker's template, built
    once by the same commands (tests/installations.py)."""
    folder = tmp_path / "live"
    folder.mkdir()
    with installed(folder, KIND, prepare=import_two_survivors) as env:
        yield env


@pytest.fixture
def empty(tmp_path):
    """A second machine: an empty database, no keyring file yet."""
    folder = tmp_path / "new"
    folder.mkdir()
    with scratch_database(KIND, folder) as url:
        env = fresh_installation(folder, url)
        Path(env["HARBORLIGHT_KEYS_FILE"]).unlink()
        yield env


def backup(env, out: Path) -> str:
    return ok(env, "backup", "create", "--out", str(out), "--passphrase-stdin",
              stdin=SECRET + "\n", timeout=300)


def restore(env, path: Path, *more: str, passphrase: str = SECRET):
    return run(env, "backup", "restore", str(path), "--passphrase-stdin", *more,
               stdin=passphrase + "\n", timeout=300)


def surnames(env, folder: Path) -> set[str]:
    out = folder / "export.json"
    ok(env, "export", "htcds", "--out", str(out), "--organisation", "harbor-hotline",
       "--reason", "backup test")
    return {record["prs_SecondName"] for record in json.loads(out.read_text())["records"]}


def test_it_restores_a_backup_on_a_new_machine_with_its_keyring(installation, empty,
                                                                  tmp_path):
    out = tmp_path / "harbor.hlbackup"

    made = backup(installation, out)

    assert made.startswith(f"backup written to {out}:")
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert b"Adebayo" not in out.read_bytes() and b"index_key" not in out.read_bytes()

    restored = restore(empty, out)

    assert restored.returncode == 0, restored.stderr
    assert "tables match the manifest, audit chain verified up to entry" in restored.stdout
    assert "sample values decrypted under: k1" in restored.stdout
    keys = Path(empty["HARBORLIGHT_KEYS_FILE"])
    assert stat.S_IMODE(keys.stat().st_mode) == 0o600
    assert ok(empty, "check").startswith("OK")
    assert ok(empty, "keys", "check").startswith("Keyring OK")
    assert ok(empty, "audit", "verify").startswith("audit chain intact")
    assert surnames(empty, tmp_path) >= {"Adebayo", "Quintero"}


def test_it_takes_a_consistent_snapshot_while_the_server_takes_tips(installation, empty,
                                                                   tmp_path):
    """Tips keep arriving while the backup runs; the restored database is exactly what
    its manifest (counts of every table, audit head) says, and holds every tip answered
    before the backup began."""
    out = tmp_path / "harbor.hlbackup"
    env = {**installation, "HARBORLIGHT_PUBLIC_TIPS_PER_MINUTE": "100000",
           "HARBORLIGHT_PUBLIC_TIPS_PER_CLIENT_PER_MINUTE": "100000"}
    with serving(env) as server:
        sender = TipSender(server, 1)
        sender.start()
        while len(sender.answers) < 3:
            time.sleep(0.1)
        before = [reference for status, reference in sender.answers if status == 201]
        backup(env, out)
        during = sender.stop()

    assert {status for status, _ in during} == {201}
    restored = restore(empty, out)
    assert restored.returncode == 0, restored.stderr
    token = {"Authorization": f"Bearer {installation['TOKEN']}"}
    with serving(empty) as server:
        reads = [server.get(f"/api/v1/tips/{reference}", **token).status
                 for reference in before]
    assert reads == [200] * len(before)


def test_it_refuses_a_wrong_passphrase_and_leaves_the_database_alone(installation, empty,
                                                                     tmp_path):
    out = tmp_path / "harbor.hlbackup"
    backup(installation, out)

    refused = restore(empty, out, passphrase="not the right passphrase")

    assert refused.returncode == 1
    assert "wrong passphrase, or the backup file was changed or damaged" in refused.stderr
    assert "Traceback" not in refused.stderr
    assert not Path(empty["HARBORLIGHT_KEYS_FILE"]).exists()
    assert "migration(s) not applied" in run(empty, "check").stdout


@pytest.mark.parametrize("damage", ["flip a byte", "cut the end"])
def test_it_refuses_a_damaged_or_cut_backup(installation, empty, tmp_path, damage):
    out = tmp_path / "harbor.hlbackup"
    backup(installation, out)
    data = bytearray(out.read_bytes())
    if damage == "flip a byte":
        data[len(data) // 2] ^= 1
    else:
        del data[-100:]
    out.write_bytes(bytes(data))

    refused = restore(empty, out)

    assert refused.returncode == 1
    assert "damaged" in refused.stderr or "cut short" in refused.stderr
    assert not Path(empty["HARBORLIGHT_KEYS_FILE"]).exists()


def rewrite_manifest(path: Path, change) -> None:
    """Open the backup (with its passphrase), change the manifest, seal it again: a
    backup whose manifest no longer describes what it holds."""
    members = []
    with path.open("rb") as raw, _DecryptingReader(raw, SECRET) as opened, \
            tarfile.open(fileobj=opened, mode="r|") as archive:
        for member in archive:
            members.append((member.name, archive.extractfile(member).read()))
    with path.open("wb") as raw:
        with _EncryptingWriter(raw, SECRET) as sealed, \
                tarfile.open(fileobj=sealed, mode="w|") as archive:
            for name, data in members:
                if name == "manifest.json":
                    manifest = json.loads(data)
                    change(manifest)
                    data = json.dumps(manifest).encode()
                info = tarfile.TarInfo(name)
                info.size = len(data)
                archive.addfile(info, io.BytesIO(data))


def test_it_refuses_a_backup_whose_counts_do_not_match_its_manifest(installation, empty,
                                                                    tmp_path):
    out = tmp_path / "harbor.hlbackup"
    backup(installation, out)
    rewrite_manifest(out, lambda m: m["tables"].update(
        cases_person=m["tables"]["cases_person"] + 5))

    refused = restore(empty, out)

    assert refused.returncode == 1
    assert ("does not match the backup's manifest (table counts differ: cases_person)"
            in refused.stderr)


def test_it_refuses_a_backup_whose_database_is_not_the_one_its_manifest_names(
        installation, empty, tmp_path):
    out = tmp_path / "harbor.hlbackup"
    backup(installation, out)
    rewrite_manifest(out, lambda m: m["database"].update(sha256="0" * 64))

    refused = restore(empty, out)

    assert refused.returncode == 1
    assert "the database in the backup does not match its manifest" in refused.stderr


def test_it_refuses_to_restore_over_a_database_that_holds_tables(installation, tmp_path):
    out = tmp_path / "harbor.hlbackup"
    backup(installation, out)

    refused = restore(installation, out)

    assert refused.returncode == 1
    assert "add --replace" in refused.stderr


def test_it_restores_over_a_newer_database_with_replace_and_says_what_was_lost(
        installation, tmp_path):
    out = tmp_path / "harbor.hlbackup"
    backup(installation, out)
    ok(installation, "audit", "checkpoint")
    ok(installation, "audit", "verify")

    restored = restore(installation, out, "--replace")

    assert restored.returncode == 0, restored.stderr
    assert "audit entries written after this backup are not in it" in restored.stderr
    assert ok(installation, "audit", "verify").startswith("audit chain intact")


def test_it_refuses_a_short_passphrase(installation, tmp_path):
    result = run(installation, "backup", "create", "--out", str(tmp_path / "b"),
                 "--passphrase-stdin", stdin="short\n")

    assert result.returncode == 1
    assert "at least 12 characters" in result.stderr
    assert not (tmp_path / "b").exists()


def test_it_records_the_backup_in_the_audit_trail(installation, tmp_path):
    backup(installation, tmp_path / "harbor.hlbackup")
    exported = tmp_path / "audit.jsonl"
    ok(installation, "audit", "export", "--out", str(exported), "--reason", "backup test")

    entries = [json.loads(line) for line in exported.read_text().splitlines()]
    made = [e for e in entries if e["action"] == "backup_create"]
    assert len(made) == 1
    assert made[0]["details"]["os_user"] and made[0]["details"]["file"] == "harbor.hlbackup"
