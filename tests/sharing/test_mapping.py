"""The CTDC mappings, field by field, from hand-written vectors (vectors/mapping.json)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from harborlight.sharing import CONSENT_FIELD, InputProblems, frame_from_records, prepare
from harborlight.sharing.datafiles import load_layout

VECTORS = json.loads((Path(__file__).parent / "vectors" / "mapping.json").read_text())["vectors"]


def _input_frame(vector: dict) -> pd.DataFrame:
    if vector["source"] == "htcds":
        return frame_from_records([{**vector["input"], CONSENT_FIELD: True}])
    row = {name: "" for name in load_layout(vector["source"]).names}
    row.update(vector["input"])
    return pd.DataFrame([row], dtype=str)


@pytest.mark.parametrize("vector", VECTORS, ids=lambda v: f"{v['source']}->{v['target']}:"
                         + ",".join(v["expect"]))
def test_it_maps_each_field_as_the_standard_says(vector):
    mapped, source, _ = prepare(_input_frame(vector), vector["target"])
    assert source == vector["source"]
    assert list(mapped.columns) == load_layout(vector["target"]).names
    got = {column: mapped.loc[0, column] for column in vector["expect"]}
    assert got == vector["expect"]


@pytest.mark.parametrize("source,target", [("htcds", "ctdc-2024"), ("htcds", "ctdc-2021"),
                                           ("ctdc-2021", "ctdc-2024")])
def test_it_has_a_vector_for_every_target_column(source, target):
    covered = {c for v in VECTORS if (v["source"], v["target"]) == (source, target)
               for c in v["expect"]}
    assert set(load_layout(target).names) - covered == set()


def test_it_accepts_multiselect_lists_from_the_database_path():
    record = {CONSENT_FIELD: True, "vic_MethodsOfControl": ["DebtBondage", "FalsePromises"],
              "prs_Citizenship": ["UA"], "vic_AgeWhenTrafficked": 19}
    mapped, _, _ = prepare(frame_from_records([record]), "ctdc-2024")
    assert mapped.loc[0, ["meansDebtBondageEarnings", "meansFalsePromises", "citizenship",
                          "ageBroad"]].tolist() == ["1", "1", "UKR", "18--20"]


def test_it_accepts_the_xlsform_spelling_of_methods_of_control():
    record = {CONSENT_FIELD: "yes", "vic_Methods_of_Control": "WithholdsDocuments"}
    mapped, _, _ = prepare(frame_from_records([record]), "ctdc-2024")
    assert mapped.loc[0, "meansWithholdDocs"] == "1"


def test_it_reads_the_2024_codebook_dash_and_column_spelling():
    row = {name: "" for name in load_layout("ctdc-2024").names}
    row.pop("meansWithholdDocs")
    row.update({"meansWithholdDocuments": "1", "ageBroad": "18\u201420", "gender": "NULL"})
    mapped, source, _ = prepare(pd.DataFrame([row], dtype=str), "ctdc-2024")
    assert source == "ctdc-2024"
    assert mapped.loc[0, ["meansWithholdDocs", "ageBroad", "gender"]].tolist() == [
        "1", "18--20", ""]


def test_it_lists_every_unknown_htcds_value():
    records = [{CONSENT_FIELD: True, "prs_Gender": "Female", "vic_MethodsOfControl": "Hypnosis",
                "prs_Citizenship": "Atlantis", "vic_AgeWhenTrafficked": "old"}]
    with pytest.raises(InputProblems) as caught:
        prepare(frame_from_records(records), "ctdc-2024")
    text = " ".join(caught.value.problems)
    for fragment in ("prs_Gender", "'Female'", "vic_MethodsOfControl", "prs_Citizenship",
                     "'Atlantis'", "not ages"):
        assert fragment in text
    assert len(caught.value.problems) == 4
