"""Real installations for tests that run Harborlight as its operators do: the
``harborlight`` command in subprocesses, ``harborlight serve`` answering real HTTP, on a
scratch SQLite file or a scratch PostgreSQL database.

``fresh_installation(folder)`` returns the environment of a new install (secret, keyring
file, data folder, database URL); ``run(env, *args)`` runs a command; ``serving(env)``
runs the server on a free port until the block ends. With ``HARBORLIGHT_DATABASE_URL``
pointing at PostgreSQL, ``scratch_database("postgres")`` makes a database of its own on
that server and drops it afterwards, so these tests run on both databases like the rest.

**Templates.** Running ``harborlight migrate`` (and creating the organisation's first
users) costs several seconds in a subprocess, the same work for every test. A test whose
subject is not ``migrate`` or a first installation takes a copy instead:
``with installed(folder, kind) as env`` yields a migrated installation in ``folder``
(``organisation=True``, the default: also what :func:`with_organisation` makes, ``TOKEN``
included; ``prepare=`` a function that does more, the same for every test of a module).
Each process (each xdist worker) builds a template once per (kind, organisation, prepare)
with those same real commands, in a folder of its own (``migrate`` once per kind; the
organisation's commands on a copy of that; ``prepare`` on a copy of that), and every test
gets a copy of its own, independent of the template and of other tests:

- SQLite: the template's WAL is checkpointed into its file once built (no ``-wal`` or
  ``-shm`` file is left to copy), then the file is copied with everything beside it in
  the template folder: the keyring (whose key canaries the database holds) and the audit
  anchor file (which names the chain's head, signed under that keyring), so key checks
  and ``audit verify`` pass on the copy as on the original.
- PostgreSQL: ``CREATE DATABASE <scratch> TEMPLATE <template>`` (nobody stays connected
  to the template), and the same files are copied.

Copies share the template's key material and the administrator's token, as copies of one
machine do; a test that changes them (rotation, restore) changes only its own. Templates
are removed when the session ends (:func:`remove_templates`, called by tests/conftest.py;
xdist workers end without running ``atexit``). Tests of ``migrate`` itself, of a first
installation or of an empty database keep :func:`fresh_installation` and run the commands
themselves.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import secrets
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

from harborlight.security.crypto import generate_keyring, write_keyring

HARBORLIGHT = [sys.executable, "-m", "harborlight"]
PASSPHRASE = "a sufficiently long passphrase 2026"


def suite_database_kind() -> str:
    """"postgres" when the suite runs on PostgreSQL, else "sqlite"."""
    url = os.environ.get("HARBORLIGHT_DATABASE_URL", "")
    return "postgres" if url.startswith(("postgres://", "postgresql://")) else "sqlite"


def _server() -> str:
    return os.environ["HARBORLIGHT_DATABASE_URL"].rsplit("/", 1)[0]


def _admin(statement: str) -> None:
    import psycopg

    with psycopg.connect(f"{_server()}/postgres", autocommit=True) as connection:
        connection.execute(statement)


@contextlib.contextmanager
def scratch_database(kind: str, folder: Path) -> Iterator[str]:
    """Yield the URL of an empty database of ``kind``; remove it afterwards."""
    if kind == "sqlite":
        yield f"sqlite:///{folder / 'db.sqlite3'}"
        return
    name = f"hl_scratch_{secrets.token_hex(6)}"
    _admin(f"CREATE DATABASE {name}")
    try:
        yield f"{_server()}/{name}"
    finally:
        _admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def fresh_installation(folder: Path, database_url: str | None = None,
                       keyring: bool = True) -> dict[str, str]:
    """Environment of a new installation in ``folder``: secret, keyring (a new one unless
    ``keyring=False``: the one already there) and database."""
    keys = folder / "keys.json"
    if keyring:
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
    return _organise(env)


def _organise(env: dict[str, str]) -> dict[str, str]:
    ok(env, "createadmin", "--username", "ada", "--organisation", "Harbor Hotline",
       "--password-stdin", stdin=PASSPHRASE + "\n")
    ok(env, "createsupervisor", "--username", "sofia", "--organisation", "harbor-hotline",
       "--password-stdin", stdin=PASSPHRASE + " s\n")
    token = ok(env, "token", "create", "sofia").strip().splitlines()[-1]
    return {**env, "TOKEN": token}


@dataclass(frozen=True)
class Template:
    folder: Path
    database: str  # the SQLite file, or the PostgreSQL database's name
    token: str | None


_TEMPLATES: dict[tuple, Template] = {}
_REMOVALS: list[Callable[[], None]] = []


def remove_templates() -> None:
    """Remove this process's templates: folders and PostgreSQL databases. Run at the end
    of a pytest session (tests/conftest.py: xdist workers end without running atexit)
    and at exit otherwise."""
    while _REMOVALS:
        _REMOVALS.pop()()
    _TEMPLATES.clear()


atexit.register(remove_templates)


def _template(kind: str, organisation: bool,
              prepare: Callable[[dict[str, str]], None] | None) -> Template:
    """This process's template for (kind, organisation, prepare), built on first use by
    the real commands: ``migrate`` (once per kind), on a copy of that :func:`_organise`
    (with_organisation's users and token), on a copy of that ``prepare``."""
    key = (kind, organisation, prepare)
    if key in _TEMPLATES:
        return _TEMPLATES[key]
    folder = Path(tempfile.mkdtemp(prefix="harborlight-template-"))
    _REMOVALS.append(lambda: shutil.rmtree(folder, ignore_errors=True))
    if kind == "sqlite":
        database = str(folder / "db.sqlite3")
        url = f"sqlite:///{database}"
    else:
        database = f"hl_template_{os.getpid()}_{secrets.token_hex(4)}"
        url = f"{_server()}/{database}"
        _REMOVALS.append(lambda: _admin(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)"))
    if prepare is None and not organisation:
        if kind != "sqlite":
            _admin(f"CREATE DATABASE {database}")
        env = fresh_installation(folder, url)
        ok(env, "migrate", timeout=300)
    else:
        base = _template(kind, organisation and prepare is not None, None)
        env = _copy(base, folder, url, kind, database)
        if prepare is None:
            env = _organise(env)
        else:
            prepare(env)
    if kind == "sqlite":
        # Everything into the file: the last connection to close removes -wal and -shm.
        with contextlib.closing(sqlite3.connect(database)) as connection:
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        assert not list(folder.glob("db.sqlite3-*")), list(folder.iterdir())
    _TEMPLATES[key] = Template(folder, database, env.get("TOKEN"))
    return _TEMPLATES[key]


def _copy(template: Template, folder: Path, url: str, kind: str,
          database: str) -> dict[str, str]:
    """Copy ``template`` into ``folder`` and the database ``database`` (a SQLite file or a
    new PostgreSQL database's name); return the copy's environment."""
    for path in template.folder.iterdir():
        if path.name.startswith("db.sqlite3"):
            continue
        if path.is_dir():
            shutil.copytree(path, folder / path.name, dirs_exist_ok=True)
        else:
            shutil.copy2(path, folder / path.name)
    if kind == "sqlite":
        shutil.copyfile(template.database, database)
    else:
        _admin(f"CREATE DATABASE {database} TEMPLATE {template.database}")
    env = fresh_installation(folder, url, keyring=False)
    if template.token is not None:
        env["TOKEN"] = template.token
    return env


@contextlib.contextmanager
def installed(folder: Path, kind: str | None = None, *, organisation: bool = True,
              prepare: Callable[[dict[str, str]], None] | None = None
              ) -> Iterator[dict[str, str]]:
    """A migrated installation in ``folder`` (with :func:`with_organisation`'s users and
    ``TOKEN`` unless ``organisation=False``, then whatever ``prepare`` did), on a database
    of ``kind`` (the suite's by default): a copy of this process's template, removed
    afterwards. See the module's docstring."""
    kind = kind or suite_database_kind()
    template = _template(kind, organisation, prepare)
    if kind == "sqlite":
        url = f"sqlite:///{folder / 'db.sqlite3'}"
        yield _copy(template, folder, url, kind, str(folder / "db.sqlite3"))
        return
    name = f"hl_scratch_{secrets.token_hex(6)}"
    try:
        yield _copy(template, folder, f"{_server()}/{name}", kind, name)
    finally:
        _admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


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
