"""The operator console: queue, logging a contact, triage steps, hand-off and conversion;
every step audited exactly once."""

from __future__ import annotations

import re

import pytest

from harborlight.cases.models import Case
from harborlight.consent.models import Consent
from harborlight.intake.models import Tip, TipMessage, TipNote
from harborlight.intake.triage import create_tip
from tests_support import assert_audited, assert_trail, audit_mark


@pytest.fixture
def operator(cast):
    return cast.role("hotline_operator")


@pytest.fixture
def console(signed_in_client, operator):
    return signed_in_client(operator)


def _tip(cast, narrative="Someone keeps the workers' passports at the farm.", **extra):
    tip, _ = create_tip(cast.own, narrative=narrative, channel="call", **extra)
    return tip


def test_it_lists_the_queue_by_level_then_age(cast, console):
    from datetime import timedelta

    from django.utils import timezone

    old_standard = _tip(cast, "Someone owes a debt.")
    Tip.objects.filter(pk=old_standard.pk).update(received_at=timezone.now() - timedelta(days=3))
    emergency = _tip(cast, "help", answers={"danger_now": "yes"})
    page = console.get("/tips/")
    references = [tip.reference for tip in page.context["page"]]
    assert references.index(emergency.reference) < references.index(old_standard.reference)
    assert cast.other_tip.reference not in references
    only_emergency = console.get("/tips/?level=emergency").context["page"]
    assert [t.reference for t in only_emergency] == [emergency.reference]


def test_it_logs_a_contact_with_structured_answers_and_explains_triage(cast, console, operator,
                                                                     rules_alone):
    response = console.post("/tips/new/", {
        "channel": "text", "caller_type": "family", "location": "Riverside",
        "people_involved": "The caller's sister, 16", "narrative": "She cannot leave the house.",
        "answer_minor_involved": "yes", "answer_vic_TypeOfExploitation": ["Servitude"],
        "indicators": ["servitude.domestic-worker-confined"]})
    assert response.status_code == 302
    tip = Tip.objects.get(logged_by=operator)
    assert tip.caller_type == "family" and tip.people_involved == "The caller's sister, 16"
    assert tip.answers["vic_TypeOfExploitation"] == ["Servitude"]
    assert tip.triage_level == "high"
    rules = [reason["rule"] for reason in tip.triage_reasons]
    assert "minor-involved" in rules and "cannot-leave" in rules
    page = console.get(response["Location"]).content.decode()
    assert "A person under 18 is involved." in page
    assert "Asked “Is anyone involved under 18?”, the answer was: yes." in page
    assert re.search(r"Kind of exploitation: [^.<]*Servitude", page)
    shown = re.sub(r"<[^>]+>", " ", page)  # what a reader sees, not attribute values
    assert "minor_involved" not in shown and "vic_TypeOfExploitation" not in shown
    [entry] = assert_audited("create", tip)
    assert entry.actor_id == operator.pk and entry.details["level"] == "high"


def test_it_refuses_an_empty_contact_and_stores_nothing(cast, console):
    response = console.post("/tips/new/", {"channel": "call", "caller_type": "unknown",
                                           "narrative": ""})
    assert response.status_code == 400
    assert Tip.objects.count() == 2  # the cast's two tips only


def test_it_shows_emergency_guidance_on_an_emergency_tip(cast, console):
    tip = _tip(cast, "She is locked in right now", answers={"danger_now": "yes"})
    page = console.get(f"/tips/{tip.reference}/").content.decode()
    assert "911" in page and "1-888-373-7888" in page


def test_it_retriages_when_the_operator_rejects_a_suggestion(cast, console, rules_alone):
    tip = _tip(cast, "They took her passport.")
    assert tip.triage_level == "standard"
    key = "indicator:control.documents-held"
    mark = audit_mark()
    response = console.post(f"/tips/{tip.reference}/review/", {"key": key,
                                                                "decision": "rejected"})
    assert response.status_code == 302
    tip.refresh_from_db()
    assert tip.reviews.get(key=key).decision == "rejected"
    assert tip.triage_level == "information" and tip.triage_reasons[0]["rule"] == "default"
    assert_trail(mark, ("update", tip))  # the review and the new triage: one act


