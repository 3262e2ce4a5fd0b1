"""MST's tree and the tree model's pair marginals."""

from __future__ import annotations

import numpy as np
import pytest

from harborlight.sharing.ledger import PrivacyLedger
from harborlight.sharing.selection import select_tree, tree_pair


def test_the_tree_model_of_a_pair_chains_conditional_distributions():
    # a -> b -> c: P(a, c) = sum_b P(a, b) P(c | b)
    ab = np.array([[30.0, 10.0], [20.0, 40.0]])
    bc = np.array([[40.0, 10.0], [5.0, 45.0]])
    measured = {("a", "b"): ab, ("b", "a"): ab.T, ("b", "c"): bc, ("c", "b"): bc.T}
    got = tree_pair(measured, [("a", "b"), ("b", "c")], "a", "c", 100).reshape(2, 2)
    p_c_given_b = bc / bc.sum(axis=1, keepdims=True)
    assert got == pytest.approx(ab @ p_c_given_b)
    assert got.sum() == pytest.approx(100)


def test_the_tree_joins_every_column_to_the_reported_group():
    rng = np.random.default_rng(1)
    a = rng.integers(0, 2, 2000)
    codes = np.stack([a, a, rng.integers(0, 2, 2000), 1 - a], axis=1)
    names = ["r1", "r2", "x", "y"]
    one_way = {n: np.bincount(codes[:, j], minlength=2).astype(float)
               for j, n in enumerate(names)}
    ledger = PrivacyLedger(rho=100.0)
    edges = select_tree(ledger, codes, names, [2] * 4, one_way, ["r1", "r2"], 5.0, 0.0)
    assert len(edges) == 2  # x and y joined; r1-r2 never chosen
    assert {c for e in edges for c in e} >= {"x", "y"}
    assert ("r1", "r2") not in edges
    assert any("y" in e and ({"r1", "r2"} & set(e)) for e in edges)  # y copies r1
