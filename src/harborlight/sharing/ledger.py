"""A privacy ledger: every noisy measurement of a release goes through it, and is counted.

The synthesizer promises (epsilon, delta)-DP. That promise holds only if the privacy loss
of every mechanism that touches the records adds up to no more than the budget. Keeping
the sum by hand beside the code once went wrong (noise calibrated for one marginal was
applied to each of 27), so the noise itself is drawn here, by OpenDP, and each draw is
charged what OpenDP's own privacy map says it costs. The ledger refuses a draw that
would overspend.

Accounting is in zero-concentrated DP (zCDP), with add/remove-one-record neighbours, as in
Private-PGM's mechanisms:

* a Gaussian mechanism with L2 sensitivity s and noise sigma costs rho = s^2 / (2 sigma^2);
* an exponential mechanism (report noisy max with Gumbel noise) with parameter epsilon
  costs rho = epsilon^2 / 8;
* costs add up (zCDP composes by addition);
* (epsilon, delta) converts to rho through OpenDP's zCDP-to-approximate-DP map:
  :func:`rho_for` returns the largest rho whose Gaussian mechanism OpenDP certifies as
  (epsilon, delta)-DP.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from harborlight.sharing.errors import MissingExtra

#: Rounding slack when comparing sums of floating-point costs with the budget.
_SLACK = 1e-9


def load_opendp():
    """``opendp.prelude`` with the features Harborlight uses; MissingExtra without it."""
    try:
        import opendp.prelude as dp
    except ImportError as missing:
        raise MissingExtra.because(missing) from None
    dp.enable_features("floating-point", "contrib")
    return dp


def epsilon_for(rho: float, delta: float) -> float:
    """The epsilon OpenDP certifies for a sensitivity-1 Gaussian mechanism costing ``rho``."""
    dp = load_opendp()
    space = (dp.atom_domain(T=float, nan=False), dp.absolute_distance(T=float))
    gaussian = dp.m.make_gaussian(*space, scale=1.0 / math.sqrt(2.0 * rho))
    approx = dp.c.make_fix_delta(dp.c.make_zCDP_to_approxDP(gaussian), delta=delta)
    return float(approx.map(1.0)[0])


def rho_for(epsilon: float, delta: float) -> float:
    """Largest zCDP rho (to 1 part in 10^6) that OpenDP certifies as (epsilon, delta)-DP."""
    low, high = 0.0, epsilon  # rho <= epsilon always
    while high - low > 1e-6 * high:
        middle = (low + high) / 2
        low, high = (middle, high) if epsilon_for(middle, delta) <= epsilon else (low, middle)
    return low


class OverspentBudget(RuntimeError):
    """A measurement would take the release past its privacy budget (a programming error)."""


@dataclass
class PrivacyLedger:
    """The budget of one release (``rho``) and what each measurement spent of it."""

    rho: float
    entries: list[tuple[str, float]] = field(default_factory=list)

    @property
    def spent(self) -> float:
        return float(sum(cost for _, cost in self.entries))

    @property
    def left(self) -> float:
        return max(0.0, self.rho - self.spent)

    def _charge(self, what: str, cost: float) -> None:
        if not cost >= 0 or self.spent + cost > self.rho * (1 + _SLACK):
            raise OverspentBudget(f"{what} would spend rho {cost:.4g} with only "
                                  f"{self.rho - self.spent:.4g} of {self.rho:.4g} left")
        self.entries.append((what, cost))

    def gaussian(self, what: str, values: np.ndarray, *, sensitivity: float,
                 sigma: float) -> np.ndarray:
        """Return ``values`` plus Gaussian noise of scale ``sigma``, charged to the ledger.

        ``sensitivity`` is the L2 sensitivity of the whole vector: how far one record can
        move it. The noise comes from OpenDP's vetted sampler, in one call, and the charge
        is OpenDP's privacy map of that measurement at ``sensitivity``.
        """
        dp = load_opendp()
        space = (dp.vector_domain(dp.atom_domain(T=float, nan=False)), dp.l2_distance(T=float))
        measurement = dp.m.make_gaussian(*space, scale=float(sigma))
        self._charge(what, float(measurement.map(float(sensitivity))))
        flat = [float(v) for v in np.asarray(values, dtype=float).ravel()]
        return np.asarray(measurement(flat)).reshape(np.shape(values))

    def select(self, what: str, scores: np.ndarray, *, epsilon: float,
               sensitivity: float = 1.0) -> int:
        """The exponential mechanism: the index of a high score, charged to the ledger.

        OpenDP's report-noisy-max with Gumbel noise of scale 2 * sensitivity / epsilon is
        the exponential mechanism with parameter ``epsilon``; scores may move either way
        when a record changes (not monotonic).
        """
        dp = load_opendp()
        space = (dp.vector_domain(dp.atom_domain(T=float, nan=False)),
                 dp.linf_distance(T=float, monotonic=False))
        measurement = dp.m.make_noisy_max(*space, dp.zero_concentrated_divergence(),
                                          scale=2.0 * float(sensitivity) / float(epsilon))
        self._charge(what, float(measurement.map(float(sensitivity))))
        return int(measurement([float(s) for s in np.asarray(scores, dtype=float)]))

    def summary(self) -> dict[str, float]:
        """Spending per kind of measurement (the text before " #"), for the metadata."""
        totals: dict[str, float] = {}
        for what, cost in self.entries:
            kind = what.split(" #", 1)[0]
            totals[kind] = float(totals.get(kind, 0.0) + cost)
        return totals


def gaussian_sigma(rho: float, sensitivity: float = 1.0) -> float:
    """Noise scale at which one Gaussian mechanism of this sensitivity costs ``rho``."""
    return sensitivity / math.sqrt(2.0 * rho)
