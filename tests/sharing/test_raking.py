"""Raking: sampled records reweighted to the measured one-way counts, then resampled."""

from __future__ import annotations

import numpy as np
import pytest

from harborlight.sharing.measurement import Measurement
from harborlight.sharing.raking import one_way_targets, rake, resample


@pytest.fixture
def records():
    # a (3 values) and b (2 values); the pair (a=2, b=1) never drawn (held at zero)
    rng = np.random.default_rng(0)
    a = rng.choice(3, size=5_000, p=[0.6, 0.3, 0.1])
    b = rng.choice(2, size=5_000, p=[0.5, 0.5])
    b[a == 2] = 0
    return np.stack([a, b], axis=1)


def test_it_converges_to_the_given_one_way_counts(records):
    targets = {"a": np.array([2_000.0, 2_000.0, 1_000.0]), "b": np.array([3_000.0, 2_000.0])}
    weights = rake(records, ["a", "b"], targets, bounds=(0.05, 20.0), tolerance=0.01)
    for j, name in enumerate("ab"):
        counts = np.bincount(records[:, j], weights=weights, minlength=targets[name].size)
        assert counts == pytest.approx(targets[name], abs=0.05)


def test_resampled_records_keep_the_raked_counts_to_about_a_record(records):
    targets = {"a": np.array([2_000.0, 2_000.0, 1_000.0]), "b": np.array([3_000.0, 2_000.0])}
    weights = rake(records, ["a", "b"], targets, bounds=(0.05, 20.0), tolerance=0.01)
    out = resample(records, weights, 5_000, np.random.default_rng(1))
    assert len(out) == 5_000
    assert np.abs(np.bincount(out[:, 0], minlength=3) - targets["a"]).max() <= 1
    assert np.abs(np.bincount(out[:, 1], minlength=2) - targets["b"]).max() <= 30


def test_it_never_brings_back_a_combination_the_sampler_held_at_zero(records):
    # the target asks for many (b = 1) records, most easily found at a = 2: there are none
    targets = {"a": np.array([500.0, 500.0, 4_000.0]), "b": np.array([500.0, 4_500.0])}
    weights = rake(records, ["a", "b"], targets)
    out = resample(records, weights, 5_000, np.random.default_rng(2))
    pairs = set(map(tuple, out.tolist()))
    assert (2, 1) not in pairs
    assert pairs <= set(map(tuple, records.tolist()))


def test_a_value_no_record_holds_stays_absent_and_its_share_goes_to_the_others(records):
    drawn = records[records[:, 0] != 1]
    targets = {"a": np.array([2_000.0, 2_000.0, 1_000.0])}
    weights = rake(drawn, ["a", "b"], targets, bounds=(0.05, 20.0), tolerance=0.01)
    counts = np.bincount(drawn[:, 0], weights=weights, minlength=3)
    assert counts[1] == 0
    assert counts[0] / counts[2] == pytest.approx(2.0, rel=1e-3)


def test_weights_stay_within_their_bounds(records):
    targets = {"a": np.array([100.0, 100.0, 4_800.0])}
    weights = rake(records, ["a", "b"], targets, bounds=(0.5, 2.0))
    assert weights.min() >= 0.5 and weights.max() <= 2.0


def test_it_refuses_bounds_that_exclude_one(records):
    with pytest.raises(ValueError, match="bounds"):
        rake(records, ["a", "b"], {}, bounds=(2.0, 5.0))


def test_it_is_reproducible_from_a_seeded_generator(records):
    targets = {"a": np.array([2_000.0, 2_000.0, 1_000.0])}
    weights = rake(records, ["a", "b"], targets)
    first = resample(records, weights, 3_000, np.random.default_rng(7))
    second = resample(records, weights, 3_000, np.random.default_rng(7))
    third = resample(records, weights, 3_000, np.random.default_rng(8))
    assert (first == second).all()
    assert not (first == third).all()


def test_targets_combine_every_measurement_by_inverse_variance():
    sizes = {"a": 2, "b": 3}
    # a measured alone (sigma 2) and in the pair (sigma 1 per cell, 3 cells summed)
    alone = Measurement(("a",), np.array([60.0, 40.0]), 2.0)
    pair = Measurement(("a", "b"), np.array([[20.0, 20.0, 30.0], [10.0, 10.0, 10.0]]).ravel(),
                       1.0)
    targets = one_way_targets([alone, pair], sizes, total=100)
    # variances 4 (alone) and 3 (pair): weights 1/4 and 1/3
    expected_a0 = (60 / 4 + 70 / 3) / (1 / 4 + 1 / 3)
    expected_a1 = (40 / 4 + 30 / 3) / (1 / 4 + 1 / 3)
    shift = (expected_a0 + expected_a1 - 100) / 2
    assert targets["a"] == pytest.approx([expected_a0 - shift, expected_a1 - shift])
    assert targets["b"] == pytest.approx([30.0, 30.0, 40.0])


def test_targets_are_non_negative_and_sum_to_the_total():
    sizes = {"a": 4}
    weighted = Measurement(("a",), np.array([90.0, -15.0, 30.0, 3.0]), 5.0,
                           weights=np.array([1.0, 1.0, 1.0, 0.5]))
    targets = one_way_targets([weighted], sizes, total=120)
    assert targets["a"].min() >= 0
    assert targets["a"].sum() == pytest.approx(120)
    assert targets["a"][1] == 0
