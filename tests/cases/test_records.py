"""Survivor-centred records: safety plans with review reminders, goals, services, tasks,
the events timeline, and consent recorded and withdrawn."""

from __future__ import annotations

import datetime
import re

import pytest
from django.utils import timezone

from harborlight.accounts.models import Role
from harborlight.cases.models import SafetyPlan, SupportPlan, Task, TaskKind, TraffickingEvent
from harborlight.consent.disclosure import ConsentRequired, disclose
from harborlight.consent.models import Consent
from tests_support import assert_audited, assert_trail, audit_mark


def url(cast, tail: str) -> str:
    return f"/cases/{cast.own_case.reference}/{tail}"


def test_it_saves_a_safety_plan_encrypted_with_a_review_task(cast, signed_in_client):
    client = signed_in_client(cast.role(Role.CASEWORKER))
    review = timezone.localdate() + datetime.timedelta(days=14)
    mark = audit_mark()
    response = client.post(url(cast, "safety-plans/new/"), {
        "safe_contacts": "My sister, call from the shop phone", "safe_places": "Library",
        "code_words": "Are the tomatoes ripe?", "risk_reduction_steps": "Keep ID with me",
        "in_own_words": "on", "review_on": review.isoformat()})
    assert response.status_code == 302
    plan = SafetyPlan.objects.get(case=cast.own_case)
    assert plan.code_words == "Are the tomatoes ripe?" and plan.in_own_words
    task = Task.objects.get(safety_plan=plan)
    assert task.kind == TaskKind.SAFETY_REVIEW and task.due_on == review
    assert task.assigned_to == cast.role(Role.CASEWORKER)
    assert_trail(mark, ("create", plan))  # the review task is part of saving the plan
    from django.db import connection
    with connection.cursor() as cursor:
        cursor.execute("SELECT code_words FROM cases_safetyplan WHERE id = %s", [plan.pk])
        assert "tomatoes" not in cursor.fetchone()[0]
    page = client.get(f"/cases/{cast.own_case.reference}/").content.decode()
    assert "Are the tomatoes ripe?" in page


def test_it_moves_the_reminder_when_the_review_date_changes(cast, signed_in_client):
    plan = SafetyPlan.objects.create(organisation=cast.own, case=cast.own_case,
                                     review_on=datetime.date(2027, 1, 1))
    plan.sync_review_task(by=cast.role(Role.CASEWORKER))
    client = signed_in_client(cast.role(Role.CASEWORKER))
    mark = audit_mark()
    client.get(url(cast, f"safety-plans/{plan.pk}/"))
    assert_trail(mark, ("read", plan))  # the edit form shows the plan: a read, not an update
    mark = audit_mark()
    client.post(url(cast, f"safety-plans/{plan.pk}/"), {"review_on": "2027-02-01",
                                                       "code_words": "new words"})
    assert list(Task.objects.filter(safety_plan=plan).values_list("due_on", flat=True)) == [
        datetime.date(2027, 2, 1)]
    assert_trail(mark, ("update", plan))


def test_it_lists_due_reviews_in_my_tasks(cast, signed_in_client):
    plan = SafetyPlan.objects.create(organisation=cast.own, case=cast.own_case,
                                     review_on=timezone.localdate() - datetime.timedelta(days=1))
    plan.sync_review_task(by=cast.role(Role.CASEWORKER))
    page = signed_in_client(cast.role(Role.CASEWORKER)).get("/cases/tasks/").content.decode()
    assert "Review the safety plan together" in page and "overdue" in page
    other = signed_in_client(cast.teammate).get("/cases/tasks/").content.decode()
    assert "Review the safety plan together" not in other


def test_it_rejects_a_safety_plan_without_a_review_date(cast, signed_in_client):
    response = signed_in_client(cast.role(Role.CASEWORKER)).post(
        url(cast, "safety-plans/new/"), {"code_words": "x"})
    assert response.status_code == 400 and not SafetyPlan.objects.exists()


def test_it_adds_goals_with_htcds_support_plan_types(cast, signed_in_client):
    client = signed_in_client(cast.role(Role.CASEWORKER))
    mark = audit_mark()
    client.post(url(cast, "goals/new/"), {"type": "Education", "objectives": "Finish GED",
                                          "status": "open"})
    goal = SupportPlan.objects.get(case=cast.own_case)
    assert goal.objectives == "Finish GED"
    assert_trail(mark, ("create", goal))
    bad = client.post(url(cast, "goals/new/"), {"type": "Astrology", "objectives": "x",
                                                "status": "open"})
    assert bad.status_code == 400


