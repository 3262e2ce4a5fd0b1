"""The demo and bench data builder fills the new case records, in bulk, consistently."""

from __future__ import annotations

import random

from harborlight.accounts.models import Role
from harborlight.cases.models import (Case, Person, SafetyPlan, Task, TaskKind,
                                      TraffickingEvent)
from harborlight.vocab.loader import htcds_codes
from harborlight.demo.records import create_cases


def test_it_builds_cases_with_plans_events_and_valid_codes(cast):
    made = create_cases(cast.other, 30, [cast.outsiders[Role.CASEWORKER]], random.Random(7),
                        batch_size=10)
    cases = Case.objects.filter(organisation=cast.other).exclude(pk=cast.other_case.pk)
    assert made == 30 and cases.count() == 30
    plans = SafetyPlan.objects.filter(organisation=cast.other)
    assert plans.exists()
    assert Task.objects.filter(kind=TaskKind.SAFETY_REVIEW, safety_plan__in=plans).count() == \
        plans.count()
    assert TraffickingEvent.objects.filter(organisation=cast.other).count() == 3 * plans.count()
    for person in Person.objects.filter(organisation=cast.other, role="victim"):
        assert set(person.methods_of_control) <= htcds_codes("vic_MethodsOfControl")
        assert set(person.types_of_exploitation) <= htcds_codes("vic_TypeOfExploitation")
        assert person.phonetic_name_index  # bulk_create fills the blind indexes too
