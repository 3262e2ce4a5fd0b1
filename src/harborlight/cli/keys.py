"""``harborlight keys``: create, check and rotate the encryption keyring.

The keyring is the only way to read the encrypted data: back it up, apart from the
database backups, every time it changes.
"""

from __future__ import annotations

from pathlib import Path

import typer

from harborlight.cli.bootstrap import CONFIG_EXIT_CODE, setup_django
from harborlight.cli.errors import UsageProblem

app = typer.Typer(help="Encryption keyring: generate, check, rotate, retire, merge.",
                  no_args_is_help=True)


@app.command()
def generate(
    out: Path = typer.Option(..., "--out", help="Where to write the new keyring (mode 0600). "
                             "An existing file is never overwritten."),
) -> None:
    """Write a new keyring with one encryption key (k1) and a blind-index key.

    Changes nothing else. Use it once per installation, then back the file up.
    """
    from harborlight.security.crypto import KeyringError, generate_keyring, write_keyring

    try:
        written = write_keyring(out, generate_keyring())
    except KeyringError as problem:
        raise UsageProblem(str(problem), 73) from None
    except OSError as problem:
        raise UsageProblem(f"cannot write {out}: {problem.strerror}", 73) from None
    typer.echo(f"Wrote a keyring with 1 key (k1) to {written}.")
    typer.echo("Back it up now, apart from your database backups: without it the encrypted "
               "data cannot be read by anyone.")


@app.command()
def check() -> None:
    """Check that the keyring loads and matches the database. Changes nothing."""
    setup_django()
    from harborlight.security.checks import verify_keyring
    from harborlight.security.crypto import KeyringError, get_keyring

    try:
        keyring = get_keyring()
        counts = verify_keyring(record=False)
    except KeyringError as problem:
        raise UsageProblem(str(problem), CONFIG_EXIT_CODE) from None
    used = ", ".join(f"{kid}: {counts.get(kid, 0)}" for kid in keyring.key_ids)
    typer.echo(f"Keyring OK: primary key {keyring.primary_key_id}; "
               f"encrypted values per key: {used}.")


@app.command()
def rotate(
    retire_old: bool = typer.Option(False, "--retire-old", help="Afterwards, drop the old "
                                    "keys from the keyring file once nothing uses them."),
    batch_size: int = typer.Option(500, min=1, help="Rows re-encrypted per batch."),
) -> None:
    """Add a new primary key and re-encrypt every encrypted value and attachment with it.

    Rewrites the keyring file (first adding the new key, and with --retire-old later
    dropping old keys once nothing uses them) and every encrypted column, in short
    batches. A running server follows the keyring file and keeps serving. Back up the
    keyring file before and afterwards.
    """
    setup_django()
    from django.db import DatabaseError
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from harborlight.security.crypto import KeyringError
    from harborlight.security.rotation import rotate_keys

    with Progress(TextColumn("Re-encrypting"), BarColumn(), MofNCompleteColumn(),
                  transient=True) as progress:
        task = progress.add_task("rotate", total=None)
        try:
            result = rotate_keys(
                batch_size=batch_size, retire_old=retire_old,
                on_total=lambda total: progress.update(task, total=total),
                on_advance=lambda n: progress.advance(task, n))
        except KeyringError as problem:
            raise UsageProblem(str(problem), CONFIG_EXIT_CODE) from None
        except DatabaseError as problem:
            first_line = (str(problem).strip().splitlines() or ["database error"])[0]
            raise UsageProblem(
                f"rotation stopped by a database error ({first_line}); the database "
                "transaction was rolled back and the keyring file holds the old and the new "
                "keys, so everything still decrypts. Fix the cause and run rotate again",
                1) from None
    typer.echo(f"New primary key {result.new_key_id}: re-encrypted {result.values_reencrypted} "
               f"value(s) in {result.rows_rewritten} row(s) and "
               f"{result.files_reencrypted} attachment(s).")
    if retire_old:
        retired = ", ".join(result.retired) or "none"
        typer.echo(f"Retired keys: {retired}.")
    typer.echo("Back up the keyring file now; keep the previous copy as long as you keep "
               "database backups made before this rotation.")


@app.command()
def retire() -> None:
    """Drop old keys from the keyring file once no stored value or attachment uses them.

    Rewrites the keyring file and deletes the old keys' canaries; refuses, changing
    nothing, while anything still uses an old key. Back up the previous keyring first.
    """
    setup_django()
    from harborlight.security.crypto import KeyringError
    from harborlight.security.rotation import retire_unused_keys

    try:
        retired = retire_unused_keys()
    except KeyringError as problem:
        raise UsageProblem(str(problem), CONFIG_EXIT_CODE) from None
    typer.echo(f"Retired keys: {', '.join(retired) or 'none'}.")


@app.command()
def merge(
    other: Path = typer.Argument(..., exists=True, dir_okay=False,
                                 help="A keyring file holding keys this one lacks: a backup "
                                      "made before a rotation or retirement."),
) -> None:
    """Add the keys of OTHER that the keyring file lacks (the primary key stays).

    The recovery when values are stored under a key the keyring no longer holds (`check`
    names it): merge the backup that holds it, then `harborlight keys rotate --retire-old`
    re-encrypts those values. Checks each added key against the stored data first.
    """
    setup_django()
    from harborlight.security.crypto import KeyringError
    from harborlight.security.rotation import merge_keyring

    try:
        added = merge_keyring(other)
    except KeyringError as problem:
        raise UsageProblem(str(problem), CONFIG_EXIT_CODE) from None
    if not added:
        typer.echo("Nothing to merge: the keyring already holds every key of that file.")
        return
    typer.echo(f"Added keys: {', '.join(added)}. Run `harborlight keys rotate --retire-old` "
               "to re-encrypt what they hold under the primary key, then back up the keyring.")

