"""The privacy ledger: noise is drawn at the scale charged, the budget is never passed, and
the (epsilon, delta) to zCDP conversion agrees with OpenDP's accountant."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

from harborlight.sharing import DPSynthesizer
from harborlight.sharing.ledger import OverspentBudget, PrivacyLedger, epsilon_for, rho_for
from harborlight.sharing.measurement import measure

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
        ledger.select("selection", np.array([1.0, 2.0]), epsilon=1.0)  # costs 1/8


def test_it_selects_with_the_exponential_mechanism_and_charges_epsilon_squared_over_8():
    ledger = PrivacyLedger(rho=10.0)
    picks = [ledger.select("pick", np.array([0.0, 200.0, 0.0]), epsilon=1.0) for _ in range(5)]
    assert picks == [1] * 5  # a gap of 200 at epsilon 1: the best wins
    assert ledger.spent == pytest.approx(5 / 8)
    even = [ledger.select("even", np.zeros(2), epsilon=1.0) for _ in range(60)]
    assert 0 < sum(even) < 60  # equal scores: either


@pytest.mark.parametrize("epsilon, delta", [(4.0, 1e-9), (1.0, 1e-6), (0.3, 1e-5), (20, 1e-9)])
def test_it_converts_epsilon_and_delta_to_the_largest_rho_opendp_certifies(epsilon, delta):
    rho = rho_for(epsilon, delta)
    assert epsilon_for(rho, delta) <= epsilon + 1e-9
    assert epsilon_for(rho * 1.001, delta) > epsilon
    if (epsilon, delta) == (4.0, 1e-9):  # what smartnoise-synth's cdp_rho gave
        assert rho == pytest.approx(0.2063129, rel=1e-5)


def test_a_set_of_marginals_gets_noise_for_its_joint_sensitivity():
    """One record moves each of d marginals: each needs sigma * sqrt(d), not sigma.

    The first version drew sigma per marginal, so 27 marginals cost 27 times the budget
    it recorded; this pins the scale by measuring the noise itself.
    """
    names = [f"c{i}" for i in range(27)]
    codes = np.zeros((10, 27), dtype=np.int64)
    ledger = PrivacyLedger(rho=0.5)
    sigma = math.sqrt(1 / (2 * 0.5))
    measured = measure(ledger, "one-way", codes, names, [400] * 27, [(c,) for c in names],
                       sigma)
    exact = np.zeros(400)
    exact[0] = 10
    noise = np.concatenate([m.noisy - exact for m in measured])
    assert noise.std() == pytest.approx(sigma * math.sqrt(27), rel=0.05)
    assert ledger.spent == pytest.approx(0.5)


def test_weighted_marginals_cost_the_same_and_favour_the_heavy_columns():
    ledger = PrivacyLedger(rho=0.5)
    codes = np.zeros((5, 2), dtype=np.int64)
    measured = measure(ledger, "one-way", codes, ["country", "flag"], [256, 2],
                       [("country",), ("flag",)], 1.0, weights=[16.0, math.sqrt(2)])
    assert ledger.spent == pytest.approx(0.5)
    assert measured[0].sigma < measured[1].sigma / 5


_RANDOM = np.random.default_rng(20261206)
#: Random parameter sets (seeded, so a failure can be replayed): the property is that no
#: combination makes a fitted synthesizer spend more than its budget.
RANDOM_PARAMETERS = [
    dict(epsilon=float(_RANDOM.uniform(0.05, 30)), delta=float(10 ** _RANDOM.uniform(-12, -4)),
         reported_share=float(_RANDOM.uniform(0, 0.9)),
         extra_pairs=int(_RANDOM.integers(0, 8)),
         threshold_sigmas=float(_RANDOM.uniform(0, 5)),
         support_sigmas=float(_RANDOM.uniform(0, 4)),
         one_way_weights=str(_RANDOM.choice(["cardinality", "equal"])),
         selection=str(_RANDOM.choice(["aim", "l1"])),
         one_way_share=float(_RANDOM.uniform(0.05, 0.95)),
         reported_columns=list(_RANDOM.choice(
             ["gender", "ageBroad", "citizenship", "isForcedLabour", "isSexualExploit"],
             size=int(_RANDOM.integers(0, 5)), replace=False)))
    for _ in range(4)]


@pytest.mark.slow
@pytest.mark.parametrize("parameters", RANDOM_PARAMETERS)
def test_it_never_spends_more_than_its_budget(parameters):
    real = make_ctdc_2024(300, seed=3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        synthesizer = DPSynthesizer(iters=50, seed=1, **parameters).fit(real)
    meta = synthesizer.metadata()
    assert meta["rho_zcdp"] == pytest.approx(rho_for(parameters["epsilon"],
                                                     parameters["delta"]))
    assert meta["rho_spent"] <= meta["rho_zcdp"] * (1 + 1e-9)
    costs = [cost for _, cost in synthesizer.ledger_.entries]
    assert all(cost > 0 for cost in costs)
    assert sum(costs) == pytest.approx(meta["rho_spent"])


def test_a_synthesizer_spends_its_budget_split_as_documented():
    real = make_ctdc_2024(300, seed=3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        synthesizer = DPSynthesizer(epsilon=2.0, iters=50, seed=1, extra_pairs=0,
                                    reported_share=0.6).fit(real)
    meta = synthesizer.metadata()
    spent = meta["rho_spent_by_measurement"]
    assert meta["rho_spent"] == pytest.approx(meta["rho_zcdp"])
    assert spent["reported pairs"] == pytest.approx(0.6 * meta["rho_zcdp"])
    for kind in ("one-way marginals", "pair selection", "two-way marginals"):
        assert spent[kind] == pytest.approx(0.4 * meta["rho_zcdp"] / 3)
