"""HTCDS picklists as package data: schema checks, definitions and upstream spellings."""

from __future__ import annotations

import json

import pytest

from harborlight.vocab import loader
from harborlight.vocab.loader import VocabularyError


def test_it_resolves_the_known_upstream_spelling_variants():
    for variant, standard in [("prs_First_Name", "prs_FirstName"),
                              ("prs_Second_Name", "prs_SecondName"),
                              ("vic_Methods_of_Control", "vic_MethodsOfControl"),
                              ("vic_TraffickinStatusDecisionMakingOrg",
                               "vic_TraffickingStatusDecisionMakingOrg")]:
        assert loader.htcds_field(variant)["field"] == standard


def test_it_refuses_names_that_are_not_in_the_standard():
    with pytest.raises(KeyError):
        loader.htcds_field("prs_FavouriteColour")


def test_it_ships_labels_and_definitions_with_picklists():
    values = {v["code"]: v for v in loader.htcds_picklists()["vic_MethodsOfControl"]}
    assert values["DebtBondage"]["label"] == "Debt bondage"
    assert "debt" in values["DebtBondage"]["definition"].lower()
    assert ("Active", "Active") in loader.htcds_choices("cas_Status")


def test_it_leaves_coding_notes_out_of_picklists():
    field = loader.htcds_field("prs_Citizenship")
    assert field["picklist"] is None and field["coding"].startswith("Use ISO 3166")


@pytest.mark.parametrize("document, message", [
    ("{", "not valid JSON"),
    ('{"format": "other", "version": 1, "fields": []}', "format must be"),
    ('{"format": "harborlight-htcds-fields", "version": 9, "fields": []}', "unsupported"),
])
def test_it_rejects_malformed_documents(document, message):
    with pytest.raises(VocabularyError, match=message):
        loader.parse_document(document, "fields.json", "harborlight-htcds-fields", "fields")


def test_it_rejects_an_entry_with_a_missing_key():
    entry = dict(loader.htcds_fields()[0])
    del entry["label"]
    with pytest.raises(VocabularyError, match="missing key 'label'"):
        loader.validate_htcds_fields([entry])


def test_it_matches_the_standard_file(shared_data):
    """The package data was generated from the standard and has drifted nowhere."""
    raw = json.loads((shared_data / "htcds" / "htcds_fields_extracted.json").read_text())
    shipped = {f["field"]: f for f in loader.htcds_fields()}
    assert [f["field"] for f in raw] == list(shipped)
    for item in raw:
        codes = [c for c in item["value_names"] if not c.startswith("Use ISO")]
        assert [v["code"] for v in loader.htcds_picklists().get(item["field"], [])] == codes


def test_it_regenerates_the_shipped_files_exactly_from_the_standard(shared_data, tmp_path):
    import importlib.util
    from importlib import resources
    from pathlib import Path

    script = Path(__file__).resolve().parents[2] / "scripts" / "generate_htcds_vocab.py"
    spec = importlib.util.spec_from_file_location("generate_htcds_vocab", script)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.main(shared_data, tmp_path)
    for name in ("fields.json", "picklists.json"):
        shipped = resources.files("harborlight.vocab.htcds").joinpath(name).read_text("utf-8")
        assert (tmp_path / name).read_text("utf-8") == shipped, f"{name} is out of date"
