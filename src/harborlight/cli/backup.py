"""``harborlight backup``: encrypted backups of the database and the keyring.

``create`` takes a consistent snapshot while the server runs (SQLite's backup API, or
pg_dump in one snapshot) with the keyring and a manifest (row counts, audit head), all
encrypted with a passphrase. ``restore`` refuses a backup whose contents do not match its
manifest, verifies the audit chain and decrypts a sample before it keeps anything. See
:mod:`harborlight.security.backup` and docs/security.md ("Backups").
"""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from harborlight.cli.bootstrap import setup_django
from harborlight.cli.errors import UsageProblem
from harborlight.cli.operator import os_user

REFUSED_EXIT_CODE = 1

app = typer.Typer(help="Encrypted backups of the database and keyring: create, restore.",
                  no_args_is_help=True)

PASSPHRASE_FILE = typer.Option(None, "--passphrase-file", dir_okay=False, exists=True,
                               help="Read the passphrase from the first line of this file.")
PASSPHRASE_STDIN = typer.Option(False, "--passphrase-stdin",
                                help="Read the passphrase from standard input.")


@app.command()
def create(
    out: Path = typer.Option(..., "--out", dir_okay=False,
                             help="The backup file to write (mode 600); must not exist."),
    passphrase_file: Path | None = PASSPHRASE_FILE,
    passphrase_stdin: bool = PASSPHRASE_STDIN,
) -> None:
    """Write an encrypted backup: database snapshot, keyring and manifest. Safe while
    the server runs; changes nothing but one audit entry saying it happened.

    Keep the passphrase apart from the backup file: together they open every record.
    """
    setup_django()
    from harborlight.security.audit.log import record
    from harborlight.security.backup import BackupError, create as create_backup

    passphrase = _passphrase(passphrase_file, passphrase_stdin, confirm=True)
    try:
        manifest = create_backup(out, passphrase)
    except BackupError as problem:
        raise UsageProblem(str(problem), REFUSED_EXIT_CODE) from None
    rows = sum(manifest["tables"].values())
    record("backup_create", object_type="audit.auditentry", details={
        "os_user": os_user(), "file": out.name, "tables": len(manifest["tables"]),
        "rows": rows, "audit_head": manifest["audit_head"].split(":")[0] or "0"})
    typer.echo(f"backup written to {out}: {len(manifest['tables'])} tables, {rows} rows, "
               f"audit head {manifest['audit_head'] or '(empty)'}")


@app.command()
def restore(
    file: Path = typer.Argument(..., exists=True, dir_okay=False,
                                help="A file made by 'harborlight backup create'."),
    passphrase_file: Path | None = PASSPHRASE_FILE,
    passphrase_stdin: bool = PASSPHRASE_STDIN,
    replace: bool = typer.Option(False, "--replace",
                                 help="Overwrite a database that already holds tables, and "
                                      "a keyring that is not the backup's (kept beside it "
                                      "as keys.json.before-restore)."),
) -> None:
    """Restore a backup into the configured database and keyring, after proving it.

    Refuses a backup whose database or keyring does not match its manifest (counts of
    every table, the audit head), whose audit chain does not verify, or whose values do
    not decrypt with its keyring. Stop the server first.
    """
    setup_django()
    from harborlight.security.audit.log import record
    from harborlight.security.backup import BackupError, restore as restore_backup

    passphrase = _passphrase(passphrase_file, passphrase_stdin, confirm=False)
    try:
        restored = restore_backup(file, passphrase, replace=replace)
    except BackupError as problem:
        raise UsageProblem(str(problem), REFUSED_EXIT_CODE) from None
    manifest = restored.manifest
    head = manifest["audit_head"].split(":")[0] or "0"
    record("backup_restore", object_type="audit.auditentry", details={
        "os_user": os_user(), "file": file.name, "made": manifest["created_at"],
        "audit_head": head})
    samples = ", ".join(restored.sample_key_ids) or "none (no encrypted values)"
    typer.echo(f"restored {file.name} (made {manifest['created_at']}): "
               f"{len(manifest['tables'])} tables match the manifest, audit chain verified "
               f"up to entry {head}, sample values decrypted under: {samples}")
    if restored.entries_lost:
        typer.echo(f"warning: the anchor file named entry {restored.previous_anchor.seq}; "
                   f"the {restored.entries_lost} audit entries written after this backup "
                   "are not in it. The anchor file now names the restored head.", err=True)


def _passphrase(path: Path | None, stdin: bool, confirm: bool) -> str:
    if path is not None:
        lines = path.read_text(encoding="utf-8").splitlines()
        return lines[0] if lines else ""
    if stdin:
        return sys.stdin.readline().rstrip("\n")
    return typer.prompt("Backup passphrase", hide_input=True,
                        confirmation_prompt=confirm)