def test_it_marks_a_goal_achieved(cast, signed_in_client):
    goal = SupportPlan.objects.create(organisation=cast.own, case=cast.own_case,
                                      type="Legal", objectives="Apply for a T visa")
    response = signed_in_client(cast.role(Role.CASEWORKER)).post(
        url(cast, f"goals/{goal.pk}/"), {"type": "Legal", "objectives": "Apply for a T visa",
                                         "actual_end_date": "2026-11-20", "status": "achieved"})
    assert response.status_code == 302
    goal.refresh_from_db()
    assert goal.status == "achieved" and str(goal.actual_end_date) == "2026-11-20"
    assert_audited("update", goal)


def test_it_completes_a_task(cast, signed_in_client):
    task = Task.objects.create(organisation=cast.own, case=cast.own_case, title="Call lawyer",
                               due_on=datetime.date(2027, 1, 1))
    client = signed_in_client(cast.role(Role.CASEWORKER))
    client.post(url(cast, f"tasks/{task.pk}/done/"))
    client.post(url(cast, f"tasks/{task.pk}/done/"))  # done already: nothing more happens
    task.refresh_from_db()
    assert task.done_at is not None and task.done_by == cast.role(Role.CASEWORKER)
    assert_audited("update", task)


def test_it_draws_events_on_a_timeline_in_date_order(cast, signed_in_client):
    client = signed_in_client(cast.role(Role.CASEWORKER))
    for kind, day, city in [("Exploitation", "2024-06-01", "Houston"),
                            ("Recruitment", "2023-01-15", "Tegucigalpa"),
                            ("Transit", "", "Monterrey")]:
        client.post(url(cast, "events/new/"), {"type": kind, "date": day, "city": city})
    assert TraffickingEvent.objects.filter(case=cast.own_case).count() == 3
    for event in TraffickingEvent.objects.filter(case=cast.own_case):
        assert_audited("create", event)
    page = client.get(f"/cases/{cast.own_case.reference}/").content.decode()
    assert "<svg" in page and 'role="img"' in page and "style=" not in page
    assert page.index("Recruitment Jan 2023") < page.index("Exploitation Jun 2024")
    # Labels at either end are anchored on their mark's side, so none is cut off.
    assert 'text-anchor="start" font-size="12" fill="#222222">Recruitment Jan 2023' in page
    assert 'text-anchor="end" font-size="12" fill="#222222">Exploitation Jun 2024' in page
    assert "<rect" not in page.split("<svg")[1].split("</svg>")[0]  # undated transit not drawn
    assert "Date unknown: Transit in Monterrey" in page


def test_it_records_consent_that_then_opens_the_disclosure_gate(cast, signed_in_client):
    person = cast.own_case.persons.get()
    client = signed_in_client(cast.role(Role.CASEWORKER))
    with pytest.raises(ConsentRequired):
        disclose(cast.role(Role.CASEWORKER), cast.own_case, "referral", case=cast.own_case)
    mark = audit_mark()
    assert client.get(url(cast, "consents/new/")).status_code == 200
    assert_trail(mark)  # a blank form is not an act: nothing is recorded
    response = client.post(url(cast, "consents/new/"), {
        "person": person.pk, "purpose": "referral", "method": "verbal",
        "retention_explained": "on", "withdrawal_explained": "on",
        "recipient_choice": "other", "recipient_name": "Safe Passage Shelter",
        "wording": "Yes, to the shelter only",
        "fields_allowed": ["prs_FirstName", "prs_MobilePhone"]})
    assert response.status_code == 302
    consent = Consent.objects.get(case=cast.own_case)
    assert consent.fields_allowed == ["prs_FirstName", "prs_MobilePhone"]
    assert consent.recorded_by == cast.role(Role.CASEWORKER)
    assert_trail(mark, ("create", consent))
    basis = disclose(cast.role(Role.CASEWORKER), cast.own_case, "referral", case=cast.own_case)
    assert basis.consent == consent
    client.post(url(cast, f"consents/{consent.pk}/withdraw/"), {"note": "Changed her mind"})
    consent.refresh_from_db()
    assert consent.withdrawn_at is not None and consent.withdrawal_note == "Changed her mind"
    [withdrawal] = assert_audited("update", consent)
    assert withdrawal.details == {"change": "withdrawn"}
    with pytest.raises(ConsentRequired):
        disclose(cast.role(Role.CASEWORKER), cast.own_case, "referral", case=cast.own_case)


