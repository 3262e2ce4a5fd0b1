"""Plain helpers for tests (fixtures live in conftest.py)."""

from __future__ import annotations

from django.db.models import Model
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY

from harborlight.accounts.models import Organisation, User
from harborlight.accounts.twofactor import enrol_confirmed
from harborlight.intake.assist import SHIPPED, codings_of, evidence, suggest
from harborlight.security.audit.append_only import rewriting_allowed
from harborlight.security.audit.models import AuditEntry
from harborlight.vocab.indicators import build_catalog
from harborlight.vocab.triage import decide_level, load_rules

PASSWORD = "a long test passphrase 2026"


def make_user(organisation: Organisation, role: str, username: str,
              password: str | None = None) -> User:
    user = User.objects.create_user(username=username, organisation=organisation, role=role,
                                    password=password)
    if password is None:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def verify_session(client: Client, user: User) -> Client:
    """Sign ``client`` in as ``user`` with a verified second factor, skipping the forms."""
    device = enrol_confirmed(user)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def migrate_to(targets: list[tuple[str, str | None]] | None):
    """Apply or unapply the real migrations up to ``targets`` (None: every app's latest);
    return the app registry as of those migrations, for writing rows the old way."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    targets = targets or executor.loader.graph.leaf_nodes()
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state([node for node in targets if node[1]]).apps


def audit_mark() -> int:
    """The last audit entry's sequence number now: count only what comes after it."""
    last = AuditEntry.objects.order_by("-seq").values_list("seq", flat=True).first()
    return last or 0


def audited_entries(obj: Model | None = None, *, since: int = 0, action: str = "",
                    object_type: str = ""):
    """Entries written after ``since``, on ``obj`` (or records of ``object_type``)."""
    entries = AuditEntry.objects.filter(seq__gt=since)
    if obj is not None:
        entries = entries.filter(object_type=f"{obj._meta.app_label}.{obj._meta.model_name}",
                                 object_id=str(obj.pk))
    elif object_type:
        entries = entries.filter(object_type=object_type)
    return entries.filter(action=action) if action else entries


def assert_audited(action: str, obj: Model | None = None, times: int = 1, *, since: int = 0,
                   object_type: str = "") -> list[AuditEntry]:
    """Assert the trail holds ``action`` on ``obj`` exactly ``times`` times (since a mark).

    An auditor reads counts: every workflow test says how many entries its act wrote, so
    an act recorded twice, or an intent recorded as an act, fails here.
    """
    entries = list(audited_entries(obj, since=since, action=action, object_type=object_type))
    what = f"{obj._meta.label} {obj.pk}" if obj is not None else (object_type or "any record")
    others = [(e.action, e.object_type, e.object_id)
              for e in audited_entries(obj, since=since, object_type=object_type)]
    assert len(entries) == times, (f"expected {times} {action!r} entr{'y' if times == 1 else 'ies'}"
                                   f" on {what}, found {len(entries)}; entries: {others}")
    return entries


def assert_trail(since: int, *expected: tuple[str, Model | str]) -> None:
    """Assert the entries written after ``since`` are exactly ``expected``, in any order:
    (action, record) or (action, "app_label.model") pairs, nothing more, nothing less."""
    found = sorted((e.action, e.object_type, e.object_id)
                   for e in AuditEntry.objects.filter(seq__gt=since))
    wanted = sorted((action, *(_ref(target))) for action, target in expected)
    assert found == wanted, f"audit entries {found}, expected {wanted}"


def _ref(target: Model | str) -> tuple[str, str]:
    if isinstance(target, str):
        return target, ""
    return f"{target._meta.app_label}.{target._meta.model_name}", str(target.pk)


# A public CTDC v2024 release, for the comparison layer (Counter Trafficking Data
# Collaborative, IOM); rows here are made up.
CTDC_2024_HEADER = ("yearOfRegistration,gender,ageBroad,citizenship,CountryOfExploitation,"
                    "traffickMonths,meansDebtBondageEarnings,meansThreats,meansAbusePsyPhySex,"
                    "meansFalsePromises,meansDrugsAlcohol,meansDenyBasicNeeds,"
                    "meansExcessiveWorkHours,meansWithholdDocs,isForcedLabour,isSexualExploit,"
                    "isOtherExploit,typeOfLabourAgriculture,typeOfLabourConstruction,"
                    "typeOfLabourDomesticWork,typeOfLabourHospitality,typeOfSexProstitution,"
                    "typeOfSexPornography,recruiterRelationIntimatePartner,"
                    "recruiterRelationFriend,recruiterRelationFamily,recruiterRelationOther")


def ctdc_row(gender: str, flags: dict[str, str]) -> str:
    columns = CTDC_2024_HEADER.split(",")
    values = {"yearOfRegistration": "2020", "gender": gender, "ageBroad": "18--20",
              "citizenship": "MDA", "CountryOfExploitation": "TUR", **flags}
    return ",".join(values.get(column, "") for column in columns)


def as_database_owner(using: str = "default"):
    """Play someone who owns the whole database (an attacker with its password, a careless
    administrator): the audit tables' append-only triggers let them through."""
    return rewriting_allowed(using)


def read_narrative(narrative: str, model=SHIPPED) -> dict:
    """A narrative as the assist and triage read it: its types, minor and decoy flags,
    level, suggestion keys and spans (each span checked to be the text it names).
    ``model=None``: the rules alone, for a cue's opposite (the learned reading's precision
    is a matter of whole tips, measured in bench/: it may suggest a type at a middling
    chance for one ordinary sentence)."""
    catalog = build_catalog()
    found = suggest(narrative, catalog, model=model)
    codings = codings_of(found)
    level = decide_level(evidence(narrative, {}, catalog, found=found, model=model),
                         load_rules(), catalog.release).level
    for suggestion in found:  # every coding stays explainable: its span is the text
        assert narrative[suggestion.start:suggestion.end] == suggestion.text
    return {"types": codings.get("vic_TypeOfExploitation", set()),
            "minor": "Yes" in codings.get("minor_involved", set()),
            "decoy": "Yes" in codings.get("decoy_minor", set()), "level": level,
            "keys": {s.key for s in found}, "spans": {s.key: s.text for s in found}}


# Commercial sex told without a cue the rules know (rewritten whenever the rules learn it:
# "men pay him" was this example until the rules read a third party paid, 2026-12-07).
LEARNED_ONLY = ("The older guy she met online drives her to apartments across town at night. "
                "She comes back with nothing while he counts the cash.")
# The same, with a means of control only the learned reading reads (learned.coerced: high).
# The shipped weights read it at a chance just over 0.5: rewritten whenever a retrained
# reading reads it otherwise (2026-12-07, evening: LEARNED_ONLY alone fell to 0.4; night:
# "She has to bring him 500 every night" fell under 0.5 after 2,500 more training tips;
# later that night "bring him 500 a night before she can sleep" read 0.497 after 1,500 more).
LEARNED_LEVEL = (LEARNED_ONLY.removesuffix(".")
                 + ". She has to hand him 500 a night before he lets her sleep.")
