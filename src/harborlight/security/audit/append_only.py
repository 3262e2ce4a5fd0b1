"""The audit tables refuse to be rewritten: triggers in the database itself.

Nothing in Harborlight updates or deletes an audit entry, so the database refuses it for
everyone who reaches the tables through Harborlight's connection, the ORM and raw SQL
alike:

- ``audit_auditentry``: every UPDATE and DELETE (and TRUNCATE, on PostgreSQL) is refused;
- ``audit_auditchainhead``: the one head row is never deleted, and an UPDATE either keeps
  it as it is (the lock that appending takes) or moves it forward by exactly one entry,
  onto an entry that exists with that hash.

They are installed after every ``migrate`` (:func:`install`, idempotent: a table rebuilt
by a later migration gets them back) and ``harborlight check`` reports them missing.

The one way around them, :func:`rewriting_allowed`, is for whoever owns the whole
database, and Harborlight itself never uses it. On PostgreSQL it sets
``session_replication_role = replica``, which only a superuser may do (so a server that
connects as an ordinary role cannot); the test suite uses it to empty its scratch
database between tests and to play the attacker. On SQLite, where whoever can write the
file can do anything, the triggers ask a function that each Harborlight connection
registers (:func:`register_sqlite_function`); outside :func:`rewriting_allowed` it says
the trail is locked, and a connection without it (the ``sqlite3`` shell) cannot change
the tables at all without first dropping the triggers.

What this stops: a bug, a stray ORM call, a script or an SQL injection through
Harborlight's connection emptying or editing the trail. What it does not stop: a
database owner who drops the triggers; the anchor file and signed checkpoints
(:mod:`.anchors`) catch what they do.
"""

from __future__ import annotations

import threading
from contextlib import contextmanager
from typing import Any, Iterator

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections

ENTRIES = "audit_auditentry"
HEAD = "audit_auditchainhead"
REFUSED = "the audit trail is append-only"

_allowance = threading.local()

_POSTGRES = [
    f"""CREATE OR REPLACE FUNCTION harborlight_audit_append_only() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
          RAISE EXCEPTION '{REFUSED}: % on % refused', TG_OP, TG_TABLE_NAME;
        END $$""",
    f"""CREATE OR REPLACE FUNCTION harborlight_audit_head_forward() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
          IF TG_OP = 'UPDATE' AND NEW.id = OLD.id AND (
               (NEW.last_seq = OLD.last_seq AND NEW.last_hash = OLD.last_hash)
               OR (NEW.last_seq = OLD.last_seq + 1 AND EXISTS (
                     SELECT 1 FROM {ENTRIES} WHERE seq = NEW.last_seq
                     AND hash = NEW.last_hash))) THEN
            RETURN NEW;
          END IF;
          RAISE EXCEPTION '{REFUSED}: its head only moves forward, one entry at a time';
        END $$""",
    f"""CREATE OR REPLACE TRIGGER harborlight_audit_entries_append_only
        BEFORE UPDATE OR DELETE ON {ENTRIES}
        FOR EACH ROW EXECUTE FUNCTION harborlight_audit_append_only()""",
    f"""CREATE OR REPLACE TRIGGER harborlight_audit_entries_no_truncate
        BEFORE TRUNCATE ON {ENTRIES}
        FOR EACH STATEMENT EXECUTE FUNCTION harborlight_audit_append_only()""",
    f"""CREATE OR REPLACE TRIGGER harborlight_audit_head_forward
        BEFORE UPDATE OR DELETE ON {HEAD}
        FOR EACH ROW EXECUTE FUNCTION harborlight_audit_head_forward()""",
    f"""CREATE OR REPLACE TRIGGER harborlight_audit_head_no_truncate
        BEFORE TRUNCATE ON {HEAD}
        FOR EACH STATEMENT EXECUTE FUNCTION harborlight_audit_append_only()""",
]

