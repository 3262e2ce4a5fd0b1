"""Load on the public tip endpoint, POST /api/v1/tips, through the real server.

For each database (SQLite, then PostgreSQL) the benchmark:

1. creates a fresh database (a SQLite file in a temporary folder, or a scratch PostgreSQL
   database ``harborlight_bench_intake``, dropped afterwards), applies the migrations and
   creates the organisation that receives public reports;
2. starts ``harborlight serve`` (waitress, 8 threads) in a subprocess on 127.0.0.1, with
   the site-wide flood limit raised above the offered load (the limit is what a real
   deployment sets; here it would turn the measurement into a 429 count);
3. offers ``--rate`` submissions a second for ``--seconds`` from ``--clients`` threads on
   kept-alive connections (open loop: each request has a scheduled send time, and its
   latency counts from that time, so a slow server is not hidden by clients waiting);
4. prints throughput, p50/p95/p99/max latency and status counts, then counts the tips in
   the database and compares with the 201 answers: not one accepted tip may be missing;
5. checks the server's output for the client's address or user agent (none may appear).

Usage::

    python bench/intake_load.py                         # both databases, 120/s for 30 s
    python bench/intake_load.py --database sqlite --rate 150 --seconds 20

Narratives are synthetic, drawn from a few templates with random fill-ins.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import random
import secrets
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

TARGET_RATE = 100.0
TARGET_P95_MS = 200.0
from scratch import free_port, running_server, scratch_database  # noqa: E402  (bench/ is on sys.path)

BENCH_DB = "harborlight_bench_intake"
USER_AGENT = "harborlight-intake-bench/1"
TEMPLATES = [
    "A {who} at the {place} said the boss keeps {whose} passport and pays almost nothing.",
    "I saw {n} men dropped off at the {place} before dawn; they sleep there and never leave.",
    "My {who} answered an online job ad and now owes a debt that keeps growing.",
    "A girl who looks about {age} is at the {place} with an older man; men come and go.",
    "The {who} works {hours} hours a day at the {place} with no days off.",
    "Someone at the {place} is asking about training materials for staff.",
]
FILL = {"who": ["cousin", "neighbour", "coworker", "friend", "sister"],
        "place": ["farm", "restaurant", "motel", "nail salon", "warehouse", "car wash"],
        "whose": ["her", "his", "their"], "n": ["six", "ten", "twelve"],
        "age": ["15", "16", "fourteen"], "hours": ["14", "16", "18"]}


def prepare() -> None:
    """Migrate and create the receiving organisation (runs in a child process)."""
    from harborlight.cli.bootstrap import setup_django

    setup_django()
    from django.core.management import call_command

    from harborlight.accounts.models import Organisation

    call_command("migrate", interactive=False, verbosity=0)
    Organisation.objects.create(name="Benchmark Hotline", slug="bench")


def narrative(rng: random.Random) -> str:
    template = rng.choice(TEMPLATES)
    return template.format(**{key: rng.choice(values) for key, values in FILL.items()})


class Submitter(threading.Thread):
    """Sends the slots assigned to it (every k-th) at their scheduled times."""

    def __init__(self, port: int, slots: list[float], seed: int):
        super().__init__(daemon=True)
        self.port, self.slots, self.rng = port, slots, random.Random(seed)
        self.results: list[tuple[int, float, str]] = []

    def connect(self) -> http.client.HTTPConnection:
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)

    def run(self) -> None:
        connection = self.connect()
        for scheduled in self.slots:
            delay = scheduled - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            body = json.dumps({"narrative": narrative(self.rng), "location": "Springfield",
                               "answers": {"happening_now": self.rng.choice(["yes", "no"])}})
            try:
                connection.request("POST", "/api/v1/tips", body=body, headers={
                    "Content-Type": "application/json", "User-Agent": USER_AGENT,
                    "Host": f"127.0.0.1:{self.port}"})
                response = connection.getresponse()
                payload = response.read()
                status = response.status
                reference = json.loads(payload).get("reference", "") if status == 201 else ""
            except (OSError, http.client.HTTPException, ValueError):
                status, reference = 0, ""
                connection.close()
                connection = self.connect()
            self.results.append((status, (time.perf_counter() - scheduled) * 1000, reference))


def offer_load(port: int, rate: float, seconds: float, clients: int) -> dict:
    start = time.perf_counter() + 0.5
    total = int(rate * seconds)
    schedule = [start + index / rate for index in range(total)]
    threads = [Submitter(port, schedule[k::clients], seed=k) for k in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    results = [result for thread in threads for result in thread.results]
    elapsed = max(schedule[-1] - start, 1e-9)
    finished = time.perf_counter() - start
    latencies = sorted(latency for status, latency, _ in results if status == 201)
    statuses = Counter(status for status, _, _ in results)
    references = {reference for status, _, reference in results if status == 201}
    cuts = statistics.quantiles(latencies, n=100, method="inclusive") if len(latencies) > 1 \
        else [0.0] * 99
    return {"offered": total, "accepted": statuses.get(201, 0), "statuses": dict(statuses),
            "unique_references": len(references), "offered_rate": total / elapsed,
            "throughput": statuses.get(201, 0) / finished,
            "p50": cuts[49], "p95": cuts[94], "p99": cuts[98],
            "max": max(latencies) if latencies else 0.0}


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux /proc; 0.0 elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def count_tips(database_url: str) -> int:
    if database_url.startswith("sqlite"):
        with sqlite3.connect(database_url.removeprefix("sqlite:///")) as conn:
            return conn.execute("SELECT COUNT(*) FROM intake_tip "
                                "WHERE submitted_publicly").fetchone()[0]
    import psycopg

    with psycopg.connect(database_url) as conn:
        return conn.execute("SELECT COUNT(*) FROM intake_tip "
                            "WHERE submitted_publicly").fetchone()[0]


def environment(database_url: str, data_dir: Path) -> dict:
    from harborlight.security.crypto import generate_keyring, write_keyring

    keys = data_dir / "keys.json"
    write_keyring(keys, generate_keyring())
    env = {name: value for name, value in os.environ.items()
           if not name.startswith(("HARBORLIGHT_", "DJANGO_"))}
    env.update({"HARBORLIGHT_DATABASE_URL": database_url,
                "HARBORLIGHT_DATA_DIR": str(data_dir),
                "HARBORLIGHT_SECRET_KEY": "bench-" + secrets.token_urlsafe(40),
                "HARBORLIGHT_KEYS_FILE": str(keys),
                "HARBORLIGHT_PUBLIC_TIPS_PER_MINUTE": "1000000",
                "HARBORLIGHT_LOG_LEVEL": "INFO"})
    return env


def bench_database(kind: str, args) -> dict:
    with scratch_database(kind, args.postgres, BENCH_DB) as url:
        data_dir = Path(tempfile.mkdtemp(prefix="harborlight-intake-bench-data-"))
        try:
            env = environment(url, data_dir)
            result = subprocess.run([sys.executable, __file__, "--prepare"], env=env,
                                    capture_output=True, text=True)
            if result.returncode != 0:
                raise RuntimeError(result.stdout + result.stderr)
            port = free_port()
            log = data_dir / "server.log"
            with running_server(env, port, log, args.threads) as server:
                offer_load(port, args.rate, min(3.0, args.seconds), args.clients)  # warm-up
                warm = count_tips(url)
                cpu_before, wall_before = cpu_seconds(server.pid), time.perf_counter()
                stats = offer_load(port, args.rate, args.seconds, args.clients)
                cpu_used = cpu_seconds(server.pid) - cpu_before
                wall = time.perf_counter() - wall_before
                stored = count_tips(url) - warm
            server_output = log.read_text()
        finally:
            shutil.rmtree(data_dir, ignore_errors=True)
    stats.update(server_cpu_ms_per_tip=1000 * cpu_used / max(stats["accepted"], 1),
                 server_cores_used=cpu_used / wall)
    stats.update(database=kind, stored=stored,
                 lost=stats["accepted"] - stored,
                 trace_in_logs=(USER_AGENT in server_output))
    print(f"[{kind}] offered {stats['offered']} at {stats['offered_rate']:.0f}/s: "
          f"accepted {stats['accepted']} ({stats['throughput']:.1f}/s), statuses "
          f"{stats['statuses']}, stored {stored}, lost {stats['lost']}; latency ms "
          f"p50={stats['p50']:.1f} p95={stats['p95']:.1f} p99={stats['p99']:.1f} "
          f"max={stats['max']:.1f}; server CPU {stats['server_cpu_ms_per_tip']:.1f} ms per tip, "
          f"{stats['server_cores_used']:.2f} cores used; user agent in server log: "
          f"{stats['trace_in_logs']}",
          flush=True)
    return stats


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--rate", type=float, default=120.0, help="offered submissions/s")
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--clients", type=int, default=16, help="client threads")
    parser.add_argument("--threads", type=int, default=8, help="server (waitress) threads")
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument("--prepare", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.prepare:
        prepare()
        return 0
    print(f"Harborlight public tip endpoint: {args.rate:.0f}/s offered for {args.seconds:.0f} s "
          f"from {args.clients} client threads; server {args.threads} threads")
    print(f"Machine: {platform.platform()}, Python {platform.python_version()}, "
          f"{os.cpu_count()} CPUs")
    kinds = ["sqlite", "postgres"] if args.database == "both" else [args.database]
    rows = [bench_database(kind, args) for kind in kinds]
    print(f"\n{'database':<10} {'accepted/s':>10} {'p95 ms':>8} {'lost':>5}  target >= "
          f"{TARGET_RATE:.0f}/s, p95 < {TARGET_P95_MS:.0f} ms, 0 lost")
    for row in rows:
        met = (row["throughput"] >= TARGET_RATE and row["p95"] < TARGET_P95_MS
               and row["lost"] == 0 and row["accepted"] == row["offered"])
        print(f"{row['database']:<10} {row['throughput']:10.1f} {row['p95']:8.1f} "
              f"{row['lost']:5d}  {'met' if met else 'MISSED'}")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
