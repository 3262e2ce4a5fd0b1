"""A field interview in Collect's XML arrives as a case (the organisation's setting), and
the case's HTCDS export carries the values the field worker entered: real HTTP against a
live server, then the export service of `harborlight export htcds`."""

from __future__ import annotations

import json
import uuid

import pytest
from django.db import connection

from harborlight.accounts.models import Organisation, Role
from harborlight.accounts.tokens import create_token
from harborlight.cases.htcds_io import write_file
from harborlight.cases.models import Case
from harborlight.fieldintake.forms import htcds_form
from harborlight.fieldintake.models import Arrival, FieldSubmission, IntakeSetting
from harborlight.intake.models import Tip, TipStatus
from openrosa_client import OpenRosaClient, instance_xml
from tests_support import assert_trail, audit_mark, make_user

NARRATIVE = "Met a worker at the farm gate; the crew boss keeps their passports and wages."
ANSWERS = {"con_Consent": "TRUE", "narrative": NARRATIVE, "danger_now": "no",
           "minor_involved": "no", "prs_First_Name": "Rosa", "prs_Second_Name": "Example",
           "prs_Gender": "Feminine", "vic_TypeOfExploitation": "ForcedLabour",
           "vic_Methods_of_Control": "DebtBondage WithholdsDocuments",
           "vic_LocationOfExploitation": "Farm near Salinas"}


@pytest.fixture
def outreach(live_server, transactional_db):
    organisation = Organisation.objects.create(name="Field Outreach", slug="field-outreach")
    IntakeSetting.objects.create(organisation=organisation, arrives_as=Arrival.CASE)
    worker = make_user(organisation, Role.CASEWORKER, "outreach-ana")
    client = OpenRosaClient(f"{live_server.url}/openrosa/{organisation.slug}",
                            username=worker.username, token=create_token(worker, "phone"))
    return organisation, worker, client


def _interview(instance_id: str, **answers: str) -> bytes:
    return instance_xml(version=htcds_form().version, instance_id=instance_id,
                        **{**ANSWERS, **answers})


def test_a_submission_arrives_as_a_case_whose_htcds_export_carries_the_same_values(
        outreach, tmp_path):
    organisation, worker, client = outreach
    instance_id = f"uuid:{uuid.uuid4()}"
    mark = audit_mark()
    reply = client.submit(_interview(instance_id))
    assert reply.status == 201, reply.body
    case = Case.objects.get(organisation=organisation)
    tip = Tip.objects.get()
    assert reply.message() == f"Received as case {case.reference}."
    assert tip.case == case and tip.status == TipStatus.CLOSED
    assert case.owner == worker  # a caseworker's interview is theirs to follow
    assert_trail(mark, ("create", tip), ("create", case), ("update", tip))

    out = tmp_path / "cases.json"
    assert write_file(out, Case.objects.filter(organisation=organisation)) == 1
    (exported,) = json.loads(out.read_text())["records"]
    assert exported["hl_CaseReference"] == case.reference
    assert {name: exported[name] for name in (
        "prs_FirstName", "prs_SecondName", "prs_Gender", "con_Consent",
        "vic_TypeOfExploitation", "vic_MethodsOfControl", "vic_LocationOfExploitation")} == {
        "prs_FirstName": "Rosa", "prs_SecondName": "Example", "prs_Gender": "Feminine",
        "con_Consent": True, "vic_TypeOfExploitation": "ForcedLabour",
        "vic_MethodsOfControl": "DebtBondage;WithholdsDocuments",
        "vic_LocationOfExploitation": "Farm near Salinas"}
    with connection.cursor() as cursor:  # the person's values are encrypted at rest
        cursor.execute("SELECT * FROM cases_person")
        dump = repr(cursor.fetchall())
    assert "Rosa" not in dump and "Salinas" not in dump

    again = client.submit(_interview(instance_id))
    assert again.status == 202
    assert Case.objects.count() == 1 and Tip.objects.count() == 1
    assert_trail(mark, ("create", tip), ("create", case), ("update", tip))


def test_a_wrong_htcds_answer_refuses_the_case_and_writes_nothing(outreach):
    _organisation, _worker, client = outreach
    reply = client.submit(_interview(f"uuid:{uuid.uuid4()}", prs_Gender="Martian"))
    assert reply.status == 400
    assert "prs_Gender" in reply.message() and "'Martian'" in reply.message()
    assert not Tip.objects.exists() and not Case.objects.exists()
    assert not FieldSubmission.objects.exists()


def test_without_the_setting_an_interview_stays_a_tip(outreach):
    organisation, _worker, client = outreach
    IntakeSetting.objects.filter(organisation=organisation).update(arrives_as=Arrival.TIP)
    reply = client.submit(_interview(f"uuid:{uuid.uuid4()}"))
    assert reply.status == 201 and reply.message().startswith("Received as tip ")
    assert not Case.objects.exists()


def test_an_interview_that_stays_a_tip_has_its_htcds_answers_checked_at_arrival(outreach):
    organisation, _worker, client = outreach
    IntakeSetting.objects.filter(organisation=organisation).update(arrives_as=Arrival.TIP)
    mark = audit_mark()
    for answers, words in (({"prs_Gender": "Martian"}, "'Martian'"),
                           ({"vic_Methods_of_Control": "DebtBondage MindControl"},
                            "MindControl")):
        reply = client.submit(_interview(f"uuid:{uuid.uuid4()}", **answers))
        assert reply.status == 400, reply.body
        assert reply.message().startswith("The answer for ") and words in reply.message()
    assert not Tip.objects.exists() and not FieldSubmission.objects.exists()
    assert_trail(mark)
    reply = client.submit(_interview(f"uuid:{uuid.uuid4()}"))
    assert reply.status == 201 and reply.message().startswith("Received as tip ")
