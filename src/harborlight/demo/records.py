"""Synthetic records for the demo, made through the same calls the product uses.

Cases open through :meth:`~harborlight.cases.models.CaseManager.open_many`, owners are
the demo organisation's users whose role holds cases (policy.toml), tips are triaged by
:mod:`harborlight.intake.triage`, and the three referrals go through the consent gate
(:func:`~harborlight.referrals.sending.send`) and are answered like any other
(:func:`~harborlight.referrals.answering.answer`). Bulk inserts write no audit entries;
consents, referrals and answers are audited as in real use.
"""

from __future__ import annotations

import json
import random
from datetime import timedelta
from pathlib import Path
from typing import Callable

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from faker import Faker

from harborlight.accounts.models import Organisation, User
from harborlight.accounts.twofactor import base32_secret, confirmed_device, enrol_confirmed
from harborlight.accounts.twofactor import current_code as code_for
from harborlight.cases.models import (HOLD_ACTION, Case, CaseNote, CaseStatus, EventType,
                                      Person, PersonRole, SafetyPlan, SupportPlan, Task,
                                      TaskKind, TraffickingEvent, TraffickingStatus)
from harborlight.cases.references import next_tip_reference
from harborlight.consent.models import (Consent, ConsentMethod, ConsentPurpose,
                                        Recipient, RecipientKind)
from harborlight.demo.environment import LOGINS_FILE, cast, demo_password, write_private
from harborlight.intake import triage
from harborlight.intake.models import Channel, CloseReason, Tip, TipStatus, TriageLevel
from harborlight.notifications.models import Notice, NoticeKind
from harborlight.referrals.answering import answer
from harborlight.referrals.models import ReferralStatus, ServiceProvider
from harborlight.referrals.sending import send
from harborlight.vocab.loader import htcds_codes

SEED = 20261123
# The demo's tips come by the hotline's channels; field interviews arrive over OpenRosa.
HOTLINE_CHANNELS = [channel for channel in Channel.values if channel != Channel.FIELD]

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
    "Caller says her 15-year-old niece texted from a motel in {city}: a man took her phone "
    "and ID, men are brought to her room tonight, and she is scared and wants out now.",
]
BUSINESSES = ["restaurant", "nail salon", "cleaning company", "farm", "construction site",
              "warehouse", "motel", "car wash"]
SERVICES = ["shelter", "medical", "mental_health", "legal", "immigration", "education",
            "vocational", "financial", "substance_use"]
POPULATIONS = ["youth", "adults", "men", "lgbtq", "foreign_nationals"]
LANGUAGES = ["en", "es", "fr", "zh", "vi", "tl", "ht", "ru"]




def ensure_demo_data(progress: Callable[[str], None] = print) -> list[dict]:
    """Load the demo data once; return the demo logins (created now or earlier)."""
    logins_path = Path(settings.DATA_DIR) / LOGINS_FILE
    if logins_path.exists():
        return json.loads(logins_path.read_text(encoding="utf-8"))
    progress("Loading synthetic demo data (first run only)...")
    logins = load_demo_data()
    write_private(logins_path, json.dumps(logins, indent=2))
    return logins


def load_demo_data(cases_per_organisation: int | None = None,
                   tips_per_organisation: int | None = None) -> list[dict]:
    """Create the demo's organisations, people and a year of records; return the logins.

    Sizes come from ``cast.json`` (each organisation's ``cases`` and ``tips``) unless the
    caller gives them (tests make small demos)."""
    rng = random.Random(SEED)
    people = cast()
    logins = []
    with transaction.atomic():
        organisations = {entry["slug"]: Organisation.objects.create(
            name=entry["name"], slug=entry["slug"], country=entry["country"])
            for entry in people["organisations"]}
        for entry in people["users"]:
            password = demo_password()
            organisation = organisations[entry["organisation"]]
            user = User.objects.create_staff_user(
                username=entry["username"], password=password, organisation=organisation,
                role=entry["role"], display_name=entry["display_name"],
                email=f"{entry['username']}@example.org")
            device = enrol_confirmed(user)
            logins.append({"username": user.username, "password": password,
                           "role": user.role, "organisation": organisation.name,
                           "totp_secret": base32_secret(device)})
        sizes = {entry["slug"]: entry for entry in people["organisations"]}
        for slug, organisation in organisations.items():
            owners = list(User.objects.allowed_to(HOLD_ACTION, organisation))
            create_cases(organisation, cases_per_organisation or sizes[slug].get("cases", 40),
                         owners, rng)
            create_tips(organisation, tips_per_organisation or sizes[slug].get("tips", 30),
                        rng, list(User.objects.allowed_to("tip.update", organisation)))
            create_providers(organisation, 12, rng)
        link_partners(organisations)
        create_referrals(organisations["harbor"], organisations["safe-passage"])
    return logins


