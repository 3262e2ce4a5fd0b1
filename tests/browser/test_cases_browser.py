"""Case management in the browser: open a case (from scratch and from a tip), write a
safety plan, export a person's data; axe-core runs on every page the tests reach."""

from __future__ import annotations

import datetime
import json

import pytest

from harborlight.accounts.models import Role
from harborlight.cases.models import Case, Person, SafetyPlan, SupportPlan, Task, TraffickingEvent
from harborlight.consent.models import Consent, ConsentMethod, ConsentPurpose

pytestmark = pytest.mark.browser


def test_it_opens_a_case_from_scratch(signed_in, cast):
    site = signed_in(cast.role(Role.CASEWORKER))
    site.goto("/cases/")
    with site.page.expect_navigation():
        site.page.get_by_role("link", name="Open a case").click()
    site.check_accessibility()
    site.submit("Open case", status=400, First_name="Amara")
    assert "This field is required." in site.text()
    site.submit("Open case", status=200, Summary="Asked for help at the clinic.",
                First_name="Amara", Second_name="Nwosu")
    reference = site.text("h1").split()[-1]
    case = Case.objects.get(reference=reference)
    assert case.owner == cast.role(Role.CASEWORKER)
    assert "Amara Nwosu" in site.text()


def test_it_opens_a_case_from_a_tip(signed_in, cast):
    supervisor = cast.role(Role.SUPERVISOR)
    site = signed_in(supervisor)
    site.goto(f"/tips/{cast.own_tip.reference}/")
    site.page.get_by_label("Caseworker for the new case").select_option(str(supervisor.pk))
    site.submit("Open a case…", status=200)
    assert "Open a case from tip" in site.text()  # it asks first
    site.submit("Yes, open the case", status=200)
    cast.own_tip.refresh_from_db()
    assert cast.own_tip.case is not None
    assert site.path == f"/cases/{cast.own_tip.case.reference}/"
    assert f"Opened from tip {cast.own_tip.reference}" in site.text()


def test_it_writes_a_safety_plan_with_a_review_reminder(signed_in, cast):
    site = signed_in(cast.role(Role.CASEWORKER))
    site.goto(f"/cases/{cast.own_case.reference}/")
    with site.page.expect_navigation():
        site.page.get_by_role("link", name="Write a safety plan").click()
    site.check_accessibility()
    review = (datetime.date.today() + datetime.timedelta(days=30)).isoformat()
    site.page.get_by_label("Written in the survivor's own words").check()
    site.submit("Save safety plan", status=200,
                Safe_contacts="Aunt Rosa — call from the church phone",
                Safe_places="St. Mark's library, the 24h pharmacy",
                Code_words="Did you feed the cat?",
                Steps_to_stay_safer="Keep my passport copy with Rosa",
                Review_on=review)
    assert site.path == f"/cases/{cast.own_case.reference}/"
    assert "Did you feed the cat?" in site.text()
    assert "In the survivor's own words" in site.text()
    plan = SafetyPlan.objects.get(case=cast.own_case)
    assert Task.objects.filter(safety_plan=plan, due_on=review).exists()
    site.goto("/cases/tasks/")
    assert "Review the safety plan together" in site.text()


def test_it_exports_a_persons_data_as_a_page_and_as_json(signed_in, cast):
    person = cast.own_case.persons.get()
    site = signed_in(cast.role(Role.SUPERVISOR))
    site.goto(f"/cases/{cast.own_case.reference}/people/{person.pk}/")
    with site.page.expect_navigation():
        site.page.get_by_role("link", name="Export this person's data").click()
    site.check_accessibility()
    assert "Quintero-Vance" in site.text() and "+1 202-555-0143" in site.text()
    response = site.page.request.get(site.page.url + "?format=json")
    assert response.status == 200
    document = json.loads(response.text())
    assert document["records"][0]["person"]["prs_FirstName"] == "Marisol"


def test_it_passes_axe_on_every_case_page(signed_in, cast):
    case = cast.own_case
    person = case.persons.get()
    supervisor = cast.role(Role.SUPERVISOR)
    plan = SafetyPlan.objects.create(organisation=cast.own, case=case, code_words="blue",
                                     review_on=datetime.date(2027, 1, 1))
    plan.sync_review_task(by=supervisor)
    for kind, day in (("Recruitment", datetime.date(2023, 2, 1)),
                      ("Transit", datetime.date(2023, 3, 1)),
                      ("Exploitation", datetime.date(2023, 9, 1))):
        TraffickingEvent.objects.create(organisation=cast.own, case=case, type=kind, date=day,
                                        city="Houston")
    consent = Consent.objects.create(organisation=cast.own, case=case, person=person,
                                     purpose=ConsentPurpose.REFERRAL,
                                     method=ConsentMethod.VERBAL, retention_explained=True,
                                     withdrawal_explained=True, recorded_by=supervisor)
    goal = SupportPlan.objects.create(organisation=cast.own, case=case, type="Health",
                                      objectives="See a dentist")
    twin = Person.objects.create(organisation=cast.own, case=cast.own_restricted_case,
                                 role="victim", first_name="Marisol",
                                 second_name="Quintero Vance")
    assert twin.pk
    site = signed_in(supervisor)
    base = f"/cases/{case.reference}/"
    for path in ["/cases/", "/cases/?q=Marisol+Quintero-Vance", "/cases/new/", "/cases/tasks/",
                 base, f"{base}people/new/", f"{base}people/{person.pk}/",
                 f"{base}people/{person.pk}/edit/", f"{base}people/{person.pk}/export/",
                 f"{base}people/{person.pk}/erase/", f"{base}safety-plans/new/",
                 f"{base}safety-plans/{plan.pk}/", f"{base}goals/new/", f"{base}goals/{goal.pk}/",
                 f"{base}services/new/",
                 f"{base}tasks/new/", f"{base}events/new/", f"{base}consents/new/",
                 f"{base}consents/{consent.pk}/withdraw/"]:
        site.goto(path)
    site.goto(base)
    site.page.get_by_text("Manage this case").click()
    site.check_accessibility()
    site.submit("Request closure", status=200, Reason_for_closing="Goals met, moved away.")
    assert "a supervisor will review it" in site.text()
    site.page.get_by_text("Manage this case").click()
    site.submit("Approve closure", status=200)
    case.refresh_from_db()
    assert case.status == "Closed"
