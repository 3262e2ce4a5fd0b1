"""Key rotation under load: ``harborlight keys rotate --retire-old`` while the real server
takes public tips.

For each database (SQLite, then PostgreSQL) the benchmark:

1. creates a fresh database (a SQLite file, or a scratch PostgreSQL database
   ``harborlight_bench_rotation``, dropped afterwards), applies the migrations and loads
   ``--cases`` synthetic cases with two people, a note and a safety plan each (the demo
   builder: every identifying field encrypted), plus a supervisor with an API token;
2. starts ``harborlight serve`` (waitress) with the flood limits raised above the offered
   load, and offers ``--rate`` public tips a second from ``--clients`` threads (open loop,
   as ``intake_load.py`` does) from one second before the rotation until one second after;
3. runs ``harborlight keys rotate --retire-old`` in another process, timing it;
4. prints the tips accepted while the keys rotated, every answer that was not 201
   (errors: the target is zero), latency p50/p95/max during the rotation, tips lost
   (accepted but not stored), every accepted tip read back through the running server
   (each must answer 200), the stored values left under the retired key (must be 0),
   and ``harborlight check`` afterwards.

Usage::

    python bench/rotation_load.py                              # both databases
    python bench/rotation_load.py --database sqlite --cases 2000 --rate 30   # quick

Prints one JSON summary at the end. Targets: errors 0, lost 0, unreadable 0, left under
the retired key 0. The time a rotation takes depends on the data; it is reported, with
the tips per second that were accepted meanwhile.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import secrets
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from pathlib import Path

from intake_load import Submitter, count_tips  # noqa: E402  (bench/ is on sys.path)
from scratch import free_port, running_server, scratch_database  # noqa: E402

BENCH_DB = "harborlight_bench_rotation"
HARBORLIGHT = str(Path(sys.executable).with_name("harborlight"))


def prepare(cases: int) -> None:
    """Migrate, load the cases and print a supervisor's API token (child process)."""
    import random

    from harborlight.cli.bootstrap import setup_django

    setup_django()
    from django.core.management import call_command
    from django.db import transaction

    from harborlight.accounts.models import Organisation, Role, User
    from harborlight.accounts.tokens import create_token
    from harborlight.demo.records import create_cases

    call_command("migrate", interactive=False, verbosity=0)
    organisation = Organisation.objects.create(name="Benchmark Hotline", slug="bench")
    supervisor = User.objects.create_staff_user("bench.supervisor", None, organisation,
                                                Role.SUPERVISOR)
    rng = random.Random(20261206)
    done = 0
    while done < cases:
        size = min(5000, cases - done)
        with transaction.atomic():
            create_cases(organisation, size, [supervisor], rng, persons_per_case=2)
        done += size
    print(create_token(supervisor, label="rotation bench", days=1))


class Load(threading.Thread):
    """Open-loop tips at ``rate`` per second until stopped (schedule in slices of 1 s)."""

    def __init__(self, port: int, rate: float, clients: int):
        super().__init__(daemon=True)
        self.port, self.rate, self.clients = port, rate, clients
        self.stopping = threading.Event()
        self.results: list[tuple[int, float, str, float]] = []  # status, ms, ref, sent at

    def run(self) -> None:
        while not self.stopping.is_set():
            start = time.perf_counter() + 0.05
            slots = [start + i / self.rate for i in range(max(1, int(self.rate)))]
            senders = [Submitter(self.port, slots[k::self.clients], seed=len(self.results) + k)
                       for k in range(self.clients)]
            for sender in senders:
                sender.start()
            for sender in senders:
                sender.join()
            for sender, offset in zip(senders, range(self.clients)):
                for (status, latency, reference), sent in zip(sender.results,
                                                              slots[offset::self.clients]):
                    self.results.append((status, latency, reference, sent))


def read_back(port: int, token: str, references: list[str]) -> Counter:
    statuses: Counter = Counter()
    for reference in references:
        request = urllib.request.Request(f"http://127.0.0.1:{port}/api/v1/tips/{reference}",
                                         headers={"Authorization": f"Bearer {token}"})
        try:
            with urllib.request.urlopen(request, timeout=30) as answer:
                statuses[answer.status] += 1
        except urllib.error.HTTPError as answer:
            statuses[answer.code] += 1
        except OSError:
            statuses[0] += 1
    return statuses


def left_under(database_url: str, env: dict, kid: str) -> int:
    """Stored values under key ``kid`` in every encrypted column (child process)."""
    code = ("from harborlight.cli.bootstrap import setup_django; setup_django();"
            "from harborlight.security.checks import count_by_key_id;"
            f"print(count_by_key_id(['k1', 'k2']).get({kid!r}, 0))")
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                            text=True)
    if result.returncode != 0:
        return -1  # a key the keyring lacks still holds values: count_by_key_id says so
    return int(result.stdout.strip().splitlines()[-1])


