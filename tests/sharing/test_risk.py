"""The attacks of the risk report find risk where there is some, and none where not."""

from __future__ import annotations

import numpy as np
import pandas as pd

from harborlight.sharing.risk import evaluate_risk

QIS = ["a", "b", "c", "d", "e", "f", "g", "h"]


def _people(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({q: rng.integers(0, 12, size=n).astype(str) for q in QIS})
    frame["secret"] = rng.integers(0, 2, size=n).astype(str)
    return frame


def test_it_finds_high_risk_when_the_release_is_the_records_themselves():
    targets, control = _people(300, 1), _people(300, 2)
    result = evaluate_risk(targets, targets, control, QIS, ["secret"], seed=1)
    assert result["singling_out"]["risk"] > 0.5
    assert result["linkability"]["risk"] > 0.5
    assert result["inference"]["secret"]["risk"] > 0.5


def test_it_finds_little_risk_in_an_unrelated_release():
    targets, control, unrelated = _people(300, 1), _people(300, 2), _people(300, 3)
    result = evaluate_risk(unrelated, targets, control, QIS, ["secret"], seed=1)
    assert result["max_risk"] < 0.15


def test_it_says_when_it_cannot_evaluate():
    targets = _people(50, 1)
    result = evaluate_risk(targets, targets, targets.iloc[0:0], QIS, ["secret"])
    assert result["evaluated"] is False