def test_it_refuses_consent_when_retention_and_withdrawal_were_not_explained(cast,
                                                                           signed_in_client):
    person = cast.own_case.persons.get()
    response = signed_in_client(cast.role(Role.CASEWORKER)).post(url(cast, "consents/new/"), {
        "person": person.pk, "purpose": "referral", "method": "verbal",
        "recipient_choice": "any"})
    assert response.status_code == 400 and not Consent.objects.exists()
    assert b"only informed once how long we keep the data" in response.content
    assert_audited("create", object_type="consent.consent", times=0)


CONSENT = {"purpose": "referral", "method": "verbal", "retention_explained": "on",
           "withdrawal_explained": "on", "recipient_choice": "any"}


@pytest.mark.parametrize("change, field, message", [
    ({"recipient_choice": ""}, "recipient_choice", "Choose who may receive it."),
    ({"recipient_choice": "other"}, "recipient_name", "Type the name of who may receive it."),
    ({"recipient_choice": "provider:999999"}, "recipient_choice", "Select a valid choice"),
    ({"purpose": "marketing"}, "purpose", "Select a valid choice"),
    ({"fields_allowed": ["prs_FirstName", "not_a_field"]}, "fields_allowed",
     "Select a valid choice"),
    ({"expires_on": "2001-01-01"}, "expires_on", "Choose a date after today"),
    ({"expires_on": "someday"}, "expires_on", "Enter a valid date"),
    ({"method": ""}, "method", "This field is required"),
])
def test_it_refuses_bad_consent_input_beside_the_field(cast, signed_in_client, change, field,
                                                      message):
    person = cast.own_case.persons.get()
    client = signed_in_client(cast.role(Role.CASEWORKER))
    mark = audit_mark()
    response = client.post(url(cast, "consents/new/"), {"person": person.pk, **CONSENT,
                                                        **change})
    assert response.status_code == 400 and not Consent.objects.exists()
    assert message in response.context["form"].errors[field][0]
    assert message.encode() in response.content.replace(b"&quot;", b'"')
    assert_trail(mark)


def test_it_ticks_a_preset_without_saving_anything(cast, signed_in_client):
    person = cast.own_case.persons.get()
    client = signed_in_client(cast.role(Role.CASEWORKER))
    mark = audit_mark()
    response = client.post(url(cast, "consents/new/"), {
        "person": person.pk, "recipient_choice": "other", "recipient_name": "Casa Segura",
        "wording": "She said yes to the shelter", "preset": "shelter"})
    assert response.status_code == 200 and not Consent.objects.exists()
    assert_trail(mark)
    page = response.content.decode()
    assert 'value="prs_MobilePhone" id="id_fields_allowed_prs_MobilePhone" checked' in page
    assert 'value="prs_Birthdate" id="id_fields_allowed_prs_Birthdate">' in page
    assert 'value="Casa Segura"' in page and "She said yes to the shelter" in page
    assert '<option value="referral" selected>' in page
    assert "errorlist" not in page, "a preset is not a save: nothing is reported missing"


def test_it_shows_the_consent_form_in_words_not_codes(cast, signed_in_client):
    page = signed_in_client(cast.role(Role.CASEWORKER)).get(
        url(cast, "consents/new/")).content.decode()
    text = page.split('<main')[1].split('</main>')[0]
    visible = re.sub(r"<[^>]+>", " ", text)
    assert not re.search(r"\b(prs|vic|cas|per|ref|org|hte|spl|cco)_[A-Z]", visible)
    for group in ("Who they are", "Contact details", "Story and history",
                  "Health and support needs", "Immigration and documents"):
        assert f"<legend>{group}</legend>" in page
    assert '<option value="" selected>Choose who may receive it</option>' in page


def test_it_offers_only_this_cases_people_as_consent_givers(cast, signed_in_client):
    from harborlight.cases.models import Person
    stranger = Person.objects.create(organisation=cast.other, case=cast.other_case,
                                     role="victim", first_name="Z")
    response = signed_in_client(cast.role(Role.CASEWORKER)).post(url(cast, "consents/new/"), {
        "person": stranger.pk, "purpose": "referral", "method": "verbal",
        "retention_explained": "on", "withdrawal_explained": "on"})
    assert response.status_code == 400 and not Consent.objects.exists()
