import copy

import pytest

from harborlight.screening import resources
from harborlight.screening.errors import CatalogProblem, ConfigProblem
from harborlight.screening.extract import extract
from harborlight.screening.indicators import IndicatorScorer
from harborlight.screening.normalise import normalise

KEY = b"indicator-test-key-0123456789abcd"


def scored(text: str, **params) -> dict:
    ad = {"id": "a", "text": text}
    view = normalise(text)
    ad.update(view=view, extracted=extract(ad, view, key=KEY, region="US"))
    return IndicatorScorer(**params).transform([ad])[0]


def test_it_lists_every_reason_with_grade_source_and_span():
    text = "Young and discreet team. Call 2O2*555*0143."
    ad = scored(text)
    reasons = {reason["id"]: reason for reason in ad["reasons"]}
    assert set(reasons) == {"youthful_language", "trustworthy_language", "obscured_contact"}
    young = reasons["youthful_language"]
    assert text[young["span"][0]:young["span"][1]] == "Young"
    assert young["grade"] == "A" and young["source"] == "nij-1263"
    assert ad["score"] == pytest.approx(sum(r["weight"] for r in ad["reasons"]))


def test_it_never_echoes_a_raw_contact_in_a_reason():
    ad = scored("Call 2O2*555*0143.")
    obscured = next(r for r in ad["reasons"] if r["id"] == "obscured_contact")
    assert obscured["text"] == "+1-XXX-XXX-XX43"


def test_it_lowers_the_score_for_movement_language_as_the_evidence_says():
    assert scored("New in town, call me")["score"] < 0


def test_it_applies_weight_overrides_and_switches_indicators_off():
    assert scored("young team", weights={"youthful_language": 3.0})["score"] == 3.0
    assert scored("young team", weights={"youthful_language": 0})["reasons"] == []


def test_it_rejects_weights_for_unknown_indicators():
    with pytest.raises(ConfigProblem):
        scored("x", weights={"no_such_indicator": 1.0})


def test_it_rejects_a_catalog_that_fails_its_schema():
    broken = copy.deepcopy(resources.indicator_catalog())
    broken["indicators"][0]["source"] = "nowhere"
    with pytest.raises(CatalogProblem, match="unknown source"):
        resources.check_catalog(broken)
    broken = copy.deepcopy(resources.indicator_catalog())
    broken["indicators"][0]["patterns"] = ["("]
    with pytest.raises(CatalogProblem, match="bad pattern"):
        resources.check_catalog(broken)


def test_it_ships_a_versioned_catalog_with_the_nij_cues():
    catalog = resources.indicator_catalog()
    ids = {entry["id"] for entry in catalog["indicators"]}
    assert {"youthful_language", "obscured_contact", "stated_ethnicity",
            "trustworthy_language", "movement_language"} <= ids
    assert catalog["version"]
