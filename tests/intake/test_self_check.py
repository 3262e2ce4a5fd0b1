"""'Assess what you saw' (issue 16): questions and signs in the address, nothing stored
until a report is sent; the report arrives with the answers and the ticked signs."""

from __future__ import annotations

from html import escape

import pytest
from django.test import Client

from harborlight.intake import triage
from harborlight.intake.models import Tip

pytestmark = pytest.mark.django_db

CHECKED = "?done=1&answer_danger_now=yes&answer_minor_involved=no" \
          "&sign=control.documents-held&sign=control.cannot-leave&sign=no.such-sign" \
          "&sign=sex.named"


def test_it_asks_the_questions_and_lists_signs_to_tick_in_both_languages():
    english = Client().get("/report/check/")
    body = english.content.decode()
    assert english.status_code == 200 and not english.cookies
    assert "Is anyone in immediate danger right now?" in body
    assert 'name="sign" value="control.documents-held"' in body
    assert "recruiter.pretender" not in body  # ways in, not things seen
    spanish = Client().get("/report/check/?lang=es").content.decode()
    assert escape("Otra persona le guarda el pasaporte o la identificación.") in spanish
    assert Tip.objects.count() == 0


def test_it_says_what_to_do_next_and_puts_danger_first():
    body = Client().get("/report/check/" + CHECKED).content.decode()
    assert "Someone is in danger: call now" in body and 'href="tel:911"' in body
    assert escape("Someone else keeps the person's passport or ID.") in body
    assert "sign=control.documents-held" in body and "sign=control.cannot-leave" in body
    assert "no.such-sign" not in body and "sign=sex.named" not in body  # not public signs
    assert "answer_danger_now=yes" in body
    assert "not trafficking" not in body.lower()
    quiet = Client().get("/report/check/?done=1").content.decode()
    assert "What to do next" in quiet and "Someone is in danger" not in quiet
    assert Tip.objects.count() == 0


def test_it_opens_the_report_form_with_the_answers_and_signs_filled_in():
    body = Client().get("/report/?answer_danger_now=yes&sign=control.documents-held"
                        "&sign=no.such-sign").content.decode()
    assert 'value="yes"' in body and 'checked' in body
    assert 'type="hidden" name="sign" value="control.documents-held"' in body
    assert "no.such-sign" not in body


def test_it_sends_the_ticked_signs_with_the_report_for_the_operator(cast):
    response = Client().post("/report/", {
        "narrative": "I saw workers at the farm.", "answer_happening_now": "yes",
        "sign": ["control.documents-held", "control.cannot-leave", "no.such-sign",
                 "sex.named"]})
    assert response.status_code == 201
    tip = Tip.objects.order_by("-pk").first()
    assert tip.answers["reporter_signs"] == ["control.documents-held", "control.cannot-leave"]
    facts = [fact for reason in tip.triage_reasons for fact in reason["facts"]]
    assert any(f.get("origin") == "ticked by the reporter" for f in facts)
    assert tip.triage_level == "high"  # not free to leave, documents held: as if read
    triage.set_answers(tip, {"danger_now": "no"}, by=None)  # the operator's answers
    assert tip.answers["reporter_signs"] == ["control.documents-held", "control.cannot-leave"]
