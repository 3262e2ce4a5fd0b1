"""The graphical model: fitted to measurements, sampled with structural zeros held."""

from __future__ import annotations

import numpy as np
import pytest

from harborlight.sharing.graphical import fit, sample
from harborlight.sharing.measurement import Measurement


@pytest.fixture(scope="module")
def model():
    # a (3 values) and b (3 values), strongly linked; (1, 2) and (2, 1) absent; c follows b
    ab = np.array([[100.0, 50.0, 50.0], [50.0, 400.0, 0.0], [50.0, 0.0, 300.0]])
    bc = np.array([[150.0, 50.0], [50.0, 400.0], [50.0, 300.0]])
    measurements = [Measurement(("a", "b"), ab.ravel(), 1.0),
                    Measurement(("b", "c"), bc.ravel(), 1.0)]
    zeros = {("a", "b"): np.array([[1, 2], [2, 1]])}
    return fit({"a": 3, "b": 3, "c": 2}, measurements, total=1000, zeros=zeros,
               iters=500), zeros, ab


def test_it_samples_the_fitted_joint_distribution(model):
    fitted, zeros, ab = model
    drawn = sample(fitted, 20_000, np.random.default_rng(0), zeros)
    table = np.zeros((3, 3))
    np.add.at(table, (drawn["a"], drawn["b"]), 1)
    assert table / 20_000 == pytest.approx(ab / 1000, abs=0.015)


def test_it_never_samples_a_structural_zero(model):
    fitted, zeros, _ = model
    drawn = sample(fitted, 50_000, np.random.default_rng(1), zeros)
    pairs = set(zip(drawn["a"].tolist(), drawn["b"].tolist()))
    assert (1, 2) not in pairs and (2, 1) not in pairs


def test_it_samples_repeatably_from_a_seeded_generator(model):
    fitted, zeros, _ = model
    first = sample(fitted, 500, np.random.default_rng(7), zeros)
    second = sample(fitted, 500, np.random.default_rng(7), zeros)
    assert all((first[k] == second[k]).all() for k in first)


def test_its_counts_follow_the_model_up_to_rounding_without_inventing_links(model):
    """Stratified sampling reproduces each conditional's counts (i.i.d. draws would be off
    by about sqrt(count)); the strata's random order keeps c independent of a given b."""
    fitted, zeros, _ = model
    drawn = sample(fitted, 1000, np.random.default_rng(3), zeros)
    expected = np.asarray(fitted.project(["b"]).datavector())
    assert np.abs(np.bincount(drawn["b"], minlength=3) - expected).max() <= 2
    for b in range(3):
        rows = drawn["b"] == b
        # within a value of b, a and c must not move together (the model has no a-c link)
        a_share = drawn["a"][rows] == drawn["a"][rows].max()
        c_share = drawn["c"][rows] == 1
        both = (a_share & c_share).mean()
        assert both == pytest.approx(a_share.mean() * c_share.mean(), abs=0.06)
