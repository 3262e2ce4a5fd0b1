"""Triage rules as data: validation, and decisions that list their reasons."""

from __future__ import annotations

import json

import pytest

from harborlight.vocab.loader import VocabularyError, read_package_file
from harborlight.vocab.triage import (Evidence, check_rules_against_catalog, decide_level,
                                      load_rules, parse_rules)


def _indicator(ident: str, origin: str = "confirmed") -> tuple[str, dict]:
    from harborlight.vocab.indicators import build_catalog

    found = build_catalog().get(ident)
    return ident, {"category": found.category, "codings": found.codings, "origin": origin,
                   "span_text": ""}


def _decide(answers=None, indicators=()):
    evidence = Evidence(answers or {}, dict(_indicator(i) for i in indicators))
    return decide_level(evidence, load_rules(), "test")


def test_it_ships_rules_that_name_only_known_indicators_and_questions():
    from harborlight.vocab.indicators import build_catalog

    check_rules_against_catalog(load_rules(), build_catalog())
    assert load_rules().levels == ("emergency", "high", "standard", "information")


def test_it_calls_immediate_danger_an_emergency_and_says_why():
    decision = _decide({"danger_now": "yes"})
    assert decision.level == "emergency"
    assert decision.reasons[0].rule == "danger-now"
    assert "answer danger_now = yes" in decision.reasons[0].evidence


def test_it_calls_a_minor_in_exploitation_now_an_emergency():
    decision = _decide({"minor_involved": "yes", "happening_now": "yes"},
                       ["control.documents-held"])
    assert decision.level == "emergency"
    assert decision.reasons[0].rule == "minor-exploited-now"


def test_it_does_not_call_a_past_minor_case_an_emergency():
    decision = _decide({"happening_now": "no", "vic_TypeOfExploitation": ["SexualExploitation"]},
                       ["child.minor-in-commercial-sex"])
    assert decision.level == "high"
    assert "minor-involved" in [reason.rule for reason in decision.reasons]


def test_it_lists_every_rule_that_fired_most_urgent_first():
    decision = _decide({"can_leave": "no", "vic_TypeOfExploitation": ["ForcedLabour"]},
                       ["control.documents-held", "labour.unpaid-or-withheld-wages"])
    assert decision.level == "high"
    levels = [reason.level for reason in decision.reasons]
    assert levels == sorted(levels, key=load_rules().urgency)
    rules = {reason.rule for reason in decision.reasons}
    assert {"cannot-leave", "coercion-and-exploitation", "forced-labour-coerced",
            "signs-of-trafficking"} <= rules
    coercion = next(r for r in decision.reasons if r.rule == "coercion-and-exploitation")
    assert any("control.documents-held" in item for item in coercion.evidence)


def test_it_gives_information_only_to_a_request_without_indicators():
    assert _decide({"contact_purpose": "training"}).level == "information"
    assert _decide({"contact_purpose": "training"}, ["control.debt"]).level == "standard"


def test_it_falls_back_to_information_with_a_reason():
    decision = _decide()
    assert decision.level == "information" and decision.is_default
    assert decision.reasons[0].rule == "default"


def test_it_does_not_call_unpaid_wages_or_violence_alone_trafficking():
    """A wage dispute and a domestic-violence call: nothing points to trafficking."""
    assert _decide({}, ["labour.unpaid-or-withheld-wages", "labour.excessive-hours"]).level \
        == "information"
    assert _decide({}, ["control.physical-abuse", "control.threats"]).level == "information"


def test_it_treats_forced_labour_with_threats_as_high_and_with_a_minor_now_as_emergency():
    labour = {"vic_TypeOfExploitation": ["ForcedLabour"]}
    assert _decide(labour, ["control.threat-deportation"]).level == "high"
    now = Evidence(labour, dict([_indicator("control.cannot-leave")]),
                   found={"minor_involved": {"Yes": "a 15-year-old"}},
                   signals={"ongoing": {"text": "can't leave", "sentence": "He can't leave."}})
    decision = decide_level(now, load_rules(), "test")
    assert decision.level == "emergency"
    assert decision.reasons[0].rule == "forced-labour-minor-or-violence-now"
    assert 'signal ongoing: "He can\'t leave."' in decision.reasons[0].evidence


def test_it_makes_a_narrative_only_tip_an_emergency_with_immediacy_and_violence():
    evidence = Evidence({}, dict([_indicator("control.physical-abuse"),
                                  _indicator("control.cannot-leave")]),
                        signals={"immediate": {"text": "right now",
                                               "sentence": "He is beating her right now."}})
    decision = decide_level(evidence, load_rules(), "test")
    assert decision.level == "emergency" and decision.reasons[0].rule == "danger-in-narrative"
    assert decision.reasons[0].facts[0]["sentence"] == "He is beating her right now."


def test_violence_now_with_nothing_pointing_to_trafficking_is_not_an_emergency():
    """A domestic-violence call ("he hit me tonight"): no sign of trafficking, no minor,
    no one held; a weapon or a threat to kill would still make it one."""
    hit = dict([_indicator("control.physical-abuse")])
    now = {"immediate": {"text": "tonight", "sentence": "He hit me tonight."}}
    assert decide_level(Evidence({}, hit, signals=now), load_rules(), "test").level != \
        "emergency"
    armed = {**now, "danger": {"text": "gun", "sentence": "He has a gun."}}
    assert decide_level(Evidence({}, hit, signals=armed), load_rules(), "test").level == \
        "emergency"


@pytest.mark.parametrize("mutate, message", [
    (lambda d: d["rules"].append({"id": "x", "level": "urgent", "explain": "",
                                  "when": {"indicators_at_least": 1}}), "unknown level"),
    (lambda d: d["rules"].append({"id": "y", "level": "high", "explain": "",
                                  "when": {"answer": "nope", "in": ["yes"]}}),
     "unknown question"),
    (lambda d: d["rules"].append({"id": "z", "level": "high", "explain": "",
                                  "when": {"frobnicate": 1}}), "unknown condition"),
    (lambda d: d["rules"].append(dict(d["rules"][0])), "used twice"),
    (lambda d: d.update(default={"level": "someday"}), "default level"),
    (lambda d: d["rules"].append({"id": "s", "level": "high", "explain": "",
                                  "when": {"signal": ["tomorrow"]}}), "'signal' lists"),
])
def test_it_names_what_is_wrong_with_bad_rules(mutate, message):
    document = json.loads(read_package_file("harborlight.vocab", "triage_rules.json"))
    mutate(document)
    with pytest.raises(VocabularyError, match=message):
        parse_rules(json.dumps(document))


def test_it_refuses_rules_naming_an_indicator_the_catalog_lacks():
    from harborlight.vocab.indicators import build_catalog

    document = json.loads(read_package_file("harborlight.vocab", "triage_rules.json"))
    document["rules"].append({"id": "ghost", "level": "high", "explain": "",
                              "when": {"indicator": ["ghost.indicator"]}})
    with pytest.raises(VocabularyError, match="unknown indicator"):
        check_rules_against_catalog(parse_rules(json.dumps(document)), build_catalog())


def test_it_stores_exactly_the_levels_the_rules_name_in_their_urgency_order():
    """Drift test: the rules file is the home of the levels and their order; tips store
    them (TriageLevel, the column's choices) and the queue sorts by them."""
    from harborlight.intake.models import Tip, TriageLevel, levels_by_urgency

    levels = list(load_rules().levels)
    assert TriageLevel.values == levels == list(levels_by_urgency())
    column = Tip._meta.get_field("triage_level")
    assert [value for value, _ in column.choices] == levels
    assert column.default == load_rules().default_level
