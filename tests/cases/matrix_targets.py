"""Targets for the HTTP permission matrix (see tests/security/test_permission_matrix.py).

Records hanging off a case are made on first use (get_or_create), for the cast's own
case or the other organisation's case, so every view with arguments has a real target.
"""

import datetime


def _records(cast, whose: str) -> dict:
    from harborlight.cases.models import (Person, PersonMerge, PersonRole, SafetyPlan, SupportPlan, Task)
    from harborlight.consent.models import Consent, ConsentMethod, ConsentPurpose

    case = cast.own_case if whose == "own" else cast.other_case
    org = case.organisation
    user = case.owner
    person = Person.objects.filter(case=case, external_id="matrix").first() or \
        Person.objects.create(organisation=org, case=case, role=PersonRole.VICTIM,
                              external_id="matrix", first_name="Ines", second_name="Matrix")
    other = Person.objects.filter(case=case, external_id="matrix-2").first() or \
        Person.objects.create(organisation=org, case=case, role=PersonRole.VICTIM,
                              external_id="matrix-2", first_name="Ines", second_name="Matriks")
    merge = PersonMerge.objects.filter(kept=person).first() or PersonMerge.objects.create(
        organisation=org, kept=person, merged=other, merged_by=user,
        undone_at=datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc), undone_by=user)
    plan = SafetyPlan.objects.filter(case=case).first() or SafetyPlan.objects.create(
        organisation=org, case=case, code_words="blue umbrella",
        review_on=datetime.date(2027, 1, 1))
    task = Task.objects.filter(case=case).first() or Task.objects.create(
        organisation=org, case=case, title="Call back", due_on=datetime.date(2027, 1, 1))
    consent = Consent.objects.filter(case=case).first() or Consent.objects.create(
        organisation=org, case=case, person=person, purpose=ConsentPurpose.REFERRAL,
        method=ConsentMethod.VERBAL, retention_explained=True, withdrawal_explained=True,
        recorded_by=user)
    goal = SupportPlan.objects.filter(case=case).first() or SupportPlan.objects.create(
        organisation=org, case=case, type="Education", objectives="Finish school")
    return {"person": person, "merge": merge, "plan": plan, "task": task, "consent": consent,
            "goal": goal}


def targets(cast, whose: str) -> dict:
    case = cast.own_case if whose == "own" else cast.other_case
    ref = {"reference": case.reference}
    made = _records(cast, whose)
    return {
        **{name: ref for name in (
            "cases:detail", "cases:add_note", "cases:assign", "cases:set_status",
            "cases:trafficking_status", "cases:request_closure", "cases:approve_closure",
            "cases:reject_closure", "cases:reopen", "cases:person_add",
            "cases:safety_plan_add", "cases:support_plan_add", "cases:service_add",
            "cases:task_add", "cases:event_add", "cases:consent_add", "cases:history",
            "cases:history_restore")},
        **{name: {**ref, "pk": made["person"].pk} for name in (
            "cases:person", "cases:person_edit", "cases:person_merge", "cases:person_export",
            "cases:person_erase")},
        "cases:merge_undo": {**ref, "pk": made["merge"].pk},
        "cases:safety_plan_edit": {**ref, "pk": made["plan"].pk},
        "cases:support_plan_edit": {**ref, "pk": made["goal"].pk},
        "cases:task_done": {**ref, "pk": made["task"].pk},
        "cases:consent_withdraw": {**ref, "pk": made["consent"].pk},
        "cases:record_history": {**ref, "kind": "person", "pk": made["person"].pk},
        "cases:record_history_restore": {**ref, "kind": "safety-plan", "pk": made["plan"].pk},
    }
