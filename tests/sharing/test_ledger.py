"""The privacy ledger: noise is drawn at the scale charged, and the budget is never passed."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest

from harborlight.sharing import DPSynthesizer
from harborlight.sharing.dp import _measure
from harborlight.sharing.ledger import OverspentBudget, PrivacyLedger

from .conftest import make_ctdc_2024


def test_gaussian_noise_has_the_scale_it_is_charged_for():
    ledger = PrivacyLedger(rho=1.0)
    noisy = ledger.gaussian("probe", np.zeros(20_000), sensitivity=2.0, sigma=4.0)
    assert noisy.std() == pytest.approx(4.0, rel=0.05)
    assert ledger.spent == pytest.approx(2.0 ** 2 / (2 * 4.0 ** 2))


def test_it_refuses_to_overspend_and_records_nothing_for_the_refused_draw():
    ledger = PrivacyLedger(rho=0.1)
    ledger.gaussian("first", np.zeros(3), sensitivity=1.0, sigma=math.sqrt(1 / 0.15))
    with pytest.raises(OverspentBudget, match="second"):
        ledger.gaussian("second", np.zeros(3), sensitivity=1.0, sigma=math.sqrt(1 / 0.15))
    assert [what for what, _ in ledger.entries] == ["first"]
    with pytest.raises(OverspentBudget):
        ledger.exponential("selection", epsilon=1.0)  # costs 1/8 > what is left


def test_a_set_of_marginals_gets_noise_for_its_joint_sensitivity():
    """One record moves each of d marginals: each needs sigma * sqrt(d), not sigma.

    The first version drew sigma per marginal, so 27 marginals cost 27 times the budget
    it recorded; this pins the scale by measuring the noise itself.
    """
    from mbi import Dataset, Domain

    columns = [f"c{i}" for i in range(27)]
    frame = pd.DataFrame(np.zeros((10, 27), dtype=int), columns=columns)
    data = Dataset(frame, Domain(columns, [400] * 27))
    ledger = PrivacyLedger(rho=0.5)
    sigma = math.sqrt(1 / (2 * 0.5))
    measured = _measure(data, [(c,) for c in columns], sigma, ledger, "one-way")
    noise = np.concatenate([m.noisy_measurement - data.project(m.clique).datavector()
                            for m in measured])
    assert noise.std() == pytest.approx(sigma * math.sqrt(27), rel=0.05)
    assert ledger.spent == pytest.approx(0.5)


def test_weighted_marginals_cost_the_same_and_favour_the_heavy_columns():
    from mbi import Dataset, Domain

    frame = pd.DataFrame({"country": np.zeros(5, dtype=int), "flag": np.zeros(5, dtype=int)})
    data = Dataset(frame, Domain(["country", "flag"], [256, 2]))
    ledger = PrivacyLedger(rho=0.5)
    measured = _measure(data, [("country",), ("flag",)], 1.0, ledger, "one-way",
                        weights=[16.0, math.sqrt(2)])
    assert ledger.spent == pytest.approx(0.5)
    assert measured[0].stddev < measured[1].stddev / 5


@pytest.mark.parametrize("weights", ["cardinality", "equal"])
def test_a_synthesizer_spends_exactly_its_budget_split_as_documented(weights):
    real = make_ctdc_2024(300, seed=3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        synthesizer = DPSynthesizer(epsilon=2.0, iters=20, seed=1,
                                    one_way_weights=weights).fit(real)
    meta = synthesizer.metadata()
    spent = meta["rho_spent_by_measurement"]
    assert meta["rho_spent"] <= meta["rho_zcdp"] * (1 + 1e-9)
    assert meta["rho_spent"] == pytest.approx(meta["rho_zcdp"])
    for kind in ("one-way marginals", "pair selection", "two-way marginals"):
        assert spent[kind] == pytest.approx(meta["rho_mst"] / 3)
    assert spent["pair threshold"] == pytest.approx(meta["rho_threshold"])
