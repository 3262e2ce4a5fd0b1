"""Fixtures of the sharing tests: small synthetic tables (never real people) and the real
CTDC file, which is skipped with a reason when ../shared is absent."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from harborlight.sharing.datafiles import load_layout

def _shared() -> Path:
    """``../shared`` beside the repository (as CI lays it out), or $HARBORLIGHT_SHARED."""
    if os.environ.get("HARBORLIGHT_SHARED"):
        return Path(os.environ["HARBORLIGHT_SHARED"])
    return Path(__file__).resolve().parents[2].parent / "shared"


SHARED = _shared()
CTDC_FILE = SHARED / "data" / "ctdc" / "CTDC_synthetic_20210825.csv.gz"

COUNTRIES = ["UKR", "PHL", "MDA", "USA", "IDN", "KHM", "MEX", "NGA", "ROU", "BLR"]
DESTINATIONS = ["USA", "RUS", "POL", "MYS", "TUR", "UKR"]


def make_ctdc_2024(n: int, seed: int = 7) -> pd.DataFrame:
    """A synthetic table in the CTDC 2024 layout with real structure: sexual exploitation
    mostly women, forced labour mostly men, citizenship tied to destination."""
    rng = np.random.default_rng(seed)
    layout = load_layout("ctdc-2024")
    frame = pd.DataFrame({name: [""] * n for name in layout.names})
    gender = rng.choice(["Woman", "Man", ""], size=n, p=[0.6, 0.3, 0.1])
    frame["gender"] = gender
    frame["yearOfRegistration"] = rng.choice([str(y) for y in range(2012, 2021)], size=n)
    frame["ageBroad"] = rng.choice(["9--17", "18--20", "21--23", "24--26", "30--38", ""],
                                   size=n, p=[0.15, 0.2, 0.2, 0.15, 0.15, 0.15])
    frame["citizenship"] = rng.choice(COUNTRIES, size=n)
    dest = [DESTINATIONS[(COUNTRIES.index(c) + int(rng.integers(0, 2))) % len(DESTINATIONS)]
            for c in frame["citizenship"]]
    frame["CountryOfExploitation"] = dest
    woman = gender == "Woman"
    sexual = np.where(woman, rng.random(n) < 0.8, rng.random(n) < 0.1)
    labour = np.where(woman, rng.random(n) < 0.15, rng.random(n) < 0.85)
    frame["isSexualExploit"] = np.where(sexual, "1", "")
    frame["isForcedLabour"] = np.where(labour, "1", "")
    frame["typeOfSexProstitution"] = np.where(sexual & (rng.random(n) < 0.7), "1", "")
    frame["typeOfLabourConstruction"] = np.where(labour & (rng.random(n) < 0.4), "1", "")
    frame["meansThreats"] = np.where(rng.random(n) < 0.3, "1", "")
    frame["meansAbusePsyPhySex"] = np.where(rng.random(n) < 0.25, "1", "")
    return frame


@pytest.fixture
def ctdc_2024_frame() -> pd.DataFrame:
    return make_ctdc_2024(600)


@pytest.fixture
def ctdc_2024_csv(tmp_path: Path) -> Path:
    path = tmp_path / "ctdc_2024.csv"
    make_ctdc_2024(600).to_csv(path, index=False)
    return path


@pytest.fixture(scope="session")
def ctdc_file() -> Path:
    if not CTDC_FILE.is_file():
        pytest.skip(f"{CTDC_FILE} is absent: the real CTDC file lives in ../shared, which "
                    "this checkout does not have")
    return CTDC_FILE