_SQLITE = [
    f"""CREATE TRIGGER IF NOT EXISTS harborlight_audit_entries_no_update
        BEFORE UPDATE ON {ENTRIES} WHEN harborlight_audit_locked()
        BEGIN SELECT RAISE(ABORT, '{REFUSED}: UPDATE on {ENTRIES} refused'); END""",
    f"""CREATE TRIGGER IF NOT EXISTS harborlight_audit_entries_no_delete
        BEFORE DELETE ON {ENTRIES} WHEN harborlight_audit_locked()
        BEGIN SELECT RAISE(ABORT, '{REFUSED}: DELETE on {ENTRIES} refused'); END""",
    f"""CREATE TRIGGER IF NOT EXISTS harborlight_audit_head_forward
        BEFORE UPDATE ON {HEAD} WHEN harborlight_audit_locked() AND NOT (
          NEW.id = OLD.id AND (
            (NEW.last_seq = OLD.last_seq AND NEW.last_hash = OLD.last_hash)
            OR (NEW.last_seq = OLD.last_seq + 1 AND EXISTS (
                  SELECT 1 FROM {ENTRIES} WHERE seq = NEW.last_seq
                  AND hash = NEW.last_hash))))
        BEGIN SELECT RAISE(ABORT, '{REFUSED}: its head only moves forward, one entry at a time');
        END""",
    f"""CREATE TRIGGER IF NOT EXISTS harborlight_audit_head_no_delete
        BEFORE DELETE ON {HEAD} WHEN harborlight_audit_locked()
        BEGIN SELECT RAISE(ABORT, '{REFUSED}: DELETE on {HEAD} refused'); END""",
]

TRIGGERS = {
    "postgresql": {"harborlight_audit_entries_append_only",
                   "harborlight_audit_entries_no_truncate", "harborlight_audit_head_forward",
                   "harborlight_audit_head_no_truncate"},
    "sqlite": {"harborlight_audit_entries_no_update", "harborlight_audit_entries_no_delete",
               "harborlight_audit_head_forward", "harborlight_audit_head_no_delete"},
}


def install(using: str = DEFAULT_DB_ALIAS) -> None:
    """Create the triggers (again); a no-op where they exist or the tables do not yet."""
    connection = connections[using]
    statements = {"postgresql": _POSTGRES, "sqlite": _SQLITE}.get(connection.vendor)
    if statements is None or not _tables_exist(using):
        return
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def missing(using: str = DEFAULT_DB_ALIAS) -> set[str]:
    """Names of the triggers that should exist on this database and do not."""
    connection = connections[using]
    wanted = TRIGGERS.get(connection.vendor, set())
    if not wanted or not _tables_exist(using):
        return set()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal "
                           "AND tgenabled <> 'D'")
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        present = {row[0] for row in cursor.fetchall()}
    return wanted - present


def install_after_migrate(sender: Any, using: str = DEFAULT_DB_ALIAS, **kwargs: Any) -> None:
    install(using)


def register_sqlite_function(sender: Any, connection: Any, **kwargs: Any) -> None:
    """connection_created: give each SQLite connection the function the triggers ask."""
    if connection.vendor == "sqlite":
        connection.connection.create_function("harborlight_audit_locked", 0, _locked)


def _locked() -> int:
    return 0 if getattr(_allowance, "depth", 0) else 1


@contextmanager
def rewriting_allowed(using: str = DEFAULT_DB_ALIAS) -> Iterator[None]:
    """Let this thread's connection rewrite the audit tables inside the block.

    For the owner of the whole database only (see the module doc): on PostgreSQL it needs
    superuser rights. Harborlight itself never calls it.
    """
    connection = connections[using]
    _allowance.depth = getattr(_allowance, "depth", 0) + 1
    try:
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET session_replication_role = replica")
            try:
                yield
            finally:
                try:
                    with connection.cursor() as cursor:
                        cursor.execute("RESET session_replication_role")
                except DatabaseError:
                    pass  # the transaction failed: rolling it back resets the role too
        else:
            yield
    finally:
        _allowance.depth -= 1


def _tables_exist(using: str) -> bool:
    tables = set(connections[using].introspection.table_names())
    return ENTRIES in tables and HEAD in tables
