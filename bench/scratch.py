"""Scratch databases for benchmark scripts: created empty, removed afterwards."""

from __future__ import annotations

import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator


@contextmanager
def scratch_database(kind: str, postgres: str, name: str) -> Iterator[str]:
    """Yield a HARBORLIGHT_DATABASE_URL for a fresh, empty database; remove it afterwards.

    ``kind`` is "sqlite" (a file in a temporary folder) or "postgres" (database ``name`` on
    the server ``postgres``, a URL without a database; dropped before and after).
    """
    if kind == "sqlite":
        folder = Path(tempfile.mkdtemp(prefix=f"{name}-"))
        try:
            yield f"sqlite:///{folder / 'bench.sqlite3'}"
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        return
    import psycopg

    def admin(statement: str) -> None:
        with psycopg.connect(f"{postgres.rstrip('/')}/postgres", autocommit=True) as conn:
            conn.execute(statement)

    admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    admin(f"CREATE DATABASE {name}")
    try:
        yield f"{postgres.rstrip('/')}/{name}"
    finally:
        admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
