"""The local demo: its environment and its synthetic data.

Everything here is made up. Names and addresses come from Faker, phone numbers from the
fictional 555-01xx range, and narratives from neutral templates. The demo's secret key,
keyring and logins live in the demo's data folder, readable by its owner only.
"""

from __future__ import annotations

import json
import os
import random
import secrets
from datetime import timedelta
from pathlib import Path
from typing import Callable

LOGINS_FILE = "demo-logins.json"
SEED = 20261123

ORGANISATIONS = [
    ("Harbor Hotline & Advocacy (demo)", "harbor", "USA"),
    ("Safe Passage Shelter (demo)", "safe-passage", "USA"),
    ("Northstar Legal Aid (demo)", "northstar", "USA"),
]
# (username, organisation slug, role, display name)
DEMO_USERS = [
    ("admin", "harbor", "administrator", "Alex Admin"),
    ("supervisor", "harbor", "supervisor", "Sam Supervisor"),
    ("caseworker", "harbor", "caseworker", "Casey Caseworker"),
    ("caseworker2", "harbor", "caseworker", "Kim Caseworker"),
    ("operator", "harbor", "hotline_operator", "Olu Operator"),
    ("analyst", "harbor", "analyst", "Ana Analyst"),
    ("auditor", "harbor", "auditor", "Aud Auditor"),
    ("shelter.admin", "safe-passage", "administrator", "Shay Admin"),
    ("shelter.supervisor", "safe-passage", "supervisor", "Sol Supervisor"),
    ("shelter.caseworker", "safe-passage", "caseworker", "Sky Caseworker"),
    ("legal.caseworker", "northstar", "caseworker", "Lee Caseworker"),
]
CITIES = [
    ("Houston", "TX", "77002", 29.7604, -95.3698), ("Atlanta", "GA", "30303", 33.7490, -84.3880),
    ("Chicago", "IL", "60601", 41.8781, -87.6298), ("Los Angeles", "CA", "90012", 34.0522, -118.2437),
    ("Miami", "FL", "33130", 25.7617, -80.1918), ("New York", "NY", "10007", 40.7128, -74.0060),
    ("Denver", "CO", "80202", 39.7392, -104.9903), ("Seattle", "WA", "98104", 47.6062, -122.3321),
    ("El Paso", "TX", "79901", 31.7619, -106.4850), ("Columbus", "OH", "43215", 39.9612, -82.9988),
]
NARRATIVES = [
    "Caller says workers at a {business} in {city} live above the shop and are not allowed "
    "to leave; the manager keeps their passports.",
    "A teacher reports that a 15-year-old student talks about an older 'boyfriend' who "
    "bought her a phone and wants her to travel to {city} for work.",
    "Neighbour reports a van that brings the same group of women to a {business} early each "
    "morning and collects them late at night.",
    "Caller recruited abroad for farm work in {city} says the fee debt keeps growing and "
    "the employer threatens to call immigration.",
    "Former employee of a {business} in {city} says wages were withheld for three months; "
    "she can leave freely and lives at home.",
    "Parent says her 16-year-old ran away two days ago and posted about a modelling job "
    "offer in {city}.",
    "Social worker asks for shelter options for a survivor leaving a domestic servitude "
    "situation in {city}.",
]
BUSINESSES = ["restaurant", "nail salon", "cleaning company", "farm", "construction site",
              "warehouse", "motel", "car wash"]
SERVICES = ["shelter", "medical", "mental_health", "legal", "immigration", "education",
            "vocational", "financial", "substance_use"]
POPULATIONS = ["youth", "adults", "men", "lgbtq", "foreign_nationals"]
LANGUAGES = ["en", "es", "fr", "zh", "vi", "tl", "ht", "ru"]