def test_it_refuses_to_review_a_suggestion_that_was_not_made(cast, console):
    tip = _tip(cast)
    response = console.post(f"/tips/{tip.reference}/review/", {"key": "indicator:made.up",
                                                                "decision": "confirmed"},
                            follow=True)
    assert b"not (or no longer) made for this tip" in response.content
    assert not tip.reviews.exists()
    assert_audited("update", tip, times=0)
    assert_audited("read", tip)  # the tip's page, shown again with the message


def test_it_assigns_notes_and_closes_with_a_reason(cast, console, operator):
    tip = _tip(cast)
    mark = audit_mark()
    console.post(f"/tips/{tip.reference}/assign/", {"assignee": operator.pk})
    console.post(f"/tips/{tip.reference}/note/", {"body": "Called back, no answer."})
    console.post(f"/tips/{tip.reference}/close/", {"reason": "referred", "note": ""})
    tip.refresh_from_db()
    assert tip.assigned_to == operator and tip.status == "closed"
    assert tip.close_reason == "referred" and tip.closed_at is not None
    note = TipNote.objects.get(tip=tip)
    assert note.body == "Called back, no answer."
    assert_trail(mark, ("update", tip), ("create", note), ("update", tip))
    changes = [e.details["change"] for e in assert_audited("update", tip, times=2)]
    assert changes == ["assign", "closed"]


def test_it_will_not_assign_to_someone_who_cannot_triage(cast, console):
    tip = _tip(cast)
    response = console.post(f"/tips/{tip.reference}/assign/",
                            {"assignee": cast.role("analyst").pk})
    assert response.status_code == 400  # not among the choices: the policy derives them
    tip.refresh_from_db()
    assert tip.assigned_to is None
    assert_audited("update", tip, times=0)


def test_it_merges_a_duplicate_into_the_tip_kept(cast, console, operator):
    keeper, duplicate = _tip(cast), _tip(cast)
    duplicate.add_note(operator, "first call")
    mark = audit_mark()
    response = console.post(f"/tips/{duplicate.reference}/merge/", {"keep": keeper.reference})
    assert response.status_code == 302 and response.url == f"/tips/{keeper.reference}/"
    duplicate.refresh_from_db()
    assert duplicate.merged_into == keeper and duplicate.close_reason == "duplicate"
    assert "first call" in [note.body for note in TipNote.objects.filter(tip=keeper)]
    assert_trail(mark, ("update", duplicate))  # notes moved and the merge note: one act


def test_it_will_not_merge_into_another_organisations_tip(cast, console):
    tip = _tip(cast)
    response = console.post(f"/tips/{tip.reference}/merge/",
                            {"keep": cast.other_tip.reference})
    assert response.status_code == 404
    tip.refresh_from_db()
    assert tip.merged_into is None and tip.status == "open"


def test_it_converts_a_tip_into_a_case_nobody_owns_yet(cast, console, operator):
    # Issue 10: an operator converting a tip never becomes the owner (their role does not
    # hold cases, so they could not even open it); a supervisor assigns it. This used to
    # say the opposite, and the operator then met a 403 on "their" case.
    tip = _tip(cast)
    mark = audit_mark()
    response = console.post(f"/tips/{tip.reference}/convert/", {"owner": "unassigned"})
    assert response.status_code == 302 and response.url == f"/tips/{tip.reference}/"
    tip.refresh_from_db()
    case = Case.objects.get(pk=tip.case_id)
    assert case.organisation == cast.own and case.owner is None
    assert tip.reference in case.summary and tip.close_reason == "converted_to_case"
    assert list(case.tips.all()) == [tip]
    assert_trail(mark, ("create", case), ("update", tip))
    cases_before = Case.objects.count()
    console.post(f"/tips/{tip.reference}/convert/", {"owner": "unassigned"})  # refused
    assert Case.objects.count() == cases_before
    assert Tip.objects.get(pk=tip.pk).case_id == case.pk
    assert_trail(mark, ("create", case), ("update", tip))
    page = console.get(f"/tips/{tip.reference}/").content.decode()
    assert f"Case {case.reference}: waiting for a supervisor" in page
    assert f'href="/cases/{case.reference}/"' not in page, "no link the operator gets 403 on"


