"""Concurrent appends never fork the chain or lose an entry.

On PostgreSQL the threads share the test database directly. Django's in-memory SQLite
test database cannot be shared by threads that write, so on SQLite the test runs in
separate processes (each with several threads) against one file-backed database, which
is how a deployment uses SQLite anyway.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest
from django.db import connection

from harborlight.security.audit.store import verify
from harborlight.security.audit.log import record
from harborlight.security.audit.models import AuditEntry

THREADS = 8
PER_THREAD = 12
TESTS_DIR = Path(__file__).resolve().parents[2]


def append_from_threads(label: str) -> None:
    """Start THREADS threads at once, each appending PER_THREAD entries."""
    from django.db import connection as thread_connection

    barrier = threading.Barrier(THREADS)
    failures: list[BaseException] = []

    def work(thread: int) -> None:
        try:
            barrier.wait()
            for index in range(PER_THREAD):
                record("read", object_type="test.item", object_id=f"{label}-{thread}-{index}")
        except BaseException as exc:  # reported to the main thread below
            failures.append(exc)
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=work, args=(number,)) for number in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise failures[0]


def expected_ids(labels: list[str]) -> list[str]:
    return sorted(f"{label}-{thread}-{index}" for label in labels
                  for thread in range(THREADS) for index in range(PER_THREAD))


@pytest.mark.django_db(transaction=True)
def test_it_keeps_one_chain_when_threads_append_at_once():
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip("in-memory SQLite is not shared by writing threads; "
                    "test_it_keeps_one_chain_when_processes_append_to_one_sqlite_file "
                    "covers SQLite")

    append_from_threads("t")

    result = verify()
    assert result.entries == THREADS * PER_THREAD
    stored = sorted(AuditEntry.objects.values_list("object_id", flat=True))
    assert stored == expected_ids(["t"])


SCRIPT = textwrap.dedent("""
    import json, sys
    import django
    django.setup()
    from django.core.management import call_command
    from harborlight.security.audit.store import verify
    from harborlight.security.audit.models import AuditEntry
    sys.path.insert(0, sys.argv[2])
    from test_audit_concurrency import append_from_threads

    mode = sys.argv[1]
    if mode == "migrate":
        call_command("migrate", verbosity=0, interactive=False)
    elif mode == "append":
        append_from_threads(sys.argv[3])
    else:
        result = verify()
        ids = sorted(AuditEntry.objects.values_list("object_id", flat=True))
        print(json.dumps({"entries": result.entries, "ids": ids}))
""")


@pytest.mark.slow
def test_it_keeps_one_chain_when_processes_append_to_one_sqlite_file(tmp_path):
    script = tmp_path / "appender.py"
    script.write_text(SCRIPT)
    env = {**os.environ,
           "DJANGO_SETTINGS_MODULE": "django_settings",
           "HARBORLIGHT_DATABASE_URL": f"sqlite:///{tmp_path / 'audit.sqlite3'}",
           "PYTHONPATH": os.pathsep.join([str(TESTS_DIR), os.environ.get("PYTHONPATH", "")])}
    here = str(Path(__file__).resolve().parent)

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, str(script), *args, here], env=env,
                              capture_output=True, text=True, timeout=300)

    def check(done: subprocess.CompletedProcess) -> None:
        assert done.returncode == 0, done.stderr[-2000:]

    check(run("migrate"))
    labels = ["p0", "p1", "p2"]
    appenders = [subprocess.Popen([sys.executable, str(script), "append", here, label],
                                  env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  text=True) for label in labels]
    for appender in appenders:
        _, stderr = appender.communicate(timeout=300)
        assert appender.returncode == 0, stderr[-2000:]
    verified = run("verify")
    check(verified)

    outcome = json.loads(verified.stdout.strip().splitlines()[-1])
    assert outcome["entries"] == len(labels) * THREADS * PER_THREAD
    assert outcome["ids"] == expected_ids(labels)
