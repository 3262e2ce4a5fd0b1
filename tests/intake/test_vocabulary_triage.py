"""Triage reads an organisation's own picklist values: the operator can code a tip with
one, rules on the HTCDS value it maps to fire, and a rule may name it."""

from __future__ import annotations

from harborlight.cases.vocabulary import add_value
from harborlight.intake import triage
from harborlight.intake.forms import AnswersForm
from harborlight.intake.triage import create_tip, set_answers
from harborlight.vocab.triage import decide_level, parse_rules


def _value(cast, maps_to: str, label: str = "Forced criminality (scam compounds)"):
    return add_value(cast.own, "vic_TypeOfExploitation", label, "Criminalidad forzada",
                     maps_to, cast.role("administrator"))


def test_a_tip_coded_with_an_own_value_is_triaged_as_its_htcds_value(cast):
    criminality = _value(cast, "ForcedLabour")
    tip, _ = create_tip(cast.own, narrative="A man called about his cousin.", channel="call")
    answers = {"vic_TypeOfExploitation": [criminality.code], "indicators": ["control.debt"]}
    form = AnswersForm({"answer_vic_TypeOfExploitation": [criminality.code],
                        "indicators": ["control.debt"]}, organisation=cast.own)
    assert form.is_valid(), form.errors  # the operator is offered the value
    assert not AnswersForm({"answer_vic_TypeOfExploitation": [criminality.code]},
                           organisation=cast.other).is_valid()  # not another organisation's
    set_answers(tip, answers, by=cast.role("hotline_operator"))
    tip.refresh_from_db()
    assert tip.answers["vic_TypeOfExploitation"] == [criminality.code]  # stored as chosen
    codings = triage.evidence(tip).codings()["vic_TypeOfExploitation"]
    assert codings == {criminality.code, "ForcedLabour"}
    assert tip.triage_level == "high"  # forced labour with debt: the shipped rule fired


def test_a_rule_may_name_an_organisations_value(cast):
    criminality = _value(cast, "Other")
    rules = parse_rules("""{"format": "harborlight-triage-rules", "version": 1,
      "levels": ["emergency", "high", "standard", "information"],
      "default": {"level": "information", "explain": "-"},
      "questions": [{"id": "vic_TypeOfExploitation", "label": "Kind", "multiple": true,
                     "htcds": true}],
      "rules": [{"id": "scam-compounds", "level": "high", "explain": "Scam compound",
                 "when": {"coding": "vic_TypeOfExploitation", "in": ["%s"]}}]}"""
                        % criminality.code)
    tip, _ = create_tip(cast.own, narrative="A man called about his cousin.", channel="call",
                        answers={"vic_TypeOfExploitation": [criminality.code]})
    assert decide_level(triage.evidence(tip), rules).level == "high"
    plain, _ = create_tip(cast.own, narrative="A man called about his cousin.",
                          channel="call", answers={"vic_TypeOfExploitation": ["Other"]})
    assert decide_level(triage.evidence(plain), rules).level == "information"