def test_it_converts_a_tip_for_the_caseworker_the_operator_chose(cast, console, operator):
    caseworker = cast.role("caseworker")
    tip = _tip(cast)
    mark = audit_mark()
    page = console.get(f"/tips/{tip.reference}/convert/", {"owner": caseworker.pk})
    assert page.status_code == 200 and not Case.objects.filter(tips=tip).exists()
    assert f"Open a case from tip {tip.reference}?" in page.content.decode()
    assert_trail(mark)  # the confirmation page is not the act
    console.post(f"/tips/{tip.reference}/convert/", {"owner": caseworker.pk})
    case = Case.objects.get(tips=tip)
    assert case.owner == caseworker
    assert_trail(mark, ("create", case), ("update", tip))
    tip_page = console.get(f"/tips/{tip.reference}/").content.decode()
    assert f"Case {case.reference}: held by {caseworker}" in tip_page


@pytest.mark.parametrize("owner, message", [
    ("", "This field is required"),
    ("999999", "Select a valid choice"),
])
def test_it_asks_for_the_caseworker_before_converting(cast, console, owner, message):
    tip = _tip(cast)
    for method in ("get", "post"):
        response = getattr(console, method)(f"/tips/{tip.reference}/convert/",
                                            {"owner": owner})
        assert response.status_code == 400 and message in response.content.decode()
    assert not Case.objects.filter(tips=tip).exists()
    tip.refresh_from_db()
    assert tip.status == "open"


def test_it_will_not_give_a_converted_case_to_someone_who_cannot_hold_it(cast, console):
    tip = _tip(cast)
    response = console.post(f"/tips/{tip.reference}/convert/",
                            {"owner": cast.role("hotline_operator").pk})
    assert response.status_code == 400  # the policy's case.hold makes the choices
    assert not Case.objects.filter(tips=tip).exists()


def test_it_makes_a_supervisor_converting_a_tip_the_owner(cast, signed_in_client):
    supervisor = cast.role("supervisor")
    tip = _tip(cast)
    response = signed_in_client(supervisor).post(f"/tips/{tip.reference}/convert/",
                                                 {"owner": supervisor.pk})
    case = Case.objects.get(tips=tip)
    assert case.owner == supervisor and response.url == f"/cases/{case.reference}/"


def test_it_refuses_a_hand_off_without_consent_or_duty(cast, console):
    tip = _tip(cast)
    mark = audit_mark()
    console.post(f"/tips/{tip.reference}/hand-off/", {"recipient": "County Sheriff",
                                                       "basis": "existing"})
    tip.refresh_from_db()
    assert tip.handed_off_at is None
    assert_trail(mark)


def test_it_hands_off_with_a_consent_recorded_now(cast, console, operator):
    tip = _tip(cast)
    mark = audit_mark()
    console.post(f"/tips/{tip.reference}/hand-off/", {
        "recipient": "County Sheriff", "basis": "consent", "consent_method": "verbal",
        "consent_wording": "Yes, tell the police.", "retention_explained": "on",
        "withdrawal_explained": "on"})
    tip.refresh_from_db()
    consent = Consent.objects.get(tip=tip)
    assert tip.handed_off_at is not None and consent.recorded_by == operator
    assert_trail(mark, ("create", consent), ("disclose", tip))
    [entry] = assert_audited("disclose", tip)
    assert entry.details["consent"] == consent.pk