def configure_environment(data_dir: Path) -> None:
    """Point Harborlight at the demo folder: SQLite, its own secret and keyring."""
    from harborlight.security.crypto import generate_keyring, write_keyring

    data_dir.mkdir(parents=True, exist_ok=True)
    os.chmod(data_dir, 0o700)
    secret_file = data_dir / "secret-key"
    if not secret_file.exists():
        _write_private(secret_file, secrets.token_urlsafe(48))
    keys_file = data_dir / "keys.json"
    if not keys_file.exists():
        write_keyring(keys_file, generate_keyring())
    for name in ("HARBORLIGHT_SECRET_KEY", "HARBORLIGHT_KEYS"):
        os.environ.pop(name, None)
    os.environ.update({
        "HARBORLIGHT_DATA_DIR": str(data_dir),
        "HARBORLIGHT_SECRET_KEY_FILE": str(secret_file),
        "HARBORLIGHT_KEYS_FILE": str(keys_file),
        "HARBORLIGHT_DATABASE_URL": f"sqlite:///{data_dir / 'harborlight.sqlite3'}",
        # Plain HTTP on 127.0.0.1 only; `serve` refuses other addresses with this off.
        "HARBORLIGHT_SECURE_COOKIES": "false",
    })


def _write_private(path: Path, text: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)


def ensure_demo_data(progress: Callable[[str], None] = print) -> list[dict]:
    """Load the demo data once; return the demo logins (created now or earlier)."""
    from django.conf import settings

    logins_path = Path(settings.DATA_DIR) / LOGINS_FILE
    if logins_path.exists():
        return json.loads(logins_path.read_text(encoding="utf-8"))
    progress("Loading synthetic demo data (first run only)...")
    logins = load_demo_data()
    _write_private(logins_path, json.dumps(logins, indent=2))
    return logins


def load_demo_data(cases_per_organisation: int = 40, tips_per_organisation: int = 30
                   ) -> list[dict]:
    from django.db import transaction

    from harborlight.accounts.models import Organisation, User
    from harborlight.accounts.twofactor import base32_secret, enrol_confirmed

    rng = random.Random(SEED)
    logins = []
    with transaction.atomic():
        organisations = {slug: Organisation.objects.create(name=name, slug=slug, country=country)
                         for name, slug, country in ORGANISATIONS}
        users: dict[str, list] = {slug: [] for slug in organisations}
        for username, slug, role, display_name in DEMO_USERS:
            password = demo_password()
            user = User.objects.create_staff_user(
                username=username, password=password, organisation=organisations[slug],
                role=role, display_name=display_name, email=f"{username}@example.org")
            device = enrol_confirmed(user)
            users[slug].append(user)
            logins.append({"username": username, "password": password, "role": role,
                           "organisation": organisations[slug].name,
                           "totp_secret": base32_secret(device)})
        for slug, organisation in organisations.items():
            owners = [u for u in users[slug] if u.role in ("caseworker", "supervisor")]
            create_cases(organisation, cases_per_organisation, owners, rng)
            create_tips(organisation, tips_per_organisation, rng)
            create_providers(organisation, 12, rng)
        link_partners(organisations)
        create_referrals(organisations["harbor"], users["harbor"], rng)
    return logins


