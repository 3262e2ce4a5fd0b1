"""The reported pairs: measured together, and cut where the noisy count says "absent".

A synthetic data showcase (and CTDC's releases) reports every combination of one and two
values of a few columns: gender, age band, citizenship, country of exploitation and the
types of exploitation. Those *reported columns* get a large share of the budget:

1. every two-way marginal of the reported columns is measured in one Gaussian draw. A
   record falls in exactly one cell of each table (missing values included), so with P
   pairs the L2 sensitivity of all tables together is sqrt(P);
2. a cell of two present values whose noisy count is under ``sigmas`` times the noise is
   taken as absent: the model holds it at zero (a structural zero), so the release never
   holds that pair. The threshold is a multiple of the noise scale, fixed in advance:
   set from the data, it would not be differentially private;
3. the same noisy tables are measurements of the model, so the budget spent to decide
   which pairs exist also makes their counts accurate (post-processing: no extra cost).

A value outside the compressed domain (the "other" code) is not judged here: it is
released as missing anyway.
"""

from __future__ import annotations

import itertools
import math

import numpy as np

from harborlight.sharing.ledger import PrivacyLedger, gaussian_sigma
from harborlight.sharing.measurement import Compression, Measurement, counts

Pair = tuple[str, str]


def measure_pairs(ledger: PrivacyLedger, codes: np.ndarray, names: list[str],
                  sizes: list[int], columns: list[str], rho: float
                  ) -> tuple[list[Measurement], float]:
    """Step 1: every pair of ``columns`` in one draw costing ``rho``; returns the
    measurements and their noise scale."""
    pairs = list(itertools.combinations(columns, 2))
    if not pairs or rho <= 0:
        return [], 0.0
    sensitivity = math.sqrt(len(pairs))
    sigma = gaussian_sigma(rho, sensitivity)
    exact = [counts(codes, (names.index(a), names.index(b)), sizes) for a, b in pairs]
    noisy = ledger.gaussian("reported pairs", np.concatenate(exact),
                            sensitivity=sensitivity, sigma=sigma)
    out, start = [], 0
    for pair, table in zip(pairs, exact):
        out.append(Measurement(pair, noisy[start:start + table.size], sigma))
        start += table.size
    return out, sigma


def absent_cells(measurements: list[Measurement], sizes: dict[str, int],
                 compression: Compression, sigmas: float) -> dict[Pair, np.ndarray]:
    """Step 2: per measured pair, the (a, b) code pairs of two present, measured values
    whose noisy count is under ``sigmas`` times its noise."""
    zeros = {}
    for m in measurements:
        a, b = m.clique
        table = np.asarray(m.noisy).reshape(sizes[a], sizes[b])
        judged = np.ones(table.shape, dtype=bool)
        judged[0, :] = judged[:, 0] = False  # a missing value forms no combination
        for axis, name in enumerate((a, b)):
            other = compression.other(name)
            if other is not None:
                judged[(slice(None),) * axis + (other,)] = False
        zeros[a, b] = np.argwhere(judged & (table < sigmas * m.sigma))
    return zeros
