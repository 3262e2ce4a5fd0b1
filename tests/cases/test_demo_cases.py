"""The demo and bench data builder fills the new case records, in bulk, consistently."""

from __future__ import annotations

import random

from harborlight.accounts.models import Role
from harborlight.cases.models import (Case, Person, SafetyPlan, Task, TaskKind,
                                      TraffickingEvent)
from datetime import timedelta

from django.utils import timezone

from harborlight.cases.models import CaseStatus, EventType
from harborlight.consent.models import Consent, ConsentPurpose
from harborlight.vocab.loader import htcds_codes
from harborlight.demo.records import CITIES, create_cases


def test_it_builds_cases_with_plans_events_and_valid_codes(cast):
    made = create_cases(cast.other, 30, [cast.outsiders[Role.CASEWORKER]], random.Random(7),
                        batch_size=10)
    cases = Case.objects.filter(organisation=cast.other).exclude(pk=cast.other_case.pk)
    assert made == 30 and cases.count() == 30
    plans = SafetyPlan.objects.filter(organisation=cast.other)
    assert plans.exists()
    assert Task.objects.filter(kind=TaskKind.SAFETY_REVIEW, safety_plan__in=plans).count() == \
        plans.count()
    assert TraffickingEvent.objects.filter(organisation=cast.other).count() == 3 * cases.count()
    for person in Person.objects.filter(organisation=cast.other, role="victim"):
        assert set(person.methods_of_control) <= htcds_codes("vic_MethodsOfControl")
        assert set(person.types_of_exploitation) <= htcds_codes("vic_TypeOfExploitation")
        assert person.phonetic_name_index  # bulk_create fills the blind indexes too


def test_it_keeps_each_case_in_one_place_within_a_year_and_most_consent_to_sharing(cast):
    create_cases(cast.other, 60, [cast.outsiders[Role.CASEWORKER]], random.Random(3))
    cases = Case.objects.filter(organisation=cast.other).exclude(pk=cast.other_case.pk)
    now = timezone.now()
    for case in cases:
        assert now - case.opened_at < timedelta(days=366)
        exploitation = case.events.get(type=EventType.EXPLOITATION)
        assert exploitation.state
        named = [city for city, *_ in CITIES if city in case.summary]
        assert named in ([], [exploitation.city])  # the summary names no other place
        assert {p.mailing_city for p in case.persons.all()} == {exploitation.city}
    closed = cases.filter(status__in=[CaseStatus.CLOSED, CaseStatus.CLOSED_REFERRED])
    assert closed.exists()
    for case in closed:
        assert case.opened_at < case.closed_at <= now and case.reason_for_closure
    shared = Consent.objects.filter(case__in=cases, purpose=ConsentPurpose.DEIDENTIFIED_SHARING)
    assert 0.45 < shared.count() / cases.count() < 0.85


def test_it_fills_the_directory_with_distinct_entries_that_offer_what_they_say(cast):
    from harborlight.demo.records import create_providers
    from harborlight.referrals.models import ServiceProvider

    create_providers(cast.other, 12, random.Random(5))
    entries = list(ServiceProvider.objects.filter(organisation=cast.other))
    assert len({e.name for e in entries}) == len(entries) == 12
    assert len({(tuple(e.services), e.city) for e in entries}) == 12
    for entry in entries:
        if "Shelter" in entry.name:
            assert "shelter" in entry.services and entry.open_24_7
        if "Legal" in entry.name:
            assert "legal" in entry.services


def test_it_gives_every_assigned_demo_tip_an_assignee_who_was_told_and_closed_a_reason(db):
    from harborlight.accounts.models import User
    from harborlight.demo.records import load_demo_data
    from harborlight.intake.models import Tip, TipStatus
    from harborlight.notifications.models import Notice, NoticeKind

    load_demo_data(cases_per_organisation=4, tips_per_organisation=30)
    closed = Tip.objects.filter(status=TipStatus.CLOSED)
    assert closed.exists() and not closed.filter(close_reason="").exists()
    assert not closed.filter(closed_at__isnull=True).exists()
    assigned = Tip.objects.filter(status=TipStatus.ASSIGNED)
    assert assigned.exists() and not assigned.filter(assigned_to__isnull=True).exists()
    for tip in assigned:
        assigner = User.objects.allowed_to("case.assign", tip.organisation).first()
        if tip.assigned_to == assigner:
            continue  # one's own assignment tells nobody (Tip.assign)
        assert Notice.objects.filter(recipient=tip.assigned_to, kind=NoticeKind.TIP_ASSIGNED,
                                     subject=tip.notice_subject).exists()
