"""Case list and search latency with 100,000 cases and 300,000 people, and HTCDS import
of 10,000 rows, on PostgreSQL.

Steps:

1. create a scratch PostgreSQL database ``harborlight_bench_cases`` (dropped at the end
   unless ``--keep``), a throwaway keyring and secret, and apply the migrations;
2. load one organisation with ``--cases`` synthetic cases and three people each through
   ``harborlight.demo.records.create_cases`` (the demo builder: encrypted fields, blind
   indexes, notes, safety plans, goals, events, consents), timing the load;
3. sign a supervisor in (Django test client, in-process: the view, ORM, PostgreSQL and
   template, without an HTTP server in front) and request, after a warm-up, each page
   ``--requests`` times one at a time: the case list (first page, a deep page, a status
   filter) and searches by reference, sound-alike full name, second name and phone,
   with terms drawn from the loaded data; prints p50/p95/p99/max in ms per page;
4. writes a 10,000-row HTCDS CSV (Faker, fictional 555-01xx numbers) and times
   ``import_file`` into a second organisation, then times the re-import (which must
   change nothing).

Usage::

    python bench/cases_scale.py                        # 100,000 cases, 10,000-row import
    python bench/cases_scale.py --cases 5000 --import-rows 1000 --requests 50   # quick

Prints one JSON summary at the end. Targets: p95 < 300 ms per page; import < 60 s.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH_DB = "harborlight_bench_cases"
TARGET_P95_MS = 300.0
TARGET_IMPORT_S = 60.0


def psql(server: str, sql: str) -> None:
    subprocess.run(["psql", f"{server}/postgres", "-v", "ON_ERROR_STOP=1", "-q", "-c", sql],
                   check=True, capture_output=True)


def configure(server: str, folder: Path) -> None:
    from harborlight.security.crypto import generate_keyring, write_keyring

    write_keyring(folder / "keys.json", generate_keyring())
    os.environ.update({
        "HARBORLIGHT_SECRET_KEY": "bench-secret-" + "z" * 48,
        "HARBORLIGHT_DATA_DIR": str(folder),
        "HARBORLIGHT_KEYS_FILE": str(folder / "keys.json"),
        "HARBORLIGHT_DATABASE_URL": f"{server}/{BENCH_DB}",
        "HARBORLIGHT_SECURE_COOKIES": "false",
    })
    os.environ.pop("HARBORLIGHT_KEYS", None)


def percentiles(samples: list[float]) -> dict:
    ordered = sorted(samples)

    def at(q: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 1)

    return {"p50": round(statistics.median(ordered), 1), "p95": at(0.95), "p99": at(0.99),
            "max": round(ordered[-1], 1), "n": len(ordered)}


def load(cases: int) -> tuple[object, object, float]:
    from django.core.management import call_command
    from django.db import transaction

    from harborlight.accounts.models import Organisation, Role, User
    from harborlight.demo.records import create_cases

    call_command("migrate", interactive=False, verbosity=0)
    organisation = Organisation.objects.create(name="Bench Advocacy", slug="bench")
    supervisor = User.objects.create_staff_user("bench.supervisor", None, organisation,
                                                Role.SUPERVISOR)
    workers = [User.objects.create_staff_user(f"bench.cw{i}", None, organisation,
                                              Role.CASEWORKER) for i in range(5)]
    started = time.perf_counter()
    rng = random.Random(20261123)
    done = 0
    while done < cases:
        size = min(10_000, cases - done)
        with transaction.atomic():
            create_cases(organisation, size, [supervisor, *workers], rng, persons_per_case=3)
        done += size
        print(f"  loaded {done} cases ({time.perf_counter() - started:.0f} s)", flush=True)
    took = time.perf_counter() - started
    # A running server's tables are analysed by autovacuum; right after a bulk load they
    # are not yet, and the planner would guess from empty statistics. Do what autovacuum
    # would do, so the pages are measured with the plans production settles into.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    return organisation, supervisor, took


def search_terms(organisation, count: int) -> dict[str, list[str]]:
    from harborlight.cases.models import Case, Person

    rng = random.Random(7)
    top = Person.objects.filter(organisation=organisation).order_by("-pk").values_list(
        "pk", flat=True).first()
    people = list(Person.objects.filter(pk__in=[rng.randrange(1, top) for _ in range(count * 3)],
                                        organisation=organisation)[:count])
    references = list(Case.objects.filter(organisation=organisation)
                      .values_list("reference", flat=True)[:count])
    return {"reference": references,
            "full_name": [f"{p.first_name} {p.second_name}" for p in people],
            "second_name": [p.second_name for p in people],
            "phone": [p.mobile_phone for p in people]}


def measure(supervisor, organisation, requests: int) -> dict:
    from django.test import Client
    from django.test.utils import setup_test_environment
    from django_otp import DEVICE_ID_SESSION_KEY

    from harborlight.accounts.twofactor import enrol_confirmed

    setup_test_environment()
    client = Client()
    client.force_login(supervisor)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = enrol_confirmed(supervisor).persistent_id
    session.save()
    terms = search_terms(organisation, requests)
    pages = {"list first page": lambda i: ("/cases/", {}),
             "list page 500": lambda i: ("/cases/", {"page": 500}),
             "list status=FollowUp": lambda i: ("/cases/", {"status": "FollowUp"})}
    for kind, values in terms.items():
        pages[f"search {kind}"] = (lambda values: lambda i: (
            "/cases/", {"q": values[i % len(values)]}))(values)
    results = {}
    for name, make in pages.items():
        for i in range(5):
            client.get(*make(i))
        samples = []
        for i in range(requests):
            path, params = make(i)
            started = time.perf_counter()
            response = client.get(path, params)
            samples.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (name, response.status_code)
        results[name] = percentiles(samples)
        print(f"  {name:24} {results[name]}", flush=True)
    return results


def write_import_file(path: Path, rows: int) -> None:
    from faker import Faker

    fake = Faker(["en_US", "es_MX"])
    fake.seed_instance(11)
    rng = random.Random(11)
    columns = ["hl_ExternalId", "prs_FirstName", "prs_SecondName", "prs_Birthdate",
               "prs_Gender", "prs_Citizenship", "prs_Email", "prs_MobilePhone",
               "prs_MailingCity", "vic_TraffickingStatus", "vic_MethodsOfControl",
               "vic_TypeOfExploitation", "cas_Status", "cas_IncomingReferralDate",
               "cas_IncomingReferralDetails"]
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
        for n in range(rows):
            writer.writerow([f"ext-{n}", fake.first_name(), fake.last_name(),
                             fake.date_of_birth(minimum_age=14, maximum_age=60).isoformat(),
                             rng.choice(["Feminine", "Masculine"]), rng.choice(["MEX", "USA;GTM"]),
                             f"{fake.user_name()}@example.com",
                             f"+1 312-555-01{rng.randrange(100):02d}", fake.city(),
                             "PossibleVictimOfTrafficking", "DebtBondage;WithholdsDocuments",
                             rng.choice(["ForcedLabour", "SexualExploitation"]),
                             rng.choice(["Active", "FollowUp"]), "2026-01-15",
                             "Referred by a clinic."])


def time_import(folder: Path, rows: int) -> dict:
    from harborlight.accounts.models import Organisation
    from harborlight.cases.htcds_io import import_file

    path = folder / "import.csv"
    write_import_file(path, rows)
    target = Organisation.objects.create(name="Bench Import", slug="bench-import")
    started = time.perf_counter()
    first = import_file(path, target)
    first_s = time.perf_counter() - started
    started = time.perf_counter()
    again = import_file(path, target)
    again_s = time.perf_counter() - started
    return {"rows": rows, "seconds": round(first_s, 1), "created": first.created,
            "reimport_seconds": round(again_s, 1), "reimport_created": again.created,
            "reimport_unchanged": again.unchanged}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--import-rows", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    args = parser.parse_args()
    psql(args.postgres, f"DROP DATABASE IF EXISTS {BENCH_DB}")
    psql(args.postgres, f"CREATE DATABASE {BENCH_DB}")
    folder = Path(tempfile.mkdtemp(prefix="harborlight-bench-cases-"))
    configure(args.postgres, folder)
    try:
        from harborlight.cli.bootstrap import setup_django

        setup_django()
        from harborlight.cases.models import Case, Person

        print(f"loading {args.cases} cases ...", flush=True)
        organisation, supervisor, load_s = load(args.cases)
        counts = {"cases": Case.objects.count(), "persons": Person.objects.count()}
        print(f"  {counts} in {load_s:.0f} s", flush=True)
        print("measuring pages ...", flush=True)
        pages = measure(supervisor, organisation, args.requests)
        print("importing ...", flush=True)
        imported = time_import(folder, args.import_rows)
        print(f"  {imported}", flush=True)
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            psql(args.postgres, f"DROP DATABASE IF EXISTS {BENCH_DB}")
    summary = {
        "machine": f"{platform.node()} {platform.machine()}, {os.cpu_count()} cores, "
                   f"Python {platform.python_version()}",
        "data": counts, "load_seconds": round(load_s),
        "pages_ms": pages, "page_target_p95_ms": TARGET_P95_MS,
        "pages_met": all(p["p95"] < TARGET_P95_MS for p in pages.values()),
        "import": imported, "import_target_s": TARGET_IMPORT_S,
        "import_met": imported["seconds"] < TARGET_IMPORT_S,
    }
    print(json.dumps(summary, indent=1))


if __name__ == "__main__":
    sys.exit(main())
