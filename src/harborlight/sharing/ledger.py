"""A privacy ledger: every noisy measurement of a release goes through it, and is counted.

The synthesizer promises (epsilon, delta)-DP. That promise holds only if the privacy loss
of every mechanism that touches the records adds up to no more than the budget. Keeping
the sum by hand beside the code once went wrong (noise calibrated for one marginal was
applied to each of 27), so the noise itself is drawn here, and the ledger refuses a draw
that would overspend.

Accounting is in zero-concentrated DP (zCDP), with add/remove-one-record neighbours, as in
smartnoise-synth and Private-PGM:

* a Gaussian mechanism with L2 sensitivity s and noise sigma costs rho = s^2 / (2 sigma^2);
* an exponential mechanism with parameter epsilon costs rho = epsilon^2 / 8;
* costs add up, and (epsilon, delta) converts to rho by smartnoise's ``cdp_rho``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

#: Rounding slack when comparing sums of floating-point costs with the budget.
_SLACK = 1e-9


def rho_for(epsilon: float, delta: float) -> float:
    """Largest zCDP rho whose Gaussian mechanisms satisfy (epsilon, delta)-DP."""
    from snsynth.utils import cdp_rho

    return float(cdp_rho(epsilon, delta))


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

    def _charge(self, what: str, cost: float) -> None:
        if self.spent + cost > self.rho * (1 + _SLACK):
            raise OverspentBudget(f"{what} would spend rho {cost:.4g} with only "
                                  f"{self.rho - self.spent:.4g} of {self.rho:.4g} left")
        self.entries.append((what, cost))

    def gaussian(self, what: str, values: np.ndarray, *, sensitivity: float,
                 sigma: float) -> np.ndarray:
        """Return ``values`` plus Gaussian noise of scale ``sigma``, charged to the ledger.

        ``sensitivity`` is the L2 sensitivity of the whole vector: how far one record can
        move it. The noise comes from OpenDP's vetted sampler, in one call.
        """
        import opendp.prelude as dp

        self._charge(what, sensitivity ** 2 / (2.0 * sigma ** 2))
        dp.enable_features("floating-point", "contrib")
        space = (dp.vector_domain(dp.atom_domain(T=float, nan=False)), dp.l2_distance(T=float))
        measurement = dp.m.make_gaussian(*space, scale=float(sigma))
        flat = [float(v) for v in np.asarray(values, dtype=float).ravel()]
        return np.asarray(measurement(flat)).reshape(np.shape(values))

    def exponential(self, what: str, epsilon: float) -> float:
        """Charge one exponential mechanism with parameter ``epsilon``; return epsilon."""
        self._charge(what, epsilon ** 2 / 8.0)
        return epsilon

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
