"""Scratch resources for benchmark scripts: empty databases, free ports, a real server."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import tempfile
import time
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


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def running_server(env: dict, port: int, log: Path, threads: int | None = None
                   ) -> Iterator[subprocess.Popen]:
    """Run ``harborlight serve`` on 127.0.0.1:``port`` until the block ends.

    Waits up to 60 s for the port to answer; if the server exits first, the error names
    the end of its log (``harborlight serve`` refuses to start while checks fail).
    """
    command = [str(Path(sys.executable).with_name("harborlight")), "serve", "--port", str(port)]
    if threads is not None:
        command += ["--threads", str(threads)]
    with open(log, "w") as output:
        server = subprocess.Popen(command, env=env, stdout=output, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            if server.poll() is not None:
                raise RuntimeError(f"server exited with {server.returncode}: "
                                   f"{log.read_text()[-2000:]}")
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("server did not start within 60 s") from None
                time.sleep(0.2)
        yield server
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()

