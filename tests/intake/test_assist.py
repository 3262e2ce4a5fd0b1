"""Narrative assist: suggestions carry the exact text span; negated cues do not count."""

from __future__ import annotations

from harborlight.intake import triage
from harborlight.intake.assist import codings_of, suggest
from harborlight.intake.triage import create_tip
from harborlight.vocab.indicators import build_catalog


def test_it_suggests_indicators_and_codings_with_exact_spans():
    narrative = "He took their passports and they work 16 hours a day with no days off."
    suggestions = suggest(narrative, build_catalog())
    keys = {s.key for s in suggestions}
    assert "indicator:control.documents-held" in keys
    assert "indicator:labour.excessive-hours" in keys
    assert "coding:vic_MethodsOfControl:WithholdsDocuments" in keys
    assert "coding:vic_MethodsOfControl:ExcessiveWorkingHours" in keys
    for suggestion in suggestions:
        assert narrative[suggestion.start:suggestion.end] == suggestion.text


def test_it_ignores_a_negated_cue():
    narrative = "There were no bruises. Nobody threatened anyone. She was not locked in."
    keys = {s.key for s in suggest(narrative, build_catalog())}
    assert "indicator:control.physical-abuse" not in keys
    assert "indicator:control.threats" not in keys
    assert "indicator:control.cannot-leave" not in keys


def test_it_flags_a_minor_from_an_age():
    codings = codings_of(suggest("A 14-year-old girl is selling sex for a pimp.",
                                 build_catalog()))
    assert codings["minor_involved"] == {"Yes"}
    assert "SexualExploitation" in codings["vic_TypeOfExploitation"]


def test_it_suggests_nothing_for_an_empty_narrative():
    assert suggest("", build_catalog()) == []


def test_it_cuts_the_narrative_into_marked_and_plain_pieces():
    from harborlight.intake.assist import segments

    narrative = "He took their passports. Later they owed a debt. Nothing else."
    pieces = segments(narrative, suggest(narrative, build_catalog()))
    assert "".join(text for text, _ in pieces) == narrative
    marked = [text for text, is_marked in pieces if is_marked]
    assert any("passports" in text for text in marked)
    assert any("owed" in text for text in marked)
    assert not any("Nothing else" in text for text in marked)


def test_it_suggests_relation_and_recruitment_codings_that_triage_does_not_count(cast):
    from harborlight.intake.models import Tip

    narrative = "Her uncle sold her to a man she met on Instagram."
    keys = {s.key for s in suggest(narrative, build_catalog())}
    assert "coding:vic_RelationshipToTrafficker:Familial" in keys
    assert "coding:vic_MethodOfRecruitment:ThroughOnlineSocialNetworks" in keys
    tip, _ = create_tip(cast.own, narrative="They met at a party through "
                                    "her friends.", channel="call")
    codings = {s.key for s in triage.suggestions(tip)}
    assert "coding:vic_MethodOfRecruitment:ThroughFriendsOrSocialEvents" in codings
    assert triage.evidence(tip).indicators == {}
    assert tip.triage_reasons[0]["rule"] == "default"
