"""The shipped indicator catalog is valid data, and bad catalogs fail with a named fault."""

from __future__ import annotations

import json

import pytest

from harborlight.vocab.indicators import build_catalog, parse_catalog, shipped_catalog_text
from harborlight.vocab.loader import VocabularyError

REQUIRED_CATEGORIES = {"sex_trafficking", "labour_trafficking", "child_exploitation",
                       "grooming", "recruiter_disguise", "general_signs"}


def _document(**changes) -> str:
    document = json.loads(shipped_catalog_text())
    document.update(changes)
    return json.dumps(document)


def _with_first(**changes) -> str:
    document = json.loads(shipped_catalog_text())
    document["indicators"][0].update(changes)
    return json.dumps(document)


def test_it_ships_a_valid_catalog_covering_the_required_areas():
    catalog = build_catalog()
    categories = {indicator.category for indicator in catalog.indicators}
    assert REQUIRED_CATEGORIES <= categories
    disguises = {i.id.split(".")[1] for i in catalog.indicators
                 if i.category == "recruiter_disguise"}
    assert disguises == {"pretender", "promiser", "protector", "provider", "punisher"}
    for indicator in catalog.indicators:
        assert indicator.description and indicator.source and indicator.cues


@pytest.mark.parametrize("changes, message", [
    ({"id": "Bad Id"}, "must look like"),
    ({"category": "nowhere"}, "unknown category"),
    ({"evidence_grade": "Z"}, "evidence grade"),
    ({"cues": ["(unclosed"]}, "not a valid pattern"),
    ({"codings": {"vic_Nonsense": ["X"]}}, "is not one of"),
    ({"codings": {"vic_MethodsOfControl": ["MindControl"]}}, "has no code MindControl"),
    ({"source": " "}, "source are required"),
])
def test_it_names_what_is_wrong_with_a_bad_entry(changes, message):
    with pytest.raises(VocabularyError, match=message):
        parse_catalog(_with_first(**changes))


def test_it_refuses_a_wrong_format_or_duplicate_ids():
    with pytest.raises(VocabularyError, match="format"):
        parse_catalog(_document(format="something-else"))
    document = json.loads(shipped_catalog_text())
    document["indicators"].append(dict(document["indicators"][0]))
    with pytest.raises(VocabularyError, match="used twice"):
        parse_catalog(json.dumps(document))


def test_it_merges_extensions_and_marks_the_release():
    extension = {"id": "labour.nail-salon", "category": "labour_trafficking",
                 "description": "Salon workers live at the salon.", "evidence_grade": "C",
                 "source": "Test", "cues": [r"\bsalon\b"], "codings": {}}
    catalog = build_catalog([extension])
    assert catalog.get("labour.nail-salon").extension
    assert catalog.release.endswith("+1")


@pytest.mark.parametrize("changes, message", [
    ({"field": "vic_Nonsense"}, "is not one of"),
    ({"value": "Cousinly"}, "has no code Cousinly"),
    ({"cues": ["[unclosed"]}, "not a valid pattern"),
    ({"source": ""}, "'source' is missing"),
])
def test_it_names_what_is_wrong_with_a_bad_coding_cue(changes, message):
    document = json.loads(shipped_catalog_text())
    document["coding_cues"][0].update(changes)
    with pytest.raises(VocabularyError, match=message):
        parse_catalog(json.dumps(document))