def current_code(username: str) -> str:
    """The current two-factor code of a demo user; LookupError if there is none."""
    user = User.objects.filter(username=username).first()
    device = confirmed_device(user) if user else None
    if device is None:
        raise LookupError(f"no demo user {username!r} with two-factor set up")
    return code_for(device)


def create_cases(organisation, count: int, owners: list, rng: random.Random,
                 persons_per_case: int = 2, batch_size: int = 1000) -> int:
    """Create ``count`` synthetic cases with people and a note each; return the count."""
    fake = Faker(["en_US", "es_MX"])
    fake.seed_instance(rng.randrange(2**32))
    now = timezone.now()
    statuses = [CaseStatus.ACTIVE] * 5 + [CaseStatus.FOLLOW_UP] * 2 + [
        CaseStatus.CLOSED, CaseStatus.CLOSED_REFERRED]
    approver = User.objects.allowed_to("case.approve_closure", organisation).first()
    made = 0
    while made < count:
        size = min(batch_size, count - made)
        places = [rng.choice(CITIES) for _ in range(size)]
        cases = Case.objects.open_many(organisation, [
            _closed_if_so(Case(status=rng.choice(statuses),
                               trafficking_status=rng.choice(TraffickingStatus.values[:2]),
                               owner=rng.choice(owners) if owners else None,
                               restricted=rng.random() < 0.1,
                               summary=_narrative(rng, place[0]),
                               opened_at=now - timedelta(days=rng.randrange(1, 365),
                                                         hours=rng.randrange(24))),
                          approver, rng, now)
            for place in places])
        case_places = {case.pk: place for case, place in zip(cases, places)}
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
                    mailing_street=fake.street_address(),
                    mailing_city=case_places[case.pk][0],
                    **(_victim_context(rng) if index == 0 else {})))
            notes.append(CaseNote(organisation=organisation, case=case, author=case.owner,
                                  body="Met in a safe place; discussed next steps and "
                                       "safety plan review."))
        Person.objects.bulk_create(persons)
        CaseNote.objects.bulk_create(notes)
        create_case_records(cases, persons, rng, now, case_places)
        made += size
    return made


def _closed_if_so(case: Case, approver, rng: random.Random, now) -> Case:
    """A closed demo case was closed some weeks after it opened, with a reason, and its
    closure approved (as Case.approve_closure records it)."""
    if case.status in (CaseStatus.CLOSED, CaseStatus.CLOSED_REFERRED):
        case.closed_at = min(now, case.opened_at + timedelta(days=rng.randrange(14, 200)))
        case.closure_approved_by = approver
        case.reason_for_closure = ("Referred on for longer-term support; the survivor "
                                   "agreed." if case.status == CaseStatus.CLOSED_REFERRED
                                   else "Goals met; the survivor chose to close the case.")
    return case


#: Share of cases whose survivor agreed to de-identified sharing (enough for a k = 11
#: export and dashboards with real figures; invented, as everything here).
SHARING_CONSENT_SHARE = 0.65