def test_it_keeps_no_consent_from_a_hand_off_that_was_refused(cast, console):
    tip = _tip(cast)
    mark = audit_mark()
    response = console.post(f"/tips/{tip.reference}/hand-off/", {
        "recipient": "County Sheriff", "basis": "consent", "consent_method": "verbal",
        "consent_wording": "Yes.", "retention_explained": "on"}, follow=True)
    assert b"only informed once" in response.content
    assert not Consent.objects.filter(tip=tip).exists()
    assert_trail(mark, ("read", tip))  # only the tip's page, shown again with the message


def test_it_hands_off_on_a_recorded_mandatory_reason(cast, console):
    tip = _tip(cast, "A 14-year-old is sold for sex at the motel.")
    console.post(f"/tips/{tip.reference}/hand-off/", {
        "recipient": "State Police", "basis": "mandatory",
        "mandatory_reason": "Minor in commercial sex: mandatory report under state law."})
    tip.refresh_from_db()
    assert tip.handed_off_at is not None
    [entry] = assert_audited("disclose", tip)
    assert entry.details["mandatory_report"] is True and "Minor" in entry.reason


def test_it_replies_only_on_web_reports(cast, console):
    call = _tip(cast)
    console.post(f"/tips/{call.reference}/reply/", {"body": "hello"})
    assert not TipMessage.objects.exists()
    web, _ = create_tip(cast.own, narrative="Seen at the motel.", channel="web", public=True)
    console.post(f"/tips/{web.reference}/reply/", {"body": "Thank you; we are on it."})
    assert_audited("create", TipMessage.objects.get(tip=web))


def test_it_lets_roles_without_tip_update_read_but_not_act(cast, signed_in_client):
    caseworker = signed_in_client(cast.role("caseworker"))
    tip = _tip(cast)
    page = caseworker.get(f"/tips/{tip.reference}/").content.decode()
    assert "Pass to law enforcement" not in page and "Add note" not in page
    assert caseworker.post(f"/tips/{tip.reference}/close/", {"reason": "other"}).status_code == 403


def test_it_answers_404_for_another_organisations_tip(cast, console):
    for step in ("", "note/", "close/", "hand-off/", "convert/"):
        assert console.post(f"/tips/{cast.other_tip.reference}/{step}").status_code == 404


@pytest.mark.parametrize("step, form_name, data, field, message", [
    ("close/", "close_form", {"reason": "", "note": ""}, "reason", "This field is required"),
    ("close/", "close_form", {"reason": "converted_to_case"}, "reason",
     "Select a valid choice"),
    ("hand-off/", "handoff_form", {"recipient": "County Sheriff"}, "basis",
     "This field is required"),
    ("hand-off/", "handoff_form", {"recipient": "County Sheriff", "basis": "mandatory"},
     "mandatory_reason", "Describe the legal duty to report."),
    ("assign/", "assign_form", {"assignee": ""}, "assignee", "This field is required"),
])
def test_it_picks_nothing_for_the_operator_and_says_what_is_missing(
        cast, console, step, form_name, data, field, message):
    """No risky default: a close needs its reason, a hand-off its basis, chosen each time."""
    tip = _tip(cast)
    mark = audit_mark()
    response = console.post(f"/tips/{tip.reference}/{step}", data)
    assert response.status_code == 400
    assert message in " ".join(response.context[form_name].errors[field])
    tip.refresh_from_db()
    assert tip.status == "open" and tip.handed_off_at is None and tip.assigned_to is None
    assert_trail(mark)  # nothing done, nothing recorded
    page = console.get(f"/tips/{tip.reference}/").content.decode()
    assert '<option value="" selected>Choose a reason</option>' in page
    assert 'value="existing" checked' not in page and 'checked' not in \
        page.split('id="handoff"')[1].split("</details>")[0]
