"""Records without consent to de-identified sharing never appear in an export."""

from __future__ import annotations

import pandas as pd
import pytest

from harborlight.sharing import CONSENT_FIELD, InputProblems, export, frame_from_records, prepare


def _records(n_consented: int, n_refused: int) -> list[dict]:
    consented = [{CONSENT_FIELD: True, "prs_Gender": "Feminine", "prs_Citizenship": "UA",
                  "hte_Country": "PL", "cas_RegistrationDate": "2019-05-01",
                  "vic_AgeWhenTrafficked": 25, "vic_TypeOfExploitation": ["SexualExploitation"]}
                 for _ in range(n_consented)]
    # refused records carry values no consented record has
    refused = [{CONSENT_FIELD: value, "prs_Gender": "Masculine", "prs_Citizenship": "IS",
                "hte_Country": "NO", "cas_RegistrationDate": "2003-01-01",
                "vic_AgeWhenTrafficked": 50, "vic_TypeOfExploitation": ["OrganRemoval"]}
               for value in (["no", "", None, "maybe"] * n_refused)[:n_refused]]
    return consented + refused


def test_it_drops_records_without_consent_and_says_why():
    mapped, _, decision = prepare(frame_from_records(_records(30, 8)), "ctdc-2024")
    assert len(mapped) == 30
    assert "ISL" not in set(mapped["citizenship"])
    assert decision.records_excluded == 8
    assert decision.excluded == {"consent not given (empty)": 4,
                                 "consent refused or withdrawn": 2,
                                 "unrecognised consent value": 2}


def test_it_never_exports_refused_records(tmp_path):
    result = export(out_dir=tmp_path, layout="ctdc-2024", k=2, records=_records(30, 8),
                    measure_risk=False)
    data = pd.read_csv(tmp_path / "data.csv", dtype=str, keep_default_na=False)
    assert len(data) == 30
    assert not data["isOtherExploit"].eq("1").any()
    assert not data["ageBroad"].eq("48+").any()
    assert result.report["consent"]["records_excluded"] == 8
    assert result.report["rows_in"] == 30


def test_it_treats_htcds_input_without_the_consent_column_as_no_consent():
    records = [{"prs_Gender": "Feminine", "con_Consent": True}] * 5
    with pytest.raises(InputProblems, match="no record has consent"):
        prepare(frame_from_records(records), "ctdc-2024")


def test_it_treats_public_ctdc_files_as_consent_not_applicable(ctdc_2024_frame):
    _, _, decision = prepare(ctdc_2024_frame, "ctdc-2024")
    assert decision.records_kept == len(ctdc_2024_frame)
    assert decision.basis.startswith("not applicable")


def test_it_honours_a_consent_column_in_a_ctdc_file(ctdc_2024_frame):
    frame = ctdc_2024_frame.copy()
    frame[CONSENT_FIELD] = ["true" if i % 3 else "false" for i in range(len(frame))]
    mapped, _, decision = prepare(frame, "ctdc-2024")
    assert len(mapped) == decision.records_kept == sum(1 for i in range(len(frame)) if i % 3)
    assert CONSENT_FIELD not in mapped.columns
