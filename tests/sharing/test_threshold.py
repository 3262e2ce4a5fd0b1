"""The reported pairs: one joint draw, and which cells are held absent."""

from __future__ import annotations

import math

import numpy as np
import pytest

from harborlight.sharing.ledger import PrivacyLedger
from harborlight.sharing.measurement import Compression, Measurement
from harborlight.sharing.threshold import absent_cells, measure_pairs


def test_it_measures_every_pair_with_noise_for_their_joint_sensitivity():
    codes = np.zeros((10, 4), dtype=np.int64)
    ledger = PrivacyLedger(rho=0.5)
    pairs, sigma = measure_pairs(ledger, codes, ["a", "b", "c", "d"], [60] * 4,
                                 ["a", "b", "c", "d"], 0.5)
    assert [m.clique for m in pairs] == [("a", "b"), ("a", "c"), ("a", "d"), ("b", "c"),
                                         ("b", "d"), ("c", "d")]
    # one record is in one cell of each of the 6 tables: sensitivity sqrt(6)
    assert sigma == pytest.approx(math.sqrt(6) / math.sqrt(2 * 0.5))
    noise = np.concatenate([m.noisy for m in pairs])
    noise[::3600] -= 10  # the (0, 0) cell of each table holds the 10 records
    assert noise.std() == pytest.approx(sigma, rel=0.05)
    assert ledger.spent == pytest.approx(0.5)


def test_it_holds_absent_only_measured_pairs_of_present_values_under_the_threshold():
    sizes = {"a": 3, "b": 4}
    compression = Compression({"a": np.array([True, True, True]),
                               "b": np.array([True, True, False, False])})  # b: 2 = other
    sizes = {"a": 3, "b": compression.size("b")}
    noisy = np.array([[0.0, -5.0, -5.0],
                      [-5.0, 40.0, -5.0],
                      [-5.0, 29.0, -5.0]])
    held = absent_cells([Measurement(("a", "b"), noisy.ravel(), 10.0)], sizes, compression,
                        sigmas=3.0)
    # (1, 1) = 40 >= 30 is kept; (2, 1) = 29 is held; missing rows/columns and the
    # "other" column of b are never judged
    assert held["a", "b"].tolist() == [[2, 1]]
