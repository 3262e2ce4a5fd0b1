"""Case workflow: open, assign, status, trafficking status and who decided, closure with
supervisor approval; every transition audited exactly once."""

from __future__ import annotations

import pytest

from harborlight.accounts.models import Role
from harborlight.cases.models import Case, CaseStatus, Person, WorkflowError
from tests_support import assert_audited, assert_trail, audit_mark


def test_it_opens_a_case_from_scratch_with_its_person(cast, signed_in_client):
    caseworker = cast.role(Role.CASEWORKER)
    client = signed_in_client(caseworker)
    mark = audit_mark()
    response = client.post("/cases/new/", {"summary": "Walked in asking for shelter.",
                                           "first_name": "Nadia", "second_name": "Okafor"})
    assert response.status_code == 302
    case = Case.objects.get(reference=response.url.strip("/").split("/")[-1])
    assert case.owner == caseworker and case.organisation == cast.own
    assert case.persons.get().second_name == "Okafor"
    assert_trail(mark, ("create", case))  # the person is part of the act, not another one


def test_it_opens_a_case_from_a_tip_and_links_the_tip(cast):
    # Resolves the old contradiction with the console's conversion test: whoever opens a
    # case from a tip, it is owned only by someone whose role holds cases (case.hold).
    operator = cast.role(Role.HOTLINE_OPERATOR)
    case = Case.objects.open_new(cast.own, operator, tip=cast.own_tip, summary="From a call")
    cast.own_tip.refresh_from_db()
    assert cast.own_tip.case == case and case.owner is None
    [entry] = assert_audited("create", case)
    assert entry.details["from_tip"] == cast.own_tip.reference


def test_it_makes_the_opener_the_owner_only_when_their_role_holds_cases(cast):
    supervisor = cast.role(Role.SUPERVISOR)
    assert Case.objects.open_new(cast.own, supervisor).owner == supervisor
    assert Case.objects.open_new(cast.own, cast.role(Role.HOTLINE_OPERATOR)).owner is None


def test_it_refuses_an_owner_who_cannot_hold_cases(cast):
    before = Case.objects.count()
    with pytest.raises(WorkflowError):
        Case.objects.open_new(cast.own, cast.role(Role.SUPERVISOR),
                              owner=cast.role(Role.ANALYST))
    with pytest.raises(WorkflowError):
        Case.objects.open_new(cast.own, cast.role(Role.SUPERVISOR),
                              owner=cast.outsiders[Role.CASEWORKER])
    assert Case.objects.count() == before


def test_it_refuses_a_tip_of_another_organisation(cast):
    with pytest.raises(WorkflowError):
        Case.objects.open_new(cast.own, cast.role(Role.SUPERVISOR), tip=cast.other_tip)


def test_it_opens_many_cases_at_once_with_holders_only(cast):
    supervisor = cast.role(Role.SUPERVISOR)
    opened = Case.objects.open_many(cast.own, [Case(owner=supervisor),
                                               Case(status=CaseStatus.CLOSED)])
    assert [case.organisation for case in opened] == [cast.own, cast.own]
    assert opened[1].closed_at == opened[1].opened_at
    assert len({case.reference for case in opened}) == 2
    with pytest.raises(WorkflowError):
        Case.objects.open_many(cast.own, [Case(owner=cast.role(Role.HOTLINE_OPERATOR))])


def test_it_lets_a_supervisor_assign_to_a_colleague_only(cast, signed_in_client):
    client = signed_in_client(cast.role(Role.SUPERVISOR))
    url = f"/cases/{cast.own_case.reference}/assign/"
    mark = audit_mark()
    assert client.post(url, {"owner": cast.teammate.pk}).status_code == 302
    cast.own_case.refresh_from_db()
    assert cast.own_case.owner == cast.teammate
    assert_trail(mark, ("update", cast.own_case))
    outsider = cast.outsiders[Role.CASEWORKER]
    assert client.post(url, {"owner": outsider.pk}).status_code == 400
    assert_trail(mark, ("update", cast.own_case))


def test_it_refuses_assignment_to_a_role_that_cannot_hold_cases(cast):
    with pytest.raises(WorkflowError):
        cast.own_case.assign(cast.role(Role.HOTLINE_OPERATOR), by=cast.role(Role.SUPERVISOR))
    assert_audited("update", cast.own_case, times=0)


def test_it_refuses_assignment_by_a_caseworker(cast, signed_in_client):
    response = signed_in_client(cast.role(Role.CASEWORKER)).post(
        f"/cases/{cast.own_case.reference}/assign/", {"owner": cast.teammate.pk})
    assert response.status_code == 403
    assert_audited("update", cast.own_case, times=0)


def test_it_records_trafficking_status_and_who_decided(cast, signed_in_client):
    caseworker = cast.role(Role.CASEWORKER)
    signed_in_client(caseworker).post(
        f"/cases/{cast.own_case.reference}/trafficking-status/",
        {"trafficking_status": "ActualVictimOfTrafficking", "decision_org": "CourtOrProsecution"})
    case = Case.objects.get(pk=cast.own_case.pk)
    assert case.trafficking_status == "ActualVictimOfTrafficking"
    assert case.trafficking_status_decision_org == "CourtOrProsecution"
    assert case.trafficking_status_decided_by == caseworker
    [entry] = assert_audited("update", case)
    assert entry.details["change"] == "trafficking_status"


def test_it_requires_the_deciding_organisation_for_a_confirmed_status(cast):
    with pytest.raises(WorkflowError):
        cast.own_case.decide_trafficking_status("ActualVictimOfTrafficking", "",
                                                by=cast.role(Role.CASEWORKER))
    assert_audited("update", cast.own_case, times=0)


