"""The ``harborlight screen`` command, run as a real process."""

import csv
import json
import os
import re
import stat
import subprocess
import sys

import pytest

from harborlight.screening.output import ADS_COLUMNS, NETWORK_COLUMNS

from .conftest import write_jsonl


def harborlight(*args, env=None):
    full_env = {**os.environ, **(env or {})}
    full_env.pop("HARBORLIGHT_SCREENING_KEY", None) if env is None else None
    return subprocess.run([sys.executable, "-c", "from harborlight.cli import main; main()",
                           *map(str, args)], capture_output=True, text=True, env=full_env,
                          timeout=120)


@pytest.fixture
def file_with_bad_line(tmp_path, small_ads):
    path = write_jsonl(tmp_path / "ads.jsonl", small_ads[:200])
    with open(path, "a", encoding="utf-8") as handle:
        handle.write("{broken\n")
    return path


def test_it_writes_the_four_documented_files(tmp_path, file_with_bad_line):
    out, state = tmp_path / "out", tmp_path / "state"
    done = harborlight("screen", file_with_bad_line, "--out", out, "--state", state)
    assert done.returncode == 0, done.stderr
    assert "ads screened: 200; records skipped: 1" in done.stdout
    assert "line 201: invalid JSON" in done.stderr
    with open(out / "ads.csv", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert tuple(rows[0]) == ADS_COLUMNS and len(rows) == 200
    assert all(not phone or re.fullmatch(r"\+(1|44)-XXX-XXX-XX\d\d", phone)
               for row in rows for phone in row["phones"].split(";"))
    with open(out / "networks.csv", encoding="utf-8") as handle:
        networks = list(csv.DictReader(handle))
    assert tuple(networks[0]) == NETWORK_COLUMNS
    assert {row["network_id"] for row in rows if row["network_id"]} == \
        {row["network_id"] for row in networks}
    leads = json.loads((out / "leads.json").read_text(encoding="utf-8"))
    assert leads["networks"][0]["members"] and leads["problems"][0]["line"] == 201
    report = (out / "report.html").read_text(encoding="utf-8")
    assert "<svg" in report and "http://" not in report and "https://" not in report
    key_file = state / "screening.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600


def test_it_reveals_every_contact_kind_only_when_asked(tmp_path, small_file):
    done = harborlight("screen", small_file, "--out", tmp_path / "out", "--reveal-contacts",
                       env={"HARBORLIGHT_SCREENING_KEY": "k" * 32})
    assert done.returncode == 0, done.stderr
    with open(tmp_path / "out" / "ads.csv", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))

    def values(column):
        return [value for row in rows for value in row[column].split(";") if value]

    assert values("phones") and all(re.fullmatch(r"\+(1|44)\d{10}", p)
                                    for p in values("phones"))
    assert values("emails") and all("***" not in e and "@" in e for e in values("emails"))
    assert values("handles") and all("***" not in h for h in values("handles"))
    masked = harborlight("screen", small_file, "--out", tmp_path / "masked",
                         env={"HARBORLIGHT_SCREENING_KEY": "k" * 32})
    assert masked.returncode == 0, masked.stderr
    with open(tmp_path / "masked" / "ads.csv", encoding="utf-8") as handle:
        hidden = [h for row in csv.DictReader(handle) for h in row["handles"].split(";") if h]
    assert hidden and all(h.endswith("***") for h in hidden)


@pytest.mark.parametrize("args, message", [
    (["missing.jsonl"], "no such file"),
    (["ads.jsonl", "--region", "XX"], "unknown phone region"),
])
def test_it_fails_in_one_line_and_writes_nothing(tmp_path, small_file, args, message):
    out = tmp_path / "out"
    done = harborlight("screen", *[tmp_path / a if a.endswith(".jsonl") else a for a in args],
                       "--out", out)
    assert done.returncode != 0
    assert message in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert "Traceback" not in done.stderr
    assert not out.exists()


def test_it_generates_ads_with_ground_truth(tmp_path):
    out = tmp_path / "gen.jsonl"
    done = harborlight("generate", "ads", "--n", "50", "--seed", "4", "--out", out)
    assert done.returncode == 0, done.stderr
    ads = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(ads) == 50 and {"id", "title", "body", "operator_id"} <= set(ads[0])
    again = tmp_path / "again.jsonl"
    harborlight("generate", "ads", "--n", "50", "--seed", "4", "--out", again)
    assert again.read_bytes() == out.read_bytes()
