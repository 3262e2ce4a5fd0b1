"""Bad input gives a clear list of problems, never a traceback."""

from __future__ import annotations

import gzip
from pathlib import Path

import pandas as pd
import pytest

from harborlight.sharing import InputProblems, prepare, read_table
from harborlight.sharing.datafiles import load_layout


def _prepare_file(path: Path, layout: str = "ctdc-2024"):
    return prepare(read_table(path), layout)


def test_it_reads_gzipped_csv_whatever_the_file_name(tmp_path, ctdc_2024_frame):
    path = tmp_path / "export.csv"  # gzip content behind a .csv name
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        ctdc_2024_frame.to_csv(handle, index=False)
    mapped, source, decision = _prepare_file(path)
    assert source == "ctdc-2024"
    assert len(mapped) == len(ctdc_2024_frame) == decision.records_kept


def test_it_keeps_codes_as_text(tmp_path):
    row = {name: "" for name in load_layout("ctdc-2021").names}
    row.update({"ageBroad": "09--17", "yearOfRegistration": "2006"})
    path = tmp_path / "one.csv"
    pd.DataFrame([row]).to_csv(path, index=False)
    mapped, _, _ = _prepare_file(path, "ctdc-2021")
    assert mapped.loc[0, "ageBroad"] == "09--17"
    assert mapped.loc[0, "yearOfRegistration"] == "2006"


@pytest.mark.parametrize("content,fragment", [
    (b"", "is empty"),
    (b"name,colour\nx,blue\n", "matches no known layout"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\xff\xfe", "not a UTF-8 CSV"),
])
def test_it_refuses_unreadable_or_foreign_files(tmp_path, content, fragment):
    path = tmp_path / "input.csv"
    path.write_bytes(content)
    with pytest.raises(InputProblems) as caught:
        _prepare_file(path)
    assert fragment in str(caught.value)
    assert "\n" not in str(caught.value)


def test_it_says_which_columns_are_missing_from_a_near_layout(tmp_path, ctdc_2024_frame):
    path = tmp_path / "input.csv"
    ctdc_2024_frame.drop(columns=["gender", "isOtherExploit"]).rename(
        columns={"ageBroad": "age"}).to_csv(path, index=False)
    with pytest.raises(InputProblems) as caught:
        _prepare_file(path)
    message = caught.value.problems[0]
    assert "ctdc-2024" in message
    assert "gender" in message and "isOtherExploit" in message and "ageBroad" in message
    assert "unknown column(s) age" in message


def test_it_refuses_a_header_without_records(tmp_path, ctdc_2024_frame):
    path = tmp_path / "input.csv"
    ctdc_2024_frame.iloc[0:0].to_csv(path, index=False)
    with pytest.raises(InputProblems, match="no records"):
        _prepare_file(path)


def test_it_lists_unknown_codes_of_every_column_with_rows(tmp_path, ctdc_2024_frame):
    frame = ctdc_2024_frame.copy()
    frame.loc[3, "gender"] = "Female"  # a 2021 code in a 2024 file
    frame.loc[5, "citizenship"] = "XYZ"
    frame.loc[7, "yearOfRegistration"] = "19x5"
    frame.loc[9, "isForcedLabour"] = "yes"
    path = tmp_path / "input.csv"
    frame.to_csv(path, index=False)
    with pytest.raises(InputProblems) as caught:
        _prepare_file(path)
    problems = caught.value.problems
    assert len(problems) == 4
    text = " ".join(problems)
    assert "gender: 1 unknown code(s) (row 5: 'Female')" in text
    assert "citizenship" in text and "'XYZ'" in text
    assert "yearOfRegistration" in text and "isForcedLabour" in text


def test_it_refuses_a_missing_file(tmp_path):
    with pytest.raises(InputProblems, match="does not exist"):
        read_table(tmp_path / "absent.csv")