def percentile(values: list[float], share: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def bench_database(kind: str, args) -> dict:
    with scratch_database(kind, args.postgres, BENCH_DB) as url:
        data_dir = Path(tempfile.mkdtemp(prefix="harborlight-rotation-bench-"))
        try:
            return _bench(kind, url, data_dir, args)
        finally:
            shutil.rmtree(data_dir, ignore_errors=True)


def _bench(kind: str, url: str, data_dir: Path, args) -> dict:
    from harborlight.security.crypto import generate_keyring, write_keyring

    keys = data_dir / "keys.json"
    write_keyring(keys, generate_keyring())
    env = {name: value for name, value in os.environ.items()
           if not name.startswith(("HARBORLIGHT_", "DJANGO_"))}
    env.update({"HARBORLIGHT_DATABASE_URL": url, "HARBORLIGHT_DATA_DIR": str(data_dir),
                "HARBORLIGHT_SECRET_KEY": "bench-" + secrets.token_urlsafe(40),
                "HARBORLIGHT_KEYS_FILE": str(keys),
                "HARBORLIGHT_PUBLIC_TIPS_PER_MINUTE": "1000000",
                "HARBORLIGHT_PUBLIC_TIPS_PER_CLIENT_PER_MINUTE": "1000000"})
    print(f"[{kind}] loading {args.cases} cases ...", flush=True)
    prepared = subprocess.run([sys.executable, __file__, "--prepare", "--cases",
                               str(args.cases)], env=env, capture_output=True, text=True)
    if prepared.returncode != 0:
        raise RuntimeError(prepared.stdout + prepared.stderr)
    token = prepared.stdout.strip().splitlines()[-1]
    port = free_port()
    with running_server(env, port, data_dir / "server.log", args.threads):
        load = Load(port, args.rate, args.clients)
        load.start()
        time.sleep(1.0)
        started = time.perf_counter()
        rotation = subprocess.run([HARBORLIGHT, "keys", "rotate", "--retire-old"], env=env,
                                  capture_output=True, text=True)
        rotated = time.perf_counter()
        time.sleep(1.0)
        load.stopping.set()
        load.join()
        accepted = [ref for status, _, ref, _ in load.results if status == 201]
        reads = read_back(port, token, accepted)
    during = [(status, ms) for status, ms, _, sent in load.results if started <= sent <= rotated]
    errors = Counter(status for status, _, _, _ in load.results if status != 201)
    stored = count_tips(url)
    check = subprocess.run([HARBORLIGHT, "check"], env=env, capture_output=True, text=True)
    row = {
        "database": kind, "cases": args.cases, "rate": args.rate,
        "rotation_seconds": round(rotated - started, 1),
        "rotation_exit": rotation.returncode,
        "rotation_output": (rotation.stdout + rotation.stderr).strip().splitlines()[:3],
        "tips_offered": len(load.results), "tips_accepted": len(accepted),
        "tips_during_rotation": len(during),
        "accepted_during_rotation": sum(1 for status, _ in during if status == 201),
        "errors": dict(errors), "error_count": sum(errors.values()),
        "p50_ms_during": round(percentile([ms for s, ms in during if s == 201], 0.50), 1),
        "p95_ms_during": round(percentile([ms for s, ms in during if s == 201], 0.95), 1),
        "max_ms_during": round(max([ms for s, ms in during if s == 201], default=0.0), 1),
        "lost": len(accepted) - stored,
        "read_back": dict(reads), "unreadable": sum(n for s, n in reads.items() if s != 200),
        "left_under_retired_key": left_under(url, env, "k1"),
        "check_after": check.returncode,
    }
    print(f"[{kind}] rotation {row['rotation_seconds']} s (exit {row['rotation_exit']}); "
          f"tips during it {row['tips_during_rotation']}, accepted "
          f"{row['accepted_during_rotation']}; errors {row['error_count']} {row['errors']}; "
          f"p95 during {row['p95_ms_during']} ms; lost {row['lost']}; unreadable "
          f"{row['unreadable']}; left under k1 {row['left_under_retired_key']}; check exit "
          f"{row['check_after']}", flush=True)
    return row


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--cases", type=int, default=20_000,
                        help="synthetic cases loaded before rotating (two people each)")
    parser.add_argument("--rate", type=float, default=50.0, help="offered tips/s")
    parser.add_argument("--clients", type=int, default=8, help="client threads")
    parser.add_argument("--threads", type=int, default=8, help="server (waitress) threads")
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument("--prepare", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.prepare:
        prepare(args.cases)
        return 0
    print(f"Key rotation under load: {args.cases} cases, {args.rate:.0f} tips/s offered from "
          f"{args.clients} threads; machine {platform.platform()}, {os.cpu_count()} CPUs, "
          f"load {os.getloadavg()[0]:.1f}")
    kinds = ["sqlite", "postgres"] if args.database == "both" else [args.database]
    rows = [bench_database(kind, args) for kind in kinds]
    summary = json.dumps(rows, indent=2)
    print(summary)
    if args.json:
        args.json.write_text(summary)
    failed = any(r["error_count"] or r["lost"] or r["unreadable"] or r["rotation_exit"]
                 or r["left_under_retired_key"] or r["check_after"] for r in rows)
    print("targets (errors 0, lost 0, unreadable 0, nothing under k1, check passes): "
          + ("MISSED" if failed else "met"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
