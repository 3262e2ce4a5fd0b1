"""The shared cast of the test suite.

Two organisations: "own" (where the test happens) and "other" (the outsider). Own has one
user per role plus a caseworker teammate; other has a caseworker and a supervisor. Each
organisation has a case, a restricted case and a tip, so every view can be tried as an
insider, as a teammate who is not assigned, and as an outsider.

Users get an unusable password unless a test needs the password step: Argon2 is
deliberately slow, and most tests sign in with :func:`signed_in_client`.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.test import Client

from harborlight.accounts.models import Organisation, Role, User
from tests_support import make_user, verify_session

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def pytest_report_header(config):
    url = os.environ.get("HARBORLIGHT_DATABASE_URL", "")
    return f"harborlight database: {'postgresql' if url.startswith('postgres') else 'sqlite'}"


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix,
                                 tmp_path_factory):
    """On SQLite, test against a database file in WAL mode, as Harborlight runs, not
    Django's default shared in-memory database.

    The in-memory one locks whole tables and fails at once with "database table is
    locked" where a file waits its turn (settings' timeout): a background thread (an
    export job) writing while the live server reads failed in CI although the same
    pages work on a real installation. The file sits in a folder of this worker's own,
    so parallel workers and concurrent runs never share one; on a RAM-backed /dev/shm
    when there is one (Linux), which keeps the suite as fast as in memory (a file on
    disk cost 15-20% on database-heavy tests)."""
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"] != "django.db.backends.sqlite3":
        yield
        return
    ram = Path("/dev/shm")
    if ram.is_dir() and os.access(ram, os.W_OK):
        folder = Path(tempfile.mkdtemp(prefix="harborlight-test-", dir=ram))
    else:
        folder = tmp_path_factory.mktemp("database")
    database.setdefault("TEST", {})["NAME"] = str(folder / "test.sqlite3")
    yield
    shutil.rmtree(folder, ignore_errors=True)


def pytest_sessionfinish(session):
    """Remove this process's installation templates (tests/installations.py): xdist
    workers end without running ``atexit``."""
    installations = sys.modules.get("installations")
    if installations is not None:
        installations.remove_templates()


# What a test needs to touch the suite's database: one of pytest-django's database
# fixtures (directly or through another fixture) or its django_db mark.
DATABASE_FIXTURES = frozenset({"db", "transactional_db", "django_db_reset_sequences",
                               "django_db_serialized_rollback", "live_server"})
# A module that starts its own installation (tests/installations.py) or reads the URL
# itself uses the database given in HARBORLIGHT_DATABASE_URL without those fixtures.
_OWN_DATABASE = ("installations", "HARBORLIGHT_DATABASE_URL")


def touches_the_database(item: pytest.Item) -> bool:
    if DATABASE_FIXTURES & set(getattr(item, "fixturenames", ())):
        return True
    if item.get_closest_marker("django_db") is not None:
        return True
    path = getattr(item, "path", None)
    source = path.read_text(encoding="utf-8") if path and path.suffix == ".py" else ""
    return any(word in source for word in _OWN_DATABASE)


def pytest_collection_modifyitems(config, items):
    """With HARBORLIGHT_DATABASE_TESTS_ONLY=1 (CI's PostgreSQL half), leave out the tests
    that never touch the suite's database: they ran in the SQLite half and would run the
    same code again (about 480 of them: vocabularies, crypto, parsing, pages' static
    checks), and those marked ``own_sqlite`` (an SQLite installation of their own)."""
    if os.environ.get("HARBORLIGHT_DATABASE_TESTS_ONLY") != "1":
        return
    kept, left = [], []
    for item in items:
        again = touches_the_database(item) and item.get_closest_marker("own_sqlite") is None
        (kept if again else left).append(item)
    if left:
        config.hook.pytest_deselected(items=left)
        items[:] = kept


@pytest.fixture(autouse=True)
def fresh_cache(request):
    """No test inherits another's cached state, sign-in failure counts above all.

    The in-memory cache is cleared for every test. Lockout counts live in a database-backed
    cache: a test in a transaction rolls them back by itself, but tests on a live server
    (transactional_db) commit, so their counts are cleared here too. Engine tests also run
    without Django (``-p no:django``); then there is no cache at all.
    """
    from django.conf import settings

    if not settings.configured:
        yield
        return
    from django.core.cache import caches

    caches["default"].clear()
    if "transactional_db" in request.fixturenames:
        request.getfixturevalue("transactional_db")
        caches["lockout"].clear()
    yield
    caches["default"].clear()


@pytest.fixture(autouse=True)
def private_audit_anchor(request, tmp_path_factory):
    """Each test checks the audit chain against an anchor file of its own: the chain of
    one test's database has nothing to do with another's."""
    from django.conf import settings

    if not settings.configured:
        yield
        return
    previous = settings.AUDIT_ANCHOR_FILE
    settings.AUDIT_ANCHOR_FILE = str(tmp_path_factory.mktemp("anchor") / "audit-anchor.json")
    yield
    settings.AUDIT_ANCHOR_FILE = previous


@pytest.fixture(autouse=True, scope="session")
def flush_may_empty_the_audit_trail():
    """Tests on a live server commit, and Django empties the database after each with a
    flush, which the audit tables refuse (security/audit/append_only.py). The test
    database's owner allows it, the one way around the triggers Harborlight documents."""
    from django.conf import settings

    if not settings.configured:
        yield
        return
    from django.core.management.commands import flush

    from harborlight.security.audit.append_only import rewriting_allowed

    original = flush.Command.handle

    def handle(self, **options):
        with rewriting_allowed(options.get("database") or "default"):
            return original(self, **options)

    flush.Command.handle = handle
    yield
    flush.Command.handle = original


@pytest.fixture
def shared_data() -> Path:
    """The reference data beside the project; tests that need it skip when it is absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"reference data not found at {SHARED_DATA} (it sits beside the project "
                    "in the development workspace; a plain clone does not have it)")
    return SHARED_DATA


@dataclass
class Cast:
    own: Organisation
    other: Organisation
    users: dict[str, User] = field(default_factory=dict)
    outsiders: dict[str, User] = field(default_factory=dict)
    teammate: User | None = None
    own_case: object = None
    own_restricted_case: object = None
    other_case: object = None
    own_tip: object = None
    other_tip: object = None

    def role(self, role: str) -> User:
        return self.users[role]


@pytest.fixture
def cast(db) -> Cast:
    from harborlight.cases.models import Case, CaseNote, Person, PersonRole
    from harborlight.intake.models import Channel, Tip

    own = Organisation.objects.create(name="Own Hotline", slug="own")
    other = Organisation.objects.create(name="Other Shelter", slug="other")
    cast = Cast(own=own, other=other)
    for role in Role.values:
        cast.users[role] = make_user(own, role, f"own-{role}")
    cast.teammate = make_user(own, Role.CASEWORKER, "own-teammate")
    for role in (Role.CASEWORKER, Role.SUPERVISOR, Role.ADMINISTRATOR, Role.AUDITOR):
        cast.outsiders[role] = make_user(other, role, f"other-{role}")
    caseworker = cast.users[Role.CASEWORKER]
    cast.own_case = Case.objects.create(organisation=own, reference="C-OWN1-0001",
                                        owner=caseworker, summary="Own case summary")
    cast.own_restricted_case = Case.objects.create(
        organisation=own, reference="C-OWN2-0002", owner=caseworker, restricted=True,
        summary="Restricted case summary")
    cast.other_case = Case.objects.create(organisation=other, reference="C-OTH1-0001",
                                          owner=cast.outsiders[Role.CASEWORKER],
                                          summary="Other organisation's case")
    Person.objects.create(organisation=own, case=cast.own_case, role=PersonRole.VICTIM,
                          first_name="Marisol", second_name="Quintero-Vance",
                          mobile_phone="+1 202-555-0143")
    CaseNote.objects.create(organisation=own, case=cast.own_case, author=caseworker,
                            body="First meeting went well.")
    cast.own_tip = Tip.objects.create(organisation=own, reference="T-OWN1-0001",
                                      channel=Channel.CALL, narrative="Own tip narrative")
    cast.other_tip = Tip.objects.create(organisation=other, reference="T-OTH1-0001",
                                        channel=Channel.WEB, narrative="Other tip narrative")
    return cast


@pytest.fixture
def signed_in_client():
    """``signed_in_client(user)`` returns a fresh test client signed in with two factors."""

    def make(user: User) -> Client:
        return verify_session(Client(), user)

    return make
