"""Everything that must be right before Harborlight serves a request.

``collect_problems`` runs Django's system checks (including the keyring checks that
:mod:`harborlight.security` registers), then checks the database connection and pending
migrations, then the audit trail against its anchor file and its append-only triggers,
and returns one :class:`Problem` per finding, worded for the person fixing it.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core import checks
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.db.utils import Error as DatabaseError

from harborlight.security.audit import append_only
from harborlight.security.audit.anchors import anchor_problem


@dataclass(frozen=True)
class Problem:
    level: str  # "error" or "warning"
    text: str


def collect_problems() -> list[Problem]:
    problems = _configuration_problems()
    database = _database_problem()
    if database is not None:
        return problems + [database]
    problems += _system_check_problems()
    migrations = _migration_problems()
    return problems + (migrations or _audit_problems())


def _configuration_problems() -> list[Problem]:
    problems = []
    if len(settings.SECRET_KEY) < 32:
        problems.append(Problem("error", "HARBORLIGHT_SECRET_KEY is shorter than 32 "
                                         "characters; use a long random value"))
    if settings.DEBUG:
        problems.append(Problem("warning", "HARBORLIGHT_DEBUG is on: error pages show "
                                           "internals; never use it with real data"))
    if not settings.SESSION_COOKIE_SECURE:
        problems.append(Problem("warning", "HARBORLIGHT_SECURE_COOKIES is off: only acceptable "
                                           "for a demo on 127.0.0.1"))
    return problems


def _database_problem() -> Problem | None:
    connection = connections[DEFAULT_DB_ALIAS]
    try:
        connection.ensure_connection()
    except DatabaseError as problem:
        first_line = str(problem).strip().splitlines()[0] if str(problem).strip() else ""
        return Problem("error", f"cannot connect to the database "
                                f"({connection.vendor}): {first_line}. Check "
                                "HARBORLIGHT_DATABASE_URL")
    return None


def _system_check_problems() -> list[Problem]:
    found = checks.run_checks(databases=[DEFAULT_DB_ALIAS])
    problems = []
    for message in found:
        if message.level < checks.WARNING:
            continue
        level = "error" if message.level >= checks.ERROR else "warning"
        hint = f" ({message.hint})" if message.hint else ""
        problems.append(Problem(level, f"{message.msg}{hint} [{message.id}]"))
    return problems


def _migration_problems() -> list[Problem]:
    connection = connections[DEFAULT_DB_ALIAS]
    executor = MigrationExecutor(connection)
    pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    problems = []
    if settings.CACHE_TABLE not in connection.introspection.table_names():
        problems.append(Problem("error", f"the table {settings.CACHE_TABLE} (sign-in lockout "
                                         "counts) is missing; run `harborlight migrate`"))
    if not pending:
        return problems
    names = ", ".join(f"{m.app_label}.{m.name}" for m, _ in pending[:3])
    more = f" and {len(pending) - 3} more" if len(pending) > 3 else ""
    return problems + [Problem("error", f"{len(pending)} database migration(s) not applied "
                                        f"({names}{more}); run `harborlight migrate`")]


def _audit_problems() -> list[Problem]:
    """The audit trail against its anchor file, and its append-only triggers."""
    problems = []
    problem = anchor_problem(DEFAULT_DB_ALIAS)
    if problem is not None:
        problems.append(Problem("error", problem))
    missing = append_only.missing(DEFAULT_DB_ALIAS)
    if missing:
        problems.append(Problem("error", "the audit tables are not append-only: trigger(s) "
                                         f"{', '.join(sorted(missing))} missing; run "
                                         "`harborlight migrate` to put them back"))
    return problems
