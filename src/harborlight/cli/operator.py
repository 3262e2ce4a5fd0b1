"""Who runs a command: the operating-system user, for the audit trail.

Commands run on the server have no Harborlight user; their audit entries name the
account that ran them on the machine instead (``details["os_user"]``), so an export or a
backup is never "(no user)".
"""

from __future__ import annotations

import getpass

import typer

from harborlight.cli.errors import UsageProblem


def os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "(unknown)"


def required_reason(reason: str) -> str:
    """The ``--reason`` an export must give, stripped; a usage error when it is blank."""
    reason = reason.strip()
    if not reason:
        raise UsageProblem("say why with --reason \"...\": an export of records is kept in "
                           "the audit trail with its reason")
    return reason


REASON = typer.Option("", "--reason", metavar="TEXT",
                      help="Required: why this export is needed (kept in the audit trail "
                           "with your operating-system user).")
