"""``harborlight audit``: verify, anchor, checkpoint and export the audit trail.

``verify`` and ``anchor`` change nothing in the database; after a successful check they
move the anchor file (the chain's length and head hash, signed, beside the keyring) to
the head, and fail when the chain is shorter than the file says (see
:mod:`harborlight.security.audit.anchors`). ``checkpoint`` appends a signed checkpoint
entry. ``verify --file`` checks an export without a database. ``export`` writes a JSON Lines file, one entry per
line with every hashed field and the hash (created_at as "2026-11-23T03:25:45.123456Z"),
and adds one "export" entry to the trail saying it happened.
"""

from __future__ import annotations

import json
import os
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

import typer

from harborlight.cli.bootstrap import CONFIG_EXIT_CODE, setup_django
from harborlight.cli.errors import UsageProblem, fail
from harborlight.cli.operator import REASON, os_user, required_reason

BROKEN_EXIT_CODE = 1
BAD_INPUT_EXIT_CODE = 65

if TYPE_CHECKING:
    from harborlight.security.audit.anchors import AnchoredResult
    from harborlight.security.audit.chain import Anchor, VerifyResult

app = typer.Typer(help="The tamper-evident audit trail: verify, anchor, checkpoint, "
                       "export.",
                  no_args_is_help=True)


@app.command()
def verify(
    anchor: str = typer.Option("", "--anchor", metavar="SEQ:HASH",
                               help="Also check that entry SEQ still has HASH, as printed "
                                    "earlier by 'harborlight audit anchor'."),
    file: Path | None = typer.Option(None, "--file", exists=True, dir_okay=False,
                              help="Check an export made by 'harborlight audit export' "
                                   "instead of the database (needs no database)."),
) -> None:
    """Check every entry of the audit trail in order, and against the anchor file.

    Exits 0 and prints how many entries were verified, then moves the anchor file to the
    head; or exits 1 with one line naming the first broken link (an edited, deleted or
    moved entry, a deleted tail, a chain shorter than the anchor file or the last signed
    checkpoint says, a trail emptied). Changes nothing in the database.
    """
    from harborlight.security.audit.chain import Anchor

    try:
        expected = Anchor.parse(anchor) if anchor else None
    except ValueError as problem:
        raise UsageProblem(str(problem)) from None
    anchored = None
    if file:
        result = _verified_file(file, expected)
    else:
        anchored = _anchored(expected)
        result = anchored.result
    line = f"audit chain intact: {result.entries} entries verified"
    if result.head is not None:
        line += f", head {result.head}"
    if expected is not None:
        line += f"; anchor {expected.seq} matches"
    typer.echo(line)
    if anchored is not None:
        _say_anchor_file(anchored)


@app.command()
def checkpoint() -> None:
    """Verify the chain, then append a checkpoint entry signed with the keyring.

    Run it daily from a scheduled job: a chain rewritten before a checkpoint fails
    'audit verify' even if the anchor file is lost, unless whoever rewrote it also holds
    the keyring. Moves the anchor file to the checkpoint.
    """
    setup_django()
    from harborlight.security.audit.anchors import checkpoint as sign_checkpoint

    with _chain_problems_as_one_line(), _database_problems_as_one_line():
        head = sign_checkpoint()
    typer.echo(f"checkpoint {head.seq} signed, covering entry {head.seq - 1}; "
               f"anchor file at {head}")


@app.command()
def anchor() -> None:
    """Verify the chain, then print its head as SEQ:HASH. Moves the anchor file to it.

    Keep the line somewhere the database's administrators cannot change (on paper, in
    another system, in an email to your board): someone with full database access could
    rewrite the whole chain, but not the copies of its head you kept elsewhere.
    """
    anchored = _anchored(None)
    result = anchored.result
    if result.head is None:
        raise fail("the audit trail is empty: nothing to anchor yet", BROKEN_EXIT_CODE)
    typer.echo(str(result.head))
    _say_anchor_file(anchored)


@app.command()
def export(
    out: Path = typer.Option(..., "--out", help="JSON Lines file to create; must not exist."),
    reason: str = REASON,
) -> None:
    """Write every audit entry, in order, to a new JSON Lines file (mode 600).

    The file holds usernames, record references and typed reasons: store it as carefully
    as the database. The export itself is recorded in the audit trail, with --reason and
    the operating-system user who ran it.
    """
    reason = required_reason(reason)
    if out.exists():
        raise UsageProblem(f"{out} already exists; choose a new file name")
    if not out.parent.is_dir():
        raise UsageProblem(f"folder {out.parent} does not exist")
    setup_django()
    from harborlight.security.audit.chain import STORED_FIELDS, format_timestamp
    from harborlight.security.audit.store import iter_entries
    from harborlight.security.audit.log import record

    count = 0
    handle, temp_name = tempfile.mkstemp(prefix=".audit-export-", dir=out.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream, \
                _database_problems_as_one_line():
            for row in iter_entries():
                row = {name: row[name] for name in STORED_FIELDS}
                row["created_at"] = format_timestamp(row["created_at"])
                stream.write(json.dumps(row, sort_keys=True, ensure_ascii=False) + "\n")
                count += 1
        os.chmod(temp_name, 0o600)
        with _database_problems_as_one_line():
            record("export", object_type="audit.auditentry", reason=reason,
                   details={"entries": count, "os_user": os_user()})
        os.replace(temp_name, out)
    finally:
        if os.path.exists(temp_name):
            os.unlink(temp_name)
    typer.echo(f"exported {count} audit entries to {out}")


def _anchored(expected: "Anchor | None") -> "AnchoredResult":
    setup_django()
    from harborlight.security.audit.anchors import verify_anchored

    with _chain_problems_as_one_line(), _database_problems_as_one_line():
        return verify_anchored(anchor=expected)


def _say_anchor_file(anchored: "AnchoredResult") -> None:
    """A line on standard error when the anchor file could not be written (not fatal:
    the chain itself verified)."""
    if anchored.write_problem:
        typer.echo(f"warning: the anchor file was not updated ({anchored.write_problem})",
                   err=True)


def _verified_file(path: Path, expected: "Anchor | None") -> "VerifyResult":
    from harborlight.security.audit.chain import verify_export

    with _chain_problems_as_one_line(), path.open(encoding="utf-8") as lines:
        try:
            return verify_export(lines, anchor=expected)
        except (ValueError, UnicodeDecodeError) as problem:
            raise UsageProblem(f"{path}: {problem}", BAD_INPUT_EXIT_CODE) from None


@contextmanager
def _chain_problems_as_one_line() -> Iterator[None]:
    """A broken chain ends the command with exit 1 and one line naming the first break."""
    from harborlight.security.audit.chain import AuditChainBroken

    try:
        yield
    except AuditChainBroken as broken:
        where = f"entry {broken.seq}" if broken.seq is not None else "the chain head"
        before = "1 entry" if broken.verified == 1 else f"{broken.verified} entries"
        raise fail(f"audit chain broken at {where}: {broken.message} ({before} before it "
                   "verified)", BROKEN_EXIT_CODE)


@contextmanager
def _database_problems_as_one_line() -> Iterator[None]:
    """A database that is unreachable or not migrated ends the command with one line."""
    from django.db import DatabaseError

    try:
        yield
    except DatabaseError as problem:
        first_line = str(problem).strip().splitlines()[0] if str(problem).strip() else ""
        raise UsageProblem(f"database: {first_line or type(problem).__name__} (is it "
                           "reachable, and did 'harborlight migrate' run?)",
                           CONFIG_EXIT_CODE) from None