def create_case_records(cases: list, persons: list, rng: random.Random, now,
                        places: dict | None = None) -> None:
    """Safety plans (with review tasks), goals, events where the case happened, and
    consents, in bulk. Plans are written as the survivor might say them; all invented."""
    victims = {p.case_id: p for p in persons if p.role == PersonRole.VICTIM}
    plans, goals, events, consents = [], [], [], []
    for case in cases:
        victim = victims.get(case.pk)
        city, state = (places or {}).get(case.pk, rng.choice(CITIES))[:2]
        if victim is not None and case.owner is not None \
                and rng.random() < SHARING_CONSENT_SHARE:
            consents.append(Consent(
                organisation=case.organisation, case=case, person=victim,
                purpose=ConsentPurpose.DEIDENTIFIED_SHARING, recipient_kind=RecipientKind.ANY,
                method=ConsentMethod.WRITTEN, retention_explained=True,
                withdrawal_explained=True, given_at=case.opened_at + timedelta(days=1),
                wording="Agreed that counts without names may be shared.",
                recorded_by=case.owner))
        if victim is not None:
            start = case.opened_at - timedelta(days=rng.randrange(60, 700))
            origin = rng.choice(CITIES)
            for offset, (kind, (where, region)) in enumerate((
                    (EventType.RECRUITMENT, origin[:2]), (EventType.TRANSIT, origin[:2]),
                    (EventType.EXPLOITATION, (city, state)))):
                events.append(TraffickingEvent(
                    organisation=case.organisation, case=case, person=victim, type=kind,
                    date=(start + timedelta(days=offset * rng.randrange(10, 50))).date(),
                    city=where, state=region, country="USA"))
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
        if rng.random() < 0.5:
            consents.append(Consent(
                organisation=case.organisation, case=case, person=victim,
                purpose=rng.choice([ConsentPurpose.REFERRAL, ConsentPurpose.TRANSFER,
                                    ConsentPurpose.LAW_ENFORCEMENT]),
                recipient_kind=RecipientKind.ANY,
                method=ConsentMethod.VERBAL,
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
    exploitation = rng.choice([["ForcedLabour"], ["SexualExploitation"],
                               ["ForcedLabour", "SexualExploitation"], ["DomesticServitude"]
                               if "DomesticServitude" in htcds_codes("vic_TypeOfExploitation")
                               else ["Servitude"]])
    return {"methods_of_control": sorted(rng.sample(sorted(htcds_codes("vic_MethodsOfControl")),
                                                    rng.randint(1, 3))),
            "types_of_exploitation": exploitation}


def create_tips(organisation, count: int, rng: random.Random, triagers: list | None = None
                ) -> None:
    """Tips of the last two months in every state; an assigned tip has a colleague who
    may triage it (none are "Assigned" to nobody)."""
    now = timezone.now()
    levels = [TriageLevel.EMERGENCY] + [TriageLevel.HIGH] * 3 + [TriageLevel.STANDARD] * 5 + [
        TriageLevel.INFORMATION] * 2
    tips = [
        Tip(organisation=organisation, reference=next_tip_reference(),
            channel=rng.choice(HOTLINE_CHANNELS), triage_level=rng.choice(levels),
            status=rng.choice(TipStatus.values), narrative=_narrative(rng),
            location=rng.choice(CITIES)[0],
            reporter_contact=fictional_phone(rng) if rng.random() < 0.4 else "",
            received_at=now - timedelta(hours=rng.randrange(1, 24 * 60)))
        for _ in range(count)]
    for tip in tips:  # the intake rules decide the level and say why (no DB writes)
        triage.assess(tip)
        if tip.status == TipStatus.ASSIGNED:
            if triagers:
                tip.assigned_to = rng.choice(triagers)
            else:
                tip.status = TipStatus.OPEN
        elif tip.status == TipStatus.CLOSED:  # closed with a reason, as Tip.close asks
            tip.close_reason = rng.choice([CloseReason.REFERRED, CloseReason.INFORMATION_GIVEN,
                                           CloseReason.NOT_TRAFFICKING,
                                           CloseReason.INSUFFICIENT])
            tip.closed_at = tip.received_at + timedelta(hours=rng.randrange(1, 72))
    Tip.objects.bulk_create(tips)
    assigner = User.objects.allowed_to("case.assign", organisation).first()
    for tip in tips:  # each assignee was told, as Tip.assign tells them
        if tip.assigned_to is not None and assigner is not None:
            Notice.objects.send([tip.assigned_to], NoticeKind.TIP_ASSIGNED,
                                tip.notice_subject, ("intake:detail", [tip.reference]),
                                exclude=assigner, reference=tip.reference, by=assigner,
                                level=tip.get_triage_level_display())


#: Kinds of service in the demo directory: a name pattern, what they offer, for whom.
#: Invented names, each used once per organisation ("{city}" is the entry's city).
PROVIDER_KINDS = [
    ("{city} Harbor House Shelter", ["shelter", "mental_health"], ["adults", "foreign_nationals"]),
    ("{city} Youth Safe Place", ["shelter", "education"], ["youth", "lgbtq"]),
    ("{city} Community Health Center", ["medical", "substance_use"], ["adults", "youth"]),
    ("{city} Immigrant Legal Clinic", ["legal", "immigration"], ["foreign_nationals"]),
    ("{city} Trauma Counseling Collective", ["mental_health"], ["adults", "lgbtq"]),
    ("{city} Workforce Pathways", ["vocational", "education"], ["adults", "men"]),
    ("{city} Family Justice Center", ["legal", "shelter"], ["adults", "youth"]),
    ("{city} Recovery Partners", ["substance_use", "mental_health"], ["adults", "men"]),
    ("{city} Financial Empowerment Desk", ["financial", "vocational"], ["adults"]),
    ("{city} Free Clinic", ["medical"], ["adults", "foreign_nationals"]),
]


def create_providers(organisation, count: int, rng: random.Random) -> None:
    """Distinct directory entries: no two share a name, each offers what its kind does."""
    places = rng.sample(CITIES, len(CITIES))
    providers, used = [], set()
    for index in range(count):
        pattern, services, populations = PROVIDER_KINDS[index % len(PROVIDER_KINDS)]
        city, state, postal_code, lat, lon = places[(index * 3) % len(places)]
        name = pattern.format(city=city) + " (demo)"
        if name in used:
            city, state, postal_code, lat, lon = places[(index * 3 + 1) % len(places)]
            name = pattern.format(city=city) + " (demo)"
        used.add(name)
        providers.append(ServiceProvider(
            organisation=organisation, name=name, services=sorted(services),
            populations=sorted(populations),
            languages=sorted({"en", *rng.sample(LANGUAGES, rng.randint(0, 2))}),
            open_24_7="shelter" in services, hours="" if "shelter" in services
            else rng.choice(["Mon-Fri 09:00-17:00", "Mon-Sat 08:00-18:00",
                             "Tue-Sat 10:00-19:00"]),
            street=f"{rng.randint(10, 999)} {rng.choice(['Main', 'Oak', 'Harbor', 'Elm'])} "
                   f"Street", city=city, state=state, postal_code=postal_code,
            country="USA", latitude=lat + rng.uniform(-0.03, 0.03),
            longitude=lon + rng.uniform(-0.03, 0.03), contact_name="Intake desk",
            phone=fictional_phone(rng), email=f"intake{index + 1}@example.org"))
    ServiceProvider.objects.bulk_create(providers)


def link_partners(organisations: dict) -> None:
    """Give every demo organisation a directory entry for each of the others, so that
    referrals and transfers between them travel inside Harborlight."""
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


def create_referrals(organisation, partner_organisation) -> None:
    """Consents and referrals from the first open cases: one waiting for the shelter, one
    accepted by it, and one to an outside provider (a printable letter)."""
    holders = list(User.objects.allowed_to(HOLD_ACTION, organisation))
    receiver = User.objects.allowed_to("referral.respond", partner_organisation).first()
    partner = ServiceProvider.objects.filter(organisation=organisation,
                                             partner=partner_organisation).first()
    outside = ServiceProvider.objects.filter(organisation=organisation,
                                             partner__isnull=True).first()
    cases = list(Case.objects.open().filter(organisation=organisation, restricted=False)
                 .order_by("reference")[:3])
    for index, (case, entry) in enumerate(zip(cases, [partner, partner, outside])):
        if entry is None:
            continue
        sender = case.owner or holders[0]  # the case's caseworker refers it
        Consent.objects.record(
            by=sender, case=case, purpose=ConsentPurpose.REFERRAL,
            recipient=Recipient(provider_id=entry.pk),
            fields_allowed=["prs_FirstName", "prs_Gender", "prs_Citizenship"],
            method=ConsentMethod.VERBAL, retention_explained=True, withdrawal_explained=True,
            wording="Agreed to share first name, gender and citizenship for shelter.")
        referral = send(case, by=sender, provider=entry,
                        reason="AdditionalServicesRequired", services=["shelter"],
                        details="Needs a bed this week; prefers a Spanish-speaking advocate.")
        if index == 1 and receiver is not None:
            answer(referral, ReferralStatus.ACCEPTED, by=receiver,
                   note="Bed available from Friday.")


def fictional_phone(rng: random.Random) -> str:
    """A US number in the 555-0100..0199 range reserved for fiction."""
    area = rng.choice(["202", "312", "713", "404", "206", "305"])
    return f"+1 {area}-555-01{rng.randrange(100):02d}"


def _narrative(rng: random.Random, city: str = "") -> str:
    return rng.choice(NARRATIVES).format(business=rng.choice(BUSINESSES),
                                         city=city or rng.choice(CITIES)[0])