def test_it_closes_only_after_a_supervisor_approves(cast, signed_in_client):
    reference = cast.own_case.reference
    caseworker = signed_in_client(cast.role(Role.CASEWORKER))
    mark = audit_mark()
    caseworker.post(f"/cases/{reference}/closure/", {"reason": "Goals met; moved to family."})
    case = Case.objects.get(pk=cast.own_case.pk)
    assert case.status == CaseStatus.ACTIVE and case.closure_requested_at is not None
    assert caseworker.post(f"/cases/{reference}/closure/approve/").status_code == 403
    assert_trail(mark, ("update", case))
    supervisor = signed_in_client(cast.role(Role.SUPERVISOR))
    assert supervisor.post(f"/cases/{reference}/closure/approve/").status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED and case.closed_at is not None
    assert case.reason_for_closure == "Goals met; moved to family."
    assert case.closure_approved_by == cast.role(Role.SUPERVISOR)
    changes = [e.details["change"] for e in assert_audited("update", case, times=2)]
    assert changes == ["closure_requested", "closure_approved"]


def test_it_closes_as_referred_when_asked(cast):
    case = cast.own_case
    case.request_closure("Referred to a shelter in another state", by=cast.role(Role.CASEWORKER),
                         referred=True)
    case.approve_closure(by=cast.role(Role.SUPERVISOR))
    assert case.status == CaseStatus.CLOSED_REFERRED
    assert_audited("update", case, times=2)


def test_it_keeps_the_case_open_when_closure_is_declined(cast):
    case = cast.own_case
    case.request_closure("Survivor moved away", by=cast.role(Role.CASEWORKER))
    case.reject_closure(by=cast.role(Role.SUPERVISOR))
    assert case.is_open and case.closure_requested_at is None
    with pytest.raises(WorkflowError):
        case.approve_closure(by=cast.role(Role.SUPERVISOR))
    assert_audited("update", case, times=2)


def test_it_reopens_a_closed_case_once(cast, signed_in_client):
    case = cast.own_case
    case.request_closure("Goals met together.", by=cast.role(Role.CASEWORKER))
    case.approve_closure(by=cast.role(Role.SUPERVISOR))
    mark = audit_mark()
    response = signed_in_client(cast.role(Role.SUPERVISOR)).post(
        f"/cases/{case.reference}/reopen/")
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.is_open and case.closed_at is None and not case.closure_requested_status
    [entry] = assert_audited("update", case, since=mark)
    assert entry.details["change"] == "reopened"


def test_it_needs_a_reason_to_close(cast):
    with pytest.raises(WorkflowError):
        cast.own_case.request_closure("  ", by=cast.role(Role.CASEWORKER))
    assert_audited("update", cast.own_case, times=0)


def test_it_refuses_to_set_a_closed_status_directly(cast, signed_in_client):
    response = signed_in_client(cast.role(Role.CASEWORKER)).post(
        f"/cases/{cast.own_case.reference}/status/", {"status": "Closed"})
    assert response.status_code == 400
    cast.own_case.refresh_from_db()
    assert cast.own_case.status == CaseStatus.ACTIVE
    assert_audited("update", cast.own_case, times=0)


def test_it_changes_between_open_statuses_once(cast, signed_in_client):
    response = signed_in_client(cast.role(Role.CASEWORKER)).post(
        f"/cases/{cast.own_case.reference}/status/", {"status": "FollowUp"})
    assert response.status_code == 302
    cast.own_case.refresh_from_db()
    assert cast.own_case.status == CaseStatus.FOLLOW_UP
    assert_audited("update", cast.own_case)


def test_it_shows_a_refused_transition_as_a_message_and_records_nothing(cast,
                                                                        signed_in_client):
    client = signed_in_client(cast.role(Role.SUPERVISOR))
    response = client.post(f"/cases/{cast.own_case.reference}/closure/approve/", follow=True)
    assert b"There is no closure request to approve." in response.content
    assert_audited("update", cast.own_case, times=0)


def test_it_answers_404_for_workflow_posts_on_another_organisations_case(cast, signed_in_client):
    client = signed_in_client(cast.role(Role.SUPERVISOR))
    for path in ("closure/approve/", "assign/", "status/", "reopen/"):
        assert client.post(f"/cases/{cast.other_case.reference}/{path}").status_code == 404
        assert client.get(f"/cases/{cast.other_case.reference}/{path}").status_code == 404


def test_it_finds_cases_by_sound_alike_name_and_by_phone(cast, signed_in_client):
    client = signed_in_client(cast.role(Role.CASEWORKER))
    page = client.get("/cases/", {"q": "Marizol Kintero-Vanse"}).content.decode()
    assert cast.own_case.reference in page
    page = client.get("/cases/", {"q": "(202) 555-0143"}).content.decode()
    assert cast.own_case.reference in page
    page = client.get("/cases/", {"q": "Somebody Else"}).content.decode()
    assert cast.own_case.reference not in page


def test_it_caps_a_broad_search_and_says_so(cast, signed_in_client, monkeypatch):
    from harborlight.cases.views import cases as case_views

    for reference in ("C-OWN3-0003", "C-OWN4-0004"):
        case = Case.objects.create(organisation=cast.own, reference=reference)
        Person.objects.create(organisation=cast.own, case=case, role="victim",
                              first_name="Ana", second_name="Quintero-Vance")
    monkeypatch.setattr(case_views, "SEARCH_LIMIT", 2)
    page = signed_in_client(cast.role(Role.CASEWORKER)).get(
        "/cases/", {"q": "Quintero-Vance"}).content.decode()
    assert "More than 2 cases match" in page
    assert page.count('href="/cases/C-OWN') == 2  # three cases carry the name; two shown