def create_cases(organisation, count: int, owners: list, rng: random.Random,
                 persons_per_case: int = 2, batch_size: int = 1000) -> int:
    """Create ``count`` synthetic cases with people and a note each; return the count."""
    from django.utils import timezone
    from faker import Faker

    from harborlight.cases.models import (Case, CaseNote, CaseStatus, Person, PersonRole,
                                          TraffickingStatus)
    from harborlight.cases.references import next_case_reference

    fake = Faker(["en_US", "es_MX"])
    fake.seed_instance(rng.randrange(2**32))
    now = timezone.now()
    statuses = [CaseStatus.ACTIVE] * 5 + [CaseStatus.FOLLOW_UP] * 2 + [
        CaseStatus.CLOSED, CaseStatus.CLOSED_REFERRED]
    made = 0
    while made < count:
        size = min(batch_size, count - made)
        cases = [Case(organisation=organisation, reference=next_case_reference(),
                      status=rng.choice(statuses),
                      trafficking_status=rng.choice(TraffickingStatus.values[:2]),
                      owner=rng.choice(owners) if owners else None,
                      restricted=rng.random() < 0.1,
                      summary=_narrative(rng),
                      opened_at=now - timedelta(days=rng.randrange(1, 900)))
                 for _ in range(size)]
        Case.objects.bulk_create(cases)
        persons, notes = [], []
        for case in cases:
            for index in range(persons_per_case):
                persons.append(Person(
                    organisation=organisation, case=case,
                    role=PersonRole.VICTIM if index == 0 else rng.choice(PersonRole.values),
                    first_name=fake.first_name(), second_name=fake.last_name(),
                    birthdate=fake.date_of_birth(minimum_age=14, maximum_age=60),
                    gender=rng.choice(["Feminine", "Masculine", "NonSpecifiedUnknown"]),
                    citizenship=rng.choice(["USA", "MEX", "GTM", "HND", "PHL", "NGA"]),
                    email=f"{fake.user_name()}@example.com",
                    mobile_phone=fictional_phone(rng),
                    mailing_street=fake.street_address(), mailing_city=rng.choice(CITIES)[0],
                    **(_victim_context(rng) if index == 0 else {})))
            notes.append(CaseNote(organisation=organisation, case=case, author=case.owner,
                                  body="Met in a safe place; discussed next steps and "
                                       "safety plan review."))
        Person.objects.bulk_create(persons)
        CaseNote.objects.bulk_create(notes)
        create_case_records(cases, persons, rng, now)
        made += size
    return made


def create_case_records(cases: list, persons: list, rng: random.Random, now) -> None:
    """Safety plans (with review tasks), goals, historic events and consents for some
    cases, in bulk. Plans are written as the survivor might say them; all invented."""
    from harborlight.cases.models import (Consent, ConsentMethod, ConsentPurpose, EventType,
                                          SafetyPlan, SupportPlan, Task, TaskKind,
                                          TraffickingEvent)

    victims = {p.case_id: p for p in persons if p.role == "victim"}
    plans, goals, events, consents = [], [], [], []
    for case in cases:
        victim = victims.get(case.pk)
        if case.owner is None or rng.random() < 0.4:
            continue
        plans.append(SafetyPlan(
            organisation=case.organisation, case=case, person=victim, created_by=case.owner,
            safe_contacts=f"My cousin, {fictional_phone(rng)}; the shelter hotline",
            safe_places=rng.choice(["The public library", "My church", "The clinic on 5th"]),
            code_words=rng.choice(["Is the bakery open?", "Did you water the plants?"]),
            risk_reduction_steps="Keep copies of my papers with my caseworker.",
            in_own_words=rng.random() < 0.6,
            review_on=(now + timedelta(days=rng.randrange(-10, 60))).date()))
        goals.append(SupportPlan(
            organisation=case.organisation, case=case, person=victim, created_by=case.owner,
            type=rng.choice(["Education", "Health", "Legal", "Livelihood", "Financial"]),
            objectives=rng.choice(["Finish English classes", "Find stable housing",
                                   "Apply for a T visa", "Get a job in a kitchen"]),
            planned_end_date=(now + timedelta(days=rng.randrange(30, 365))).date()))
        start = now - timedelta(days=rng.randrange(400, 1500))
        for offset, kind in enumerate((EventType.RECRUITMENT, EventType.TRANSIT,
                                       EventType.EXPLOITATION)):
            city = rng.choice(CITIES)[0]
            events.append(TraffickingEvent(
                organisation=case.organisation, case=case, person=victim, type=kind,
                date=(start + timedelta(days=offset * rng.randrange(10, 120))).date(),
                city=city, country="USA"))
        if rng.random() < 0.5:
            consents.append(Consent(
                organisation=case.organisation, case=case, person=victim,
                purpose=rng.choice(ConsentPurpose.values), method=ConsentMethod.VERBAL,
                retention_explained=True, withdrawal_explained=True,
                wording="Agreed after we talked it through.", recorded_by=case.owner))
    SafetyPlan.objects.bulk_create(plans)
    Task.objects.bulk_create([
        Task(organisation=p.organisation, case=p.case, safety_plan=p, kind=TaskKind.SAFETY_REVIEW,
             title="Review the safety plan together", due_on=p.review_on,
             assigned_to=p.case.owner) for p in plans])
    SupportPlan.objects.bulk_create(goals)
    TraffickingEvent.objects.bulk_create(events)
    Consent.objects.bulk_create(consents)


