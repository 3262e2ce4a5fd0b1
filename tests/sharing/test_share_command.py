"""``harborlight share export`` run as a real process: files, metadata, one-line errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pandas as pd
import pytest

from .conftest import make_ctdc_2024


def run_share(*args: str) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "harborlight", "share", "export", *args]
    # as a user runs it: no test-only Django settings module in the environment
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    return subprocess.run(command, capture_output=True, text=True, timeout=600, env=env)


def assert_one_line_error(result: subprocess.CompletedProcess, code: int, fragment: str):
    assert result.returncode == code, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert lines[-1].startswith("harborlight: error: ")
    assert fragment in lines[-1]
    assert "Traceback" not in result.stderr


def test_it_writes_a_k_anonymous_export_with_its_report(tmp_path, ctdc_2024_csv):
    out = tmp_path / "out"
    result = run_share("--input", str(ctdc_2024_csv), "--layout", "ctdc-2024", "--k", "11",
                       "--out", str(out), "--seed", "2")
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in out.iterdir()) == ["data.csv", "report.html", "report.json"]
    report = json.loads((out / "report.json").read_text())
    for key in ("quasi_identifiers", "k", "epsilon", "delta", "rows_in", "rows_out",
                "suppressed_share", "fabricated_share", "marginal_mae"):
        assert key in report
    assert report["k"] == 11 and report["epsilon"] is None
    data = pd.read_csv(out / "data.csv", dtype=str, keep_default_na=False)
    assert len(data) == report["rows_out"]
    assert data.groupby(report["quasi_identifiers"]).size().min() >= 11
    assert f"exported {report['rows_out']:,} of" in result.stdout


def test_it_records_epsilon_and_delta_of_a_dp_export(tmp_path):
    source = tmp_path / "input.csv.gz"
    make_ctdc_2024(300, seed=4).to_csv(source, index=False, compression="gzip")
    out = tmp_path / "out"
    result = run_share("--input", str(source), "--layout", "ctdc-2024", "--epsilon", "2.5",
                       "--delta", "1e-8", "--out", str(out), "--seed", "1")
    assert result.returncode == 0, result.stderr
    report = json.loads((out / "report.json").read_text())
    assert report["epsilon"] == 2.5 and report["delta"] == 1e-8 and report["k"] is None
    assert report["privacy"]["epsilon"] == 2.5 and report["privacy"]["delta"] == 1e-8
    assert report["method"] == "differential-privacy"
    assert "2.5" in (out / "report.html").read_text()
    assert len(pd.read_csv(out / "data.csv")) == report["rows_out"]


@pytest.mark.parametrize("args,fragment", [
    (["--k", "11", "--epsilon", "4"], "exactly one of --k"),
    ([], "exactly one of --k"),
    (["--epsilon", "0"], "epsilon must be"),
    (["--epsilon", "-1"], "epsilon must be"),
    (["--epsilon", "4", "--delta", "0"], "delta must be"),
    (["--k", "1"], "k must be"),
])
def test_it_refuses_nonsense_parameters(tmp_path, ctdc_2024_csv, args, fragment):
    out = tmp_path / "out"
    result = run_share("--input", str(ctdc_2024_csv), "--layout", "ctdc-2024", *args,
                       "--out", str(out))
    assert_one_line_error(result, 2, fragment)
    assert not out.exists() or not any(out.iterdir())


def test_it_refuses_a_bad_file_with_exit_65_and_writes_nothing(tmp_path):
    source = tmp_path / "bad.csv"
    frame = make_ctdc_2024(50)
    frame.loc[2, "gender"] = "Female"
    frame.to_csv(source, index=False)
    out = tmp_path / "out"
    result = run_share("--input", str(source), "--layout", "ctdc-2024", "--k", "5",
                       "--out", str(out))
    assert_one_line_error(result, 65, "gender: 1 unknown code(s)")
    assert not out.exists() or not any(out.iterdir())


def test_it_refuses_an_unknown_layout(tmp_path, ctdc_2024_csv):
    result = run_share("--input", str(ctdc_2024_csv), "--layout", "ctdc-2030", "--k", "5",
                       "--out", str(tmp_path))
    assert result.returncode == 2
    assert "ctdc-2030" in result.stderr and "Traceback" not in result.stderr
