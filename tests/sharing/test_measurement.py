"""Marginal counts and the compression of rare values into "other"."""

from __future__ import annotations

import math

import numpy as np
import pytest

from harborlight.sharing.measurement import Compression, Measurement, counts


def test_it_counts_every_cell_of_a_pair_in_c_order():
    codes = np.array([[0, 1], [2, 1], [2, 1], [1, 0]])
    table = counts(codes, (0, 1), [3, 2]).reshape(3, 2)
    assert table.tolist() == [[0, 1], [1, 0], [0, 2]]


def test_it_keeps_values_above_the_threshold_and_folds_the_rest_into_other():
    noisy = Measurement(("country",), np.array([50.0, 30.0, 2.0, 25.0, -3.0]), 10.0)
    compression = Compression.from_one_way([noisy], sigmas=2.5)
    assert compression.kept["country"].tolist() == [True, True, False, True, False]
    assert compression.size("country") == 4 and compression.other("country") == 3
    codes = np.array([[0], [1], [2], [3], [4]])
    small = compression.encode(codes, ["country"])
    assert small[:, 0].tolist() == [0, 1, 3, 2, 3]
    # a value too rare to measure is released as missing
    assert compression.decode(small, ["country"])[:, 0].tolist() == [0, 1, 0, 3, 0]


def test_a_compressed_one_way_measurement_keeps_its_noise_scale():
    noisy = Measurement(("c",), np.array([90.0, 40.0, 1.0, 3.0, 2.0]), 4.0)
    compression = Compression.from_one_way([noisy], sigmas=3.0)
    small = compression.one_way(noisy)
    # the other cell sums three noisy counts (variance 3 sigma^2), scaled by 1/sqrt(3)
    assert small.noisy.tolist() == pytest.approx([90.0, 40.0, 6.0 / math.sqrt(3)])
    assert small.weights.tolist() == pytest.approx([1, 1, 1 / math.sqrt(3)])
    assert small.sigma == 4.0


def test_a_column_that_keeps_every_value_has_no_other_code():
    noisy = Measurement(("flag",), np.array([500.0, 400.0]), 5.0)
    compression = Compression.from_one_way([noisy], sigmas=3.0)
    assert compression.other("flag") is None and compression.size("flag") == 2