def _victim_context(rng: random.Random) -> dict:
    """HTCDS victim-context codes (vic_), drawn from the package's picklists."""
    from harborlight.vocab.loader import htcds_codes

    exploitation = rng.choice([["ForcedLabour"], ["SexualExploitation"],
                               ["ForcedLabour", "SexualExploitation"], ["DomesticServitude"]
                               if "DomesticServitude" in htcds_codes("vic_TypeOfExploitation")
                               else ["Servitude"]])
    return {"methods_of_control": sorted(rng.sample(sorted(htcds_codes("vic_MethodsOfControl")),
                                                    rng.randint(1, 3))),
            "types_of_exploitation": exploitation}


def create_tips(organisation, count: int, rng: random.Random) -> None:
    from django.utils import timezone

    from harborlight.cases.references import next_tip_reference
    from harborlight.intake.models import Channel, Tip, TipStatus, TriageLevel

    now = timezone.now()
    levels = [TriageLevel.EMERGENCY] + [TriageLevel.HIGH] * 3 + [TriageLevel.STANDARD] * 5 + [
        TriageLevel.INFORMATION] * 2
    tips = [
        Tip(organisation=organisation, reference=next_tip_reference(),
            channel=rng.choice(Channel.values), triage_level=rng.choice(levels),
            status=rng.choice(TipStatus.values), narrative=_narrative(rng),
            location=rng.choice(CITIES)[0],
            reporter_contact=fictional_phone(rng) if rng.random() < 0.4 else "",
            received_at=now - timedelta(hours=rng.randrange(1, 24 * 60)))
        for _ in range(count)]
    for tip in tips:  # the intake rules decide the level and say why (no DB writes)
        tip.retriage(save=False)
    Tip.objects.bulk_create(tips)


def create_providers(organisation, count: int, rng: random.Random) -> None:
    from harborlight.referrals.models import ServiceProvider

    kinds = ["Shelter", "Health Center", "Legal Clinic", "Counseling", "Youth Services",
             "Workforce Center", "Community Clinic"]
    providers = []
    for index in range(count):
        city, state, postal_code, lat, lon = rng.choice(CITIES)
        kind = rng.choice(kinds)
        providers.append(ServiceProvider(
            organisation=organisation, name=f"{city} {kind} {index + 1} (demo)",
            services=sorted(rng.sample(SERVICES, rng.randint(1, 3))),
            populations=sorted(rng.sample(POPULATIONS, rng.randint(1, 3))),
            languages=sorted({"en", *rng.sample(LANGUAGES, rng.randint(0, 2))}),
            open_24_7=rng.random() < 0.3, hours="Mon-Fri 09:00-17:00",
            street=f"{rng.randint(10, 999)} Main Street", city=city, state=state,
            postal_code=postal_code, country="USA", latitude=lat, longitude=lon,
            contact_name="Intake desk", phone=fictional_phone(rng),
            email=f"intake{index + 1}@example.org"))
    ServiceProvider.objects.bulk_create(providers)


