"""The web commands, run as a user runs them: real processes, a scratch SQLite database."""

from __future__ import annotations

import contextlib
import os
import re
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path
from typing import Iterator

import pytest

from harborlight.accounts.models import Role
from harborlight.security.crypto import generate_keyring, write_keyring

from installations import installed, wait_until_answering

HARBORLIGHT = [sys.executable, "-m", "harborlight"]
# Every test here installs on an SQLite file of its own (``install`` / ``migrated``).
pytestmark = pytest.mark.own_sqlite


@pytest.fixture
def install(tmp_path: Path) -> dict[str, str]:
    """Environment of a fresh installation: secret, keyring and an empty SQLite file."""
    keys = tmp_path / "keys.json"
    write_keyring(keys, generate_keyring())
    env = {k: v for k, v in os.environ.items() if not k.startswith("HARBORLIGHT_")}
    env.update({
        "HARBORLIGHT_SECRET_KEY": "cli-test-secret-" + "x" * 40,
        "HARBORLIGHT_DATA_DIR": str(tmp_path),
        "HARBORLIGHT_KEYS_FILE": str(keys),
        "HARBORLIGHT_DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    })
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return env


@pytest.fixture
def migrated(tmp_path: Path) -> Iterator[dict[str, str]]:
    """A fresh installation after ``harborlight migrate``: a copy of this worker's migrated
    template (tests/installations.py), for the commands that need the tables. The tests
    of ``migrate`` and of an unmigrated database take ``install`` and run it themselves."""
    with installed(tmp_path, "sqlite", organisation=False) as env:
        yield env


def run(env: dict[str, str], *args: str, stdin: str = "", timeout: int = 120):
    return subprocess.run([*HARBORLIGHT, *args], env=env, input=stdin, text=True,
                          capture_output=True, timeout=timeout)


def assert_one_line_error(result, code: int, fragment: str) -> None:
    assert result.returncode == code, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr and fragment in lines[0]


def test_it_documents_every_command(install):
    result = run(install, "--help")
    assert result.returncode == 0
    for command in ("demo", "serve", "migrate", "check", "createadmin", "createsupervisor",
                    "token", "keys", "audit"):
        assert command in result.stdout
        assert run(install, command, "--help").returncode == 0


def test_it_refuses_to_run_without_a_secret_key(install):
    del install["HARBORLIGHT_SECRET_KEY"]
    assert_one_line_error(run(install, "check"), 78, "HARBORLIGHT_SECRET_KEY is not set")


def test_it_refuses_a_bad_setting_with_its_name(install):
    install["HARBORLIGHT_SESSION_IDLE_MINUTES"] = "soon"
    assert_one_line_error(run(install, "check"), 78, "HARBORLIGHT_SESSION_IDLE_MINUTES")


def test_it_refuses_to_run_without_the_keyring(install, tmp_path):
    install["HARBORLIGHT_KEYS_FILE"] = str(tmp_path / "missing.json")
    result = run(install, "check")
    assert result.returncode != 0
    assert "keyring not found" in result.stdout + result.stderr
    assert "Traceback" not in result.stderr


def test_it_reports_pending_migrations_then_passes(install):
    result = run(install, "check")
    assert result.returncode == 1 and "not applied" in result.stdout
    assert "harborlight migrate" in result.stdout
    assert run(install, "migrate").returncode == 0
    result = run(install, "check")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "OK:" in result.stdout


def test_it_reports_an_unreachable_database(install):
    install["HARBORLIGHT_DATABASE_URL"] = "postgres://nobody@127.0.0.1:1/none"
    result = run(install, "check")
    assert result.returncode == 1 and "cannot connect to the database" in result.stdout


def test_it_will_not_serve_with_pending_migrations(install):
    assert_one_line_error(run(install, "serve", "--port", "1"), 78, "not starting:")


def test_it_creates_an_administrator(migrated):
    result = run(migrated, "createadmin", "--username", "ada", "--organisation", "New Org",
                 "--password-stdin", stdin="a sufficiently long passphrase\n")
    assert result.returncode == 0, result.stderr
    assert "Created administrator ada of New Org" in result.stdout
    duplicate = run(migrated, "createadmin", "--username", "ada", "--organisation", "New Org",
                    "--password-stdin", stdin="a sufficiently long passphrase\n")
    assert_one_line_error(duplicate, 65, "already exists")


def test_it_creates_the_first_supervisor_of_an_existing_organisation(migrated):
    run(migrated, "createadmin", "--username", "ada", "--organisation", "New Org",
        "--password-stdin", stdin="a sufficiently long passphrase\n")
    result = run(migrated, "createsupervisor", "--username", "sofia", "--organisation",
                 "new-org", "--password-stdin", stdin="another long passphrase 77\n")
    assert result.returncode == 0, result.stderr
    assert "Created supervisor sofia of New Org" in result.stdout
    unknown = run(migrated, "createsupervisor", "--username", "sam", "--organisation",
                  "Nowhere", "--password-stdin", stdin="another long passphrase 77\n")
    assert_one_line_error(unknown, 65, "no organisation named 'Nowhere'")


def test_it_refuses_a_weak_administrator_password(migrated):
    result = run(migrated, "createadmin", "--username", "bob", "--organisation", "Org",
                 "--password-stdin", stdin="short\n")
    assert_one_line_error(result, 65, "password:")


def test_it_refuses_tokens_for_unknown_users(migrated):
    assert_one_line_error(run(migrated, "token", "create", "ghost"), 65, "no active user")


def test_it_prepares_a_demo_with_logins_for_every_role(tmp_path, install):
    data_dir = tmp_path / "demo"
    result = run(install, "demo", "--data-dir", str(data_dir), "--prepare-only", timeout=300)
    assert result.returncode == 0, result.stderr
    for role in Role.values:
        assert role in result.stdout
    assert "http://127.0.0.1:8000/" in result.stdout
    assert oct((data_dir / "keys.json").stat().st_mode)[-3:] == "600"
    assert oct((data_dir / "demo-logins.json").stat().st_mode)[-3:] == "600"
    code = run(install, "demo", "--data-dir", str(data_dir), "--code", "supervisor")
    assert code.returncode == 0 and re.fullmatch(r"\d{6}\n", code.stdout)
    again = run(install, "demo", "--data-dir", str(data_dir), "--prepare-only")
    assert again.returncode == 0 and "Loading synthetic demo data" not in again.stdout


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def serving(env: dict[str, str]):
    """``harborlight serve`` on a free port; yields ``get(path, **headers)`` once it answers."""
    port = _free_port()
    server = subprocess.Popen([*HARBORLIGHT, "serve", "--port", str(port)], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def get(path: str, **headers: str):
        request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers=headers)
        try:
            return urllib.request.build_opener(NoRedirect).open(request)
        except urllib.error.HTTPError as answer:
            return answer

    try:
        wait_until_answering(lambda: get("/accounts/login/").close(), server, seconds=30)
        yield get
    finally:
        server.terminate()
        server.wait(timeout=10)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def test_it_serves_pages_through_a_real_wsgi_server(migrated):
    with serving(migrated) as get:
        page = get("/accounts/login/")
        assert page.status == 200
        assert page.headers["Server"] == "Harborlight"
        assert "default-src 'self'" in page.headers["Content-Security-Policy"]
        assert "Strict-Transport-Security" not in page.headers


def test_it_trusts_the_proxy_in_front_for_https_and_sends_hsts(migrated):
    """Behind a reverse proxy on this host, waitress must pass X-Forwarded-Proto on
    (it strips proxy headers from untrusted peers), so HTTPS is seen and HSTS sent."""
    env = {**migrated, "HARBORLIGHT_BEHIND_PROXY": "true", "HARBORLIGHT_SSL_REDIRECT": "true"}
    with serving(env) as get:
        plain = get("/accounts/login/")
        assert plain.status == 301 and plain.headers["Location"].startswith("https://")
        secure = get("/accounts/login/", **{"X-Forwarded-Proto": "https",
                                            "X-Forwarded-For": "198.51.100.7"})
        assert secure.status == 200, secure.read()[:300]
        assert secure.headers["Strict-Transport-Security"] == "max-age=31536000"


def test_it_adds_an_administrator_to_an_organisation_named_by_its_slug(migrated):
    run(migrated, "createadmin", "--username", "ada", "--organisation", "New Org",
        "--password-stdin", stdin="a sufficiently long passphrase\n")
    result = run(migrated, "createadmin", "--username", "bea", "--organisation", "new-org",
                 "--password-stdin", stdin="a sufficiently long passphrase\n")
    assert result.returncode == 0, result.stderr
    assert "Created administrator bea of New Org" in result.stdout
    listed = run(migrated, "organisations")
    assert listed.returncode == 0 and listed.stdout.splitlines() == [
        "new-org  New Org  (2 users, 0 cases)"]
