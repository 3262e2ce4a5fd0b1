"""``harborlight insights load-ctdc``: real process, real files."""

from __future__ import annotations

import gzip
import os
import subprocess
import sys

from harborlight.security.crypto import generate_keyring, write_keyring
from tests_support import CTDC_2024_HEADER, ctdc_row

def _env(tmp_path):
    keys = tmp_path / "keys.json"
    write_keyring(keys, generate_keyring())
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("HARBORLIGHT_") and k != "DJANGO_SETTINGS_MODULE"}
    env.update({"HARBORLIGHT_SECRET_KEY": "insights-cli-" + "y" * 40,
                "HARBORLIGHT_DATA_DIR": str(tmp_path / "data"),
                "HARBORLIGHT_KEYS_FILE": str(keys),
                "HARBORLIGHT_DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"})
    return env


def _run(env, *args):
    return subprocess.run([sys.executable, "-m", "harborlight", "insights", "load-ctdc", *args],
                          env=env, capture_output=True, text=True, timeout=120)


def test_it_loads_a_gzipped_release_and_reports_the_count(tmp_path):
    release = tmp_path / "release.csv.gz"
    rows = [ctdc_row("Woman", {"isSexualExploit": "1"})] * 25
    with gzip.open(release, "wt") as handle:
        handle.write(CTDC_2024_HEADER + "\n" + "\n".join(rows) + "\n")
    result = _run(_env(tmp_path), str(release))
    assert result.returncode == 0, result.stderr
    assert "Loaded 25 records from release.csv.gz" in result.stdout
    assert (tmp_path / "data" / "insights" / "ctdc-global.csv.gz").is_file()


def test_it_refuses_a_file_in_the_wrong_layout_with_one_line(tmp_path):
    bad = tmp_path / "people.csv"
    bad.write_text("name,phone\nA,555\n")
    result = _run(_env(tmp_path), str(bad))
    assert result.returncode == 65
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "people.csv" in lines[0] and "matches no known layout" in lines[0]
    assert not (tmp_path / "data" / "insights" / "ctdc-global.csv.gz").exists()


def test_it_refuses_a_missing_file(tmp_path):
    result = _run(_env(tmp_path), str(tmp_path / "absent.csv"))
    assert result.returncode == 65 and "does not exist" in result.stderr
