"""Real installations for tests that run Harborlight as its operators do: the
``harborlight`` command in subprocesses, ``harborlight serve`` answering real HTTP, on a
scratch SQLite file or a scratch PostgreSQL database.

``fresh_installation(folder)`` returns the environment of a new install (secret, keyring
file, data folder, database URL); ``run(env, *args)`` runs a command; ``serving(env)``
runs the server on a free port until the block ends. With ``HARBORLIGHT_DATABASE_URL``
pointing at PostgreSQL, ``scratch_database("postgres")`` makes a database of its own on
that server and drops it afterwards, so these tests run on both databases like the rest.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from harborlight.security.crypto import generate_keyring, write_keyring

HARBORLIGHT = [sys.executable, "-m", "harborlight"]
PASSPHRASE = "a sufficiently long passphrase 2026"


def suite_database_kind() -> str:
    """"postgres" when the suite runs on PostgreSQL, else "sqlite"."""
    url = os.environ.get("HARBORLIGHT_DATABASE_URL", "")
    return "postgres" if url.startswith(("postgres://", "postgresql://")) else "sqlite"


@contextlib.contextmanager
def scratch_database(kind: str, folder: Path) -> Iterator[str]:
    """Yield the URL of an empty database of ``kind``; remove it afterwards."""
    if kind == "sqlite":
        yield f"sqlite:///{folder / 'db.sqlite3'}"
        return
    import psycopg

    server = os.environ["HARBORLIGHT_DATABASE_URL"].rsplit("/", 1)[0]
    name = f"hl_scratch_{secrets.token_hex(6)}"

    def admin(statement: str) -> None:
        with psycopg.connect(f"{server}/postgres", autocommit=True) as connection:
            connection.execute(statement)

    admin(f"CREATE DATABASE {name}")
    try:
        yield f"{server}/{name}"
    finally:
        admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def fresh_installation(folder: Path, database_url: str | None = None) -> dict[str, str]:
    """Environment of a new installation in ``folder``: secret, keyring and database."""
    keys = folder / "keys.json"
    write_keyring(keys, generate_keyring())
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HARBORLIGHT_", "DJANGO_"))}
    env.update({
        "HARBORLIGHT_SECRET_KEY": "cli-test-secret-" + "x" * 40,
        "HARBORLIGHT_DATA_DIR": str(folder),
        "HARBORLIGHT_KEYS_FILE": str(keys),
        "HARBORLIGHT_DATABASE_URL": database_url or f"sqlite:///{folder / 'db.sqlite3'}",
    })
    return env


def run(env: dict[str, str], *args: str, stdin: str = "", timeout: int = 120):
    return subprocess.run([*HARBORLIGHT, *args], env=env, input=stdin, text=True,
                          capture_output=True, timeout=timeout)


def ok(env: dict[str, str], *args: str, stdin: str = "", timeout: int = 120) -> str:
    """Run a command that must succeed; return its standard output."""
    result = run(env, *args, stdin=stdin, timeout=timeout)
    assert result.returncode == 0, f"{args}: {result.stdout}{result.stderr}"
    return result.stdout


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@dataclass
class Answer:
    status: int
    headers: dict
    body: bytes

    def json(self):
        return json.loads(self.body)


@dataclass
class Server:
    port: int
    process: subprocess.Popen

    def request(self, method: str, path: str, body=None, timeout: float = 60,
                **headers: str) -> Answer:
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers.setdefault("Content-Type", "application/json")
        request = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}", data=data,
                                         headers=headers, method=method)
        try:
            with urllib.request.build_opener(NoRedirect).open(request, timeout=timeout) as r:
                return Answer(r.status, dict(r.headers), r.read())
        except urllib.error.HTTPError as answer:
            return Answer(answer.code, dict(answer.headers), answer.read())

    def get(self, path: str, **headers: str) -> Answer:
        return self.request("GET", path, **headers)


@contextlib.contextmanager
def serving(env: dict[str, str], threads: int = 8) -> Iterator[Server]:
    """``harborlight serve`` on a free port; yields the server once it answers."""
    port = free_port()
    process = subprocess.Popen([*HARBORLIGHT, "serve", "--port", str(port), "--threads",
                                str(threads)], env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    server = Server(port, process)
    try:
        wait_until_answering(lambda: server.get("/accounts/login/"), process, seconds=60)
        yield server
    finally:
        process.terminate()
        process.wait(timeout=15)


def wait_until_answering(probe, process: subprocess.Popen, seconds: float) -> None:
    """Call ``probe`` until it stops raising OSError; fail if the server process ends
    first (with its error output) or ``seconds`` pass."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            probe()
            return
        except OSError:
            assert process.poll() is None, process.stderr.read()
            assert time.monotonic() < deadline, f"server did not answer in {seconds:g} s"
            time.sleep(0.3)


def with_organisation(env: dict[str, str]) -> dict[str, str]:
    """Migrate, create an organisation with an administrator and a supervisor, and give
    the supervisor an API token; return the environment with ``TOKEN`` added."""
    ok(env, "migrate", timeout=300)
    ok(env, "createadmin", "--username", "ada", "--organisation", "Harbor Hotline",
       "--password-stdin", stdin=PASSPHRASE + "\n")
    ok(env, "createsupervisor", "--username", "sofia", "--organisation", "harbor-hotline",
       "--password-stdin", stdin=PASSPHRASE + " s\n")
    token = ok(env, "token", "create", "sofia").strip().splitlines()[-1]
    return {**env, "TOKEN": token}


def post_tip(server, number: int) -> tuple[int, str]:
    answer = server.request("POST", "/api/v1/tips", body={
        "narrative": f"Tip {number}: men sleep at the farm and never leave.",
        "location": "Springfield", "contact": f"555-01{number % 100:02d}"})
    reference = answer.json().get("reference", "") if answer.status == 201 else ""
    return answer.status, reference


class TipSender(threading.Thread):
    """Posts tips one after another until stopped, keeping every answer."""

    def __init__(self, server, first: int):
        super().__init__(daemon=True)
        self.server, self.number = server, first
        self.answers: list[tuple[int, str]] = []
        self.stopping = threading.Event()

    def run(self) -> None:
        while not self.stopping.is_set():
            try:
                self.answers.append(post_tip(self.server, self.number))
            except OSError:
                self.answers.append((0, ""))
            self.number += 1

    def stop(self) -> list[tuple[int, str]]:
        self.stopping.set()
        self.join(timeout=60)
        return self.answers
