"""The README's commands run as written on the demo's data, from the clone's root, with no
variables set; ``demo --code`` finds the demo or says where it looked, creating nothing."""

from __future__ import annotations

import json
import os
import re
import sqlite3
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HARBORLIGHT = [sys.executable, "-m", "harborlight"]

pytestmark = pytest.mark.slow


def readme_demo_commands() -> list[list[str]]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("After `./scripts/demo`, the command line works", 1)[1]
    block = block.split("```sh", 1)[1].split("```", 1)[0]
    commands = [shlex.split(line.split("  #")[0]) for line in block.strip().splitlines()]
    assert all(c[0] == ".venv/bin/harborlight" for c in commands), commands
    return [c[1:] for c in commands]


def plain_environment() -> dict:
    """A user's shell: no Harborlight variables, no test settings."""
    return {k: v for k, v in os.environ.items()
            if not k.startswith("HARBORLIGHT_") and k != "DJANGO_SETTINGS_MODULE"}


def harborlight(folder: Path, *args: str, timeout: int = 600) -> subprocess.CompletedProcess:
    return subprocess.run([*HARBORLIGHT, *args], cwd=folder, env=plain_environment(),
                          capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def clone(tmp_path_factory) -> Path:
    """A folder laid out as ./scripts/demo leaves the clone: the demo in harborlight-data."""
    folder = tmp_path_factory.mktemp("clone")
    result = harborlight(folder, "demo", "--prepare-only", "--data-dir",
                         str(folder / "harborlight-data"))
    assert result.returncode == 0, result.stderr
    return folder


def test_the_readme_lists_the_commands_the_issue_names():
    names = [" ".join(c[:2]) for c in readme_demo_commands()]
    for command in ("check", "keys check", "audit verify", "export htcds", "share export",
                    "organisations"):
        assert any(n.startswith(command) for n in names), command


@pytest.mark.parametrize("command", readme_demo_commands(), ids=" ".join)
def test_it_runs_each_readme_command_on_the_demo_from_the_clone_root(clone, command):
    result = harborlight(clone, *command)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert f"using the demo's data in {clone / 'harborlight-data'}" in result.stderr
    if command[0] == "organisations":
        assert re.search(r"^harbor\s+Harbor Hotline & Advocacy \(demo\)", result.stdout,
                         re.M)
    if command[:2] == ["share", "export"]:
        assert (clone / "demo-export" / "data.csv").is_file()
        assert "exported" in result.stdout


def test_it_takes_an_organisation_by_name_as_well_as_slug(clone):
    result = harborlight(clone, "share", "export", "--organisation",
                         "safe passage shelter (DEMO)", "--layout", "ctdc-2024", "--k", "2",
                         "--no-risk", "--out", str(clone / "by-name"), "--reason", "a test")
    assert result.returncode == 0, result.stderr
    wrong = harborlight(clone, "export", "htcds", "--organisation", "Nowhere", "--out",
                        str(clone / "x.csv"), "--reason", "testing a wrong name")
    assert wrong.returncode == 2 and "Traceback" not in wrong.stderr
    assert "harbor (Harbor Hotline & Advocacy (demo))" in wrong.stderr


def test_it_prints_a_demo_code_from_another_folder(clone, tmp_path):
    result = harborlight(tmp_path, "demo", "--code", "analyst", "--data-dir",
                         str(clone / "harborlight-data"))
    assert result.returncode == 0, result.stderr
    assert re.fullmatch(r"\d{6}\n", result.stdout)


def test_it_says_where_it_looked_for_a_demo_and_creates_nothing(tmp_path):
    result = harborlight(tmp_path, "demo", "--code", "analyst")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert f"looked in {tmp_path / 'harborlight-data'}" in result.stderr
    assert list(tmp_path.iterdir()) == [], "no stray data folder, no keys"


def test_it_audits_a_dp_export_of_the_demo_with_epsilon_delta_and_the_ledger(clone):
    # In a process of its own, as operators run it (JAX in the test process upsets the
    # in-process CLI tests that follow).
    result = harborlight(clone, "share", "export", "--organisation", "harbor", "--layout",
                         "ctdc-2024", "--epsilon", "4", "--delta", "1e-8", "--seed", "2",
                         "--no-risk", "--out", str(clone / "dp-export"),
                         "--reason", "trying DP on the demo")
    assert result.returncode == 0, result.stderr
    with sqlite3.connect(clone / "harborlight-data" / "harborlight.sqlite3") as database:
        rows = database.execute("SELECT details FROM audit_auditentry WHERE action = 'export' "
                                "AND object_type = 'sharing.ctdc'").fetchall()
    details = [json.loads(row[0]) for row in rows]
    (entry,) = [d for d in details if d.get("epsilon")]
    assert entry["epsilon"] == "4" and entry["delta"] == "1e-08"
    assert entry["recipient"].startswith("Counter Trafficking Data Collaborative")
    assert entry["ledger"] and all(float(spent) > 0 for spent in entry["ledger"].values())
    assert float(entry["rho_spent"]) <= float(entry["rho_zcdp"]) * (1 + 1e-6)
    report = json.loads((clone / "dp-export" / "report.json").read_text())
    assert entry["records"] == report["rows_in"] and entry["consent_count"] > 100
