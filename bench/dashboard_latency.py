"""Dashboard latency with 10,000 cases, on SQLite and on PostgreSQL, through the real server.

For each database the benchmark:

1. creates a fresh database (a SQLite file in a temporary folder, or a scratch PostgreSQL
   database ``harborlight_bench`` that is dropped afterwards), applies the migrations and
   loads one organisation with 10,000 synthetic cases (two people and a note each, through
   ``harborlight.demo.records.create_cases``) and a supervisor with a TOTP device;
2. starts ``harborlight serve`` (waitress) in a subprocess on 127.0.0.1;
3. signs the supervisor in over HTTP like a browser: the login form with its CSRF token,
   then the two-factor form with the current TOTP code;
4. requests ``/dashboard/`` and then ``/cases/`` a few hundred times each after a warm-up,
   one request at a time over a kept-alive connection, and prints p50, p95, p99 and max in
   milliseconds (time from sending the request to the end of the response body).

``--queries`` also prints the SQL each page runs (count and time per statement), measured
in-process with Django's test client, to see what is slow when the target is missed.

Usage::

    python bench/dashboard_latency.py                      # both databases
    python bench/dashboard_latency.py --database sqlite --requests 300 --queries

PostgreSQL is reached at ``--postgres`` (default postgres://postgres@127.0.0.1:5432), which
must allow creating and dropping a database. Everything is synthetic.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import http.client
import json
import os
import platform
import re
import secrets
import shutil
import statistics
import struct
import subprocess
import sys
import tempfile
import time
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

TARGET_P95_MS = 150.0
from scratch import free_port, running_server, scratch_database  # noqa: E402  (bench/ is on sys.path)

BENCH_DB = "harborlight_bench"
USERNAME = "bench.supervisor"
PAGES = ("/dashboard/", "/cases/")


# Preparation (runs in a child process, so each database gets its own Django settings).

def prepare(cases: int) -> dict:
    """Migrate, then load the organisation, its staff and ``cases`` cases; return a login."""
    import random

    from harborlight.cli.bootstrap import setup_django

    setup_django()
    from django.core.management import call_command
    from django.db import connection, transaction

    from harborlight.accounts.models import Organisation, Role, User
    from harborlight.accounts.twofactor import base32_secret, enrol_confirmed
    from harborlight.demo.records import create_cases, create_tips

    call_command("migrate", interactive=False, verbosity=0)
    rng = random.Random(20261123)
    password = "bench " + secrets.token_urlsafe(16)
    started = time.perf_counter()
    with transaction.atomic():
        organisation = Organisation.objects.create(name="Benchmark Hotline", slug="bench")
        supervisor = User.objects.create_staff_user(USERNAME, password, organisation,
                                                    Role.SUPERVISOR)
        caseworkers = [User.objects.create_staff_user(f"bench.caseworker{i}", None,
                                                      organisation, Role.CASEWORKER)
                       for i in range(1, 4)]
        device = enrol_confirmed(supervisor)
        create_cases(organisation, cases, [supervisor, *caseworkers], rng)
        create_tips(organisation, 500, rng)
    # Fresh planner statistics, as autovacuum (PostgreSQL) would gather soon after a bulk
    # load; without them PostgreSQL may pick a poor plan for the first minute.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {"username": USERNAME, "password": password, "totp_secret": base32_secret(device),
            "load_seconds": round(time.perf_counter() - started, 1)}


def explain_queries() -> None:
    """Print the SQL each page runs for the supervisor (in-process, Django test client)."""
    from harborlight.cli.bootstrap import setup_django

    setup_django()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment
    from django_otp import DEVICE_ID_SESSION_KEY

    from harborlight.accounts.models import User
    from harborlight.accounts.twofactor import confirmed_device

    setup_test_environment()
    user = User.objects.get(username=USERNAME)
    client = Client()
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = confirmed_device(user).persistent_id
    session.save()
    for page in PAGES:
        client.get(page)  # warm caches
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(page)
            took = (time.perf_counter() - started) * 1000
        total_sql = sum(float(q["time"]) for q in captured.captured_queries) * 1000
        print(f"\n{page}: HTTP {response.status_code}, {took:.1f} ms in-process, "
              f"{len(captured.captured_queries)} queries, {total_sql:.1f} ms in SQL")
        for query in captured.captured_queries:
            print(f"  {float(query['time']) * 1000:7.1f} ms  {query['sql'][:300]}")


# The HTTP client: a browser's sign-in, without a browser.

def totp_code(secret_b32: str, at: float | None = None, step: int = 30) -> str:
    """RFC 6238 with SHA-1 and six digits, as authenticator apps compute it."""
    key = base64.b32decode(secret_b32 + "=" * (-len(secret_b32) % 8))
    counter = int((time.time() if at is None else at) // step)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    number = struct.unpack(">I", digest[offset:offset + 4])[0] & 0x7FFFFFFF
    return f"{number % 1_000_000:06d}"


class Browser:
    """One kept-alive HTTP connection with a cookie jar, enough to sign in and browse."""

    def __init__(self, port: int):
        self.port = port
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict | None = None
                ) -> tuple[int, dict, str]:
        headers = {"Host": f"127.0.0.1:{self.port}", "User-Agent": "harborlight-bench"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Origin"] = f"http://127.0.0.1:{self.port}"
        self.connection.request(method, path, body=body, headers=headers)
        response = self.connection.getresponse()
        text = response.read().decode("utf-8", "replace")
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                if morsel["max-age"] == "0":
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        return response.status, dict(response.headers), text

    def post_form(self, path: str, fields: dict) -> tuple[int, dict, str]:
        status, _, page = self.request("GET", path)
        if status != 200:
            raise RuntimeError(f"GET {path} answered {status}")
        match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        if not match:
            raise RuntimeError(f"no CSRF token on {path}")
        return self.request("POST", path, {"csrfmiddlewaretoken": match.group(1), **fields})

    def sign_in(self, login: dict) -> None:
        status, headers, _ = self.post_form("/accounts/login/", {
            "username": login["username"], "password": login["password"]})
        if status != 302 or not headers.get("Location", "").endswith("/accounts/two-factor/"):
            raise RuntimeError(f"password step answered {status} {headers.get('Location')}")
        status, headers, _ = self.post_form("/accounts/two-factor/",
                                            {"token": totp_code(login["totp_secret"])})
        if status != 302 or "/accounts/" in headers.get("Location", ""):
            raise RuntimeError(f"code step answered {status} {headers.get('Location')}")


def measure(browser: Browser, path: str, warmup: int, count: int) -> list[float]:
    timings = []
    for index in range(warmup + count):
        started = time.perf_counter()
        status, _, page = browser.request("GET", path)
        took = (time.perf_counter() - started) * 1000
        if status != 200 or "<h1>" not in page:
            raise RuntimeError(f"GET {path} answered {status}: {page[:200]!r}")
        if index >= warmup:
            timings.append(took)
    return timings


def summarise(timings: list[float]) -> dict:
    cuts = statistics.quantiles(timings, n=100, method="inclusive")
    return {"n": len(timings), "p50": cuts[49], "p95": cuts[94], "p99": cuts[98],
            "max": max(timings), "mean": statistics.fmean(timings)}


# Databases and the server.

def environment(database_url: str, data_dir: Path) -> dict:
    from harborlight.security.crypto import generate_keyring, write_keyring

    keys = data_dir / "keys.json"
    if not keys.exists():
        write_keyring(keys, generate_keyring())
    env = {name: value for name, value in os.environ.items()
           if not name.startswith(("HARBORLIGHT_", "DJANGO_"))}
    env.update({
        "HARBORLIGHT_DATABASE_URL": database_url,
        "HARBORLIGHT_DATA_DIR": str(data_dir),
        "HARBORLIGHT_SECRET_KEY": "bench-" + secrets.token_urlsafe(40),
        "HARBORLIGHT_KEYS_FILE": str(keys),
        # Plain HTTP on 127.0.0.1, as in the demo: the client below would not send a
        # Secure cookie over http://.
        "HARBORLIGHT_SECURE_COOKIES": "false",
    })
    return env


def child(mode: str, env: dict, cases: int = 0) -> str:
    result = subprocess.run([sys.executable, __file__, mode, "--cases", str(cases)], env=env,
                            capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"{mode} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def bench_database(kind: str, args) -> list[dict]:
    rows = []
    with scratch_database(kind, args.postgres, BENCH_DB) as url:
        data_dir = Path(tempfile.mkdtemp(prefix="harborlight-bench-data-"))
        try:
            env = environment(url, data_dir)
            print(f"\n[{kind}] loading {args.cases:,} cases into a fresh database...",
                  flush=True)
            login = json.loads(child("--prepare", env, args.cases).strip().splitlines()[-1])
            print(f"[{kind}] loaded in {login['load_seconds']} s", flush=True)
            if args.queries:
                print(child("--explain", env), flush=True)
            port = free_port()
            with running_server(env, port, data_dir / "server.log"):
                browser = Browser(port)
                browser.sign_in(login)
                for page in PAGES:
                    load_before = os.getloadavg()[0]
                    stats = summarise(measure(browser, page, args.warmup, args.requests))
                    stats["load"] = (load_before + os.getloadavg()[0]) / 2
                    rows.append({"database": kind, "page": page, **stats})
                    print(f"[{kind}] {page:<12} n={stats['n']} p50={stats['p50']:.1f} "
                          f"p95={stats['p95']:.1f} p99={stats['p99']:.1f} "
                          f"max={stats['max']:.1f} ms (load average {stats['load']:.1f})",
                          flush=True)
        finally:
            shutil.rmtree(data_dir, ignore_errors=True)
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=300, help="measured requests per page")
    parser.add_argument("--warmup", type=int, default=30, help="unmeasured requests first")
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432",
                        help="PostgreSQL server URL without a database name")
    parser.add_argument("--queries", action="store_true",
                        help="also print each page's SQL statements and their times")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument("--prepare", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--explain", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.prepare:
        print(json.dumps(prepare(args.cases)))
        return 0
    if args.explain:
        explain_queries()
        return 0

    kinds = ["sqlite", "postgres"] if args.database == "both" else [args.database]
    print(f"Harborlight dashboard latency: {args.cases:,} cases, {args.warmup} warm-up and "
          f"{args.requests} measured requests per page, one at a time")
    print(f"Machine: {platform.platform()}, Python {platform.python_version()}, "
          f"{os.cpu_count()} CPUs")
    rows = []
    for kind in kinds:
        rows.extend(bench_database(kind, args))

    print(f"\n{'database':<10} {'page':<12} {'p50':>8} {'p95':>8} {'p99':>8} {'max':>8} "
          f"{'load':>6}  target p95 < {TARGET_P95_MS:.0f} ms")
    for row in rows:
        verdict = "met" if row["p95"] < TARGET_P95_MS else "MISSED"
        print(f"{row['database']:<10} {row['page']:<12} {row['p50']:8.1f} {row['p95']:8.1f} "
              f"{row['p99']:8.1f} {row['max']:8.1f} {row['load']:6.1f}  {verdict}")
    print("(ms; load = the machine's 1-minute load average while measuring, "
          f"on {os.cpu_count()} CPUs)")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