def link_partners(organisations: dict) -> None:
    """Give every demo organisation a directory entry for each of the others, so that
    referrals and transfers between them travel inside Harborlight."""
    from harborlight.referrals.models import ServiceProvider

    for organisation in organisations.values():
        for partner in organisations.values():
            if partner.pk != organisation.pk:
                ServiceProvider.objects.create(
                    organisation=organisation, name=partner.name, partner=partner,
                    services=["shelter", "legal", "mental_health"],
                    populations=["adults", "foreign_nationals"], languages=["en", "es"],
                    open_24_7=True, city="Houston", state="TX", postal_code="77002",
                    country="USA", latitude=29.7594, longitude=-95.3594,
                    phone="+1 713-555-0199", email="partners@example.org")


def create_referrals(organisation, users: list, rng: random.Random) -> None:
    """Consents and referrals from the first open cases: one waiting for the shelter, one
    accepted by it, and one to an outside provider (a printable letter)."""
    from harborlight.cases.models import Case, Consent, ConsentMethod, ConsentPurpose
    from harborlight.referrals.models import ServiceProvider
    from harborlight.referrals.sending import send

    caseworker = next(u for u in users if u.role == "caseworker")
    partner = ServiceProvider.objects.filter(organisation=organisation,
                                             partner__slug="safe-passage").first()
    outside = ServiceProvider.objects.filter(organisation=organisation,
                                             partner__isnull=True).first()
    cases = list(Case.objects.open().filter(organisation=organisation, restricted=False)
                 .order_by("reference")[:3])
    for index, (case, entry) in enumerate(zip(cases, [partner, partner, outside])):
        if entry is None:
            continue
        Consent.objects.create(
            organisation=organisation, case=case, purpose=ConsentPurpose.REFERRAL,
            fields_allowed=["prs_FirstName", "prs_Gender", "prs_Citizenship"],
            method=ConsentMethod.VERBAL, retention_explained=True, withdrawal_explained=True,
            wording="Agreed to share first name, gender and citizenship for shelter.",
            recorded_by=caseworker)
        referral = send(case, by=caseworker, provider=entry,
                        reason="AdditionalServicesRequired", services=["shelter"],
                        details="Needs a bed this week; prefers a Spanish-speaking advocate.")
        if index == 1:
            receiver = entry.partner.users.filter(role="caseworker").first()
            if receiver is not None:
                referral.accept(by=receiver, note="Bed available from Friday.")


def demo_password() -> str:
    """Three groups of lowercase letters and digits, easy to read aloud and type."""
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    return "-".join("".join(secrets.choice(alphabet) for _ in range(5)) for _ in range(3))


def fictional_phone(rng: random.Random) -> str:
    """A US number in the 555-0100..0199 range reserved for fiction."""
    area = rng.choice(["202", "312", "713", "404", "206", "305"])
    return f"+1 {area}-555-01{rng.randrange(100):02d}"


def _narrative(rng: random.Random) -> str:
    return rng.choice(NARRATIVES).format(business=rng.choice(BUSINESSES),
                                         city=rng.choice(CITIES)[0])


def current_code(username: str) -> str:
    from harborlight.accounts.models import User
    from harborlight.accounts.twofactor import confirmed_device, current_code as code_for
    from harborlight.cli.errors import UsageProblem

    user = User.objects.filter(username=username).first()
    device = confirmed_device(user) if user else None
    if device is None:
        raise UsageProblem(f"no demo user {username!r} with two-factor set up")
    return code_for(device)


def describe(logins: list[dict], url: str, data_dir: Path) -> str:
    lines = [
        "", "Harborlight demo is ready. All data is synthetic.", f"  Open: {url}",
        f"  Data folder: {data_dir} (delete it to start over)", "",
        "  Demo logins (password, then the 6-digit code from an authenticator app set up",
        "  with the key shown, or run `harborlight demo --code USERNAME` in another terminal):",
    ]
    for login in logins:
        lines.append(f"    {login['username']:<20} {login['password']:<20} "
                     f"{login['role']:<17} key {login['totp_secret']}")
    return "\n".join(lines) + "\n"
