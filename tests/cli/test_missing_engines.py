"""Without an engine's extra, the command line says in one line what to install.

The engines' optional libraries (pyarrow for ad screening; mbi, JAX and OpenDP for
differential privacy) are hidden from a real ``harborlight`` process by packages of the
same names, first on its path, that fail to import exactly as a missing module does.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from harborlight.screening.synthetic import generate_ads

HIDING = 'raise ModuleNotFoundError("No module named {name!r}", name={name!r})\n'


def without(folder: Path, *modules: str) -> dict:
    """An environment in which ``modules`` cannot be imported."""
    for name in modules:
        package = folder / "hidden" / name
        package.mkdir(parents=True)
        (package / "__init__.py").write_text(HIDING.format(name=name))
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env["PYTHONPATH"] = os.pathsep.join([str(folder / "hidden"), env.get("PYTHONPATH", "")])
    return env


def harborlight(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "harborlight", *args], capture_output=True,
                          text=True, timeout=300, env=env)


def assert_says_what_to_install(result: subprocess.CompletedProcess, extra: str) -> None:
    assert result.returncode == 78, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr  # before any work: no progress lines either
    assert lines[0].startswith("harborlight: error: ")
    assert f"pip install 'harborlight[{extra}]'" in lines[0]
    assert "Traceback" not in result.stderr


@pytest.mark.slow
def test_it_names_the_sharing_extra_for_a_dp_export_without_mbi(tmp_path):
    from sharing.conftest import make_ctdc_2024

    source = tmp_path / "input.csv"
    make_ctdc_2024(120, seed=3).to_csv(source, index=False)
    result = harborlight(without(tmp_path, "mbi"), "share", "export", "--input", str(source),
                         "--layout", "ctdc-2024", "--epsilon", "1", "--out",
                         str(tmp_path / "out"))
    assert_says_what_to_install(result, "sharing")
    assert not (tmp_path / "out" / "data.csv").exists()


@pytest.mark.slow
def test_it_names_the_sharing_extra_for_a_dp_export_without_opendp(tmp_path):
    from sharing.conftest import make_ctdc_2024

    source = tmp_path / "input.csv"
    make_ctdc_2024(120, seed=3).to_csv(source, index=False)
    result = harborlight(without(tmp_path, "opendp"), "share", "export", "--input",
                         str(source), "--layout", "ctdc-2024", "--epsilon", "1", "--out",
                         str(tmp_path / "out"))
    assert_says_what_to_install(result, "sharing")


def test_it_still_makes_a_k_anonymous_export_without_the_sharing_extra(tmp_path):
    from sharing.conftest import make_ctdc_2024

    source = tmp_path / "input.csv"
    make_ctdc_2024(300, seed=3).to_csv(source, index=False)
    result = harborlight(without(tmp_path, "mbi", "opendp", "jax"), "share", "export",
                         "--input", str(source), "--layout", "ctdc-2024", "--k", "5",
                         "--out", str(tmp_path / "out"), "--no-risk")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "out" / "data.csv").exists()


def test_it_names_the_screening_extra_without_pyarrow(tmp_path):
    ads = tmp_path / "ads.jsonl"
    ads.write_text("".join(json.dumps(ad) + "\n" for ad in generate_ads(40, seed=1)))
    result = harborlight(without(tmp_path, "pyarrow"), "screen", str(ads), "--out",
                         str(tmp_path / "out"), "--state", str(tmp_path / "state"))
    assert_says_what_to_install(result, "screening")
