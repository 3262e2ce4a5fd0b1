"""Differentially private synthetic microdata: the reported pairs measured and cut under
a threshold, the rest joined by MST and AIM's extra pairs, all fitted by Private-PGM.

Steps, on integer codes over the layout's public domain (see ``encoding``):

1. The budget, in zero-concentrated DP (rho from epsilon and delta by OpenDP's
   conversion), is split: ``reported_share`` for the reported pairs (step 3), then
   ``one_way_share`` of the rest for the one-way marginals, and what is left halved
   between pair selection and the selected pairs.
2. One-way marginals of every column (budget shared by each column's number of values,
   so a yes/no flag gets little and a country column much). A value whose noisy count is
   under ``support_sigmas`` times its noise joins its column's "other" code: too rare to
   measure, it is released as missing.
3. The reported pairs (``threshold``): every pair of the reported columns (gender, age,
   citizenship, country of exploitation, the types of exploitation: the combinations a
   synthetic data showcase reports) in one draw; a pair of values whose noisy count is
   under ``threshold_sigmas`` times the noise is held at zero in the model.
4. MST's spanning tree joins the other columns to the reported ones, then ``extra_pairs``
   small tables where the tree model is most wrong (``selection``); all measured.
5. Private-PGM (mbi 2) fits a graphical model to every measurement with the structural
   zeros of step 3 (``graphical``); records are sampled from it, stratified so that the
   counts follow the model's.
6. The records are raked (``raking``): reweighted so that every column's counts match
   the best one-way counts all the measurements give together, and resampled. Mirror
   descent leaves some one-way counts off by thousands after a few hundred iterations;
   raking corrects them without adding any combination the sampler did not draw.

Every noisy measurement (steps 2-4) is drawn by OpenDP through a :class:`PrivacyLedger`,
which adds up their zCDP costs and refuses to go past rho; steps 5-6 are post-processing. So
the whole release is (epsilon, delta)-DP, with add/remove-one-record neighbours. The
record count ``n`` is treated as public, as in MST.
"""

from __future__ import annotations

import itertools
import math
from typing import Any

import numpy as np
import pandas as pd

from harborlight.sharing import graphical, raking, selection, threshold
from harborlight.sharing.datafiles import load_anonymisation
from harborlight.sharing.encoding import Encoding
from harborlight.sharing.errors import ParameterError
from harborlight.sharing.ledger import PrivacyLedger, gaussian_sigma, load_opendp, rho_for
from harborlight.sharing.measurement import Compression, Measurement, measure

#: Extra pairs are chosen among small tables only, and only while the model's junction
#: tree stays within this factor of its size before them (a cycle through two country
#: columns would make it too large to fit in minutes).
EXTRA_PAIR_MAX_CELLS = 64
EXTRA_PAIR_MAX_GROWTH = 1.25

#: Raking (step 6): no record weighs less than a tenth or more than ten records, and 40
#: rounds. The model's records cannot meet every one-way count at once (some yes/no flags
#: are tied together in it more than in the data), so raking stops at its round limit:
#: on the CTDC file, 40 rounds leave the release within about 2,700 records of the
#: targets over all 37 columns, where 100 rounds of 0.2-5 did no better.
RAKE_BOUNDS = (0.1, 10.0)
RAKE_ROUNDS = 40


def check_privacy_parameters(epsilon: Any, delta: Any) -> tuple[float, float]:
    """Refuse nonsense: epsilon must be a finite number > 0, 0 < delta < 1e-3."""
    try:
        eps = float(epsilon)
        dl = float(delta)
    except (TypeError, ValueError):
        raise ParameterError(f"epsilon and delta must be numbers, not {epsilon!r}, {delta!r}")
    if not math.isfinite(eps) or eps <= 0:
        raise ParameterError(f"epsilon must be a finite number greater than 0, not {epsilon!r}")
    if eps > 50:
        raise ParameterError(f"epsilon {eps:g} gives no meaningful privacy; use 50 or less")
    if not math.isfinite(dl) or not 0 < dl < 1e-3:
        raise ParameterError(f"delta must be greater than 0 and below 0.001, not {delta!r}")
    return eps, dl


def require_libraries() -> None:
    """Load mbi (on JAX) and OpenDP now; MissingExtra naming the sharing extra without them.

    Called before any work, so a DP export without the extra stops at once with one line
    instead of after reading and mapping the records.
    """
    graphical.load_mbi()
    load_opendp()


#: Each option's check and the message when it fails (scikit-learn's parameter
#: constraints, written as data).
_OPTION_RULES = {
    "reported_share": (lambda v: 0 <= float(v) <= 0.9, "must be between 0 and 0.9"),
    "one_way_share": (lambda v: 0 < float(v) < 1, "must be between 0 and 1 (both excluded)"),
    "threshold_sigmas": (lambda v: float(v) >= 0, "must be 0 or more"),
    "support_sigmas": (lambda v: float(v) >= 0, "must be 0 or more"),
    "extra_pairs": (lambda v: int(v) >= 0, "must be 0 or more"),
    "iters": (lambda v: int(v) >= 1, "must be 1 or more"),
    "one_way_weights": (lambda v: v in ("cardinality", "equal"),
                        "must be 'cardinality' or 'equal'"),
    "selection": (lambda v: v in ("aim", "l1"), "must be 'aim' or 'l1'"),
    "rake": (lambda v: isinstance(v, bool), "must be true or false"),
}


class DPSynthesizer:
    """Differentially private synthetic records in a CTDC layout.

    Parameters
    ----------
    epsilon, delta : float
        The (epsilon, delta)-DP guarantee of the whole release.
    layout : str
        CTDC layout of the data (gives the public value domains).
    reported_columns : list of str, optional
        Columns whose pairs are measured together and cut under the threshold (step 3).
        Default: the layout's reporting columns in ``data/anonymisation.json``.
    reported_share : float
        Share of the budget (in rho) spent on the reported pairs, between 0 and 0.9.
        0.6 by default: on the CTDC file it gave a lower 1-way and 2-way MAE than 0.75
        at the same suppressed and fabricated targets (docs/bench/sharing.md, "budget
        split").
    one_way_share : float
        Share of the budget left after the reported pairs that goes to the one-way
        marginals (step 2); the rest is halved between the tree and extra pairs' selection
        and their measurement (1/3, the default: MST's thirds).
    threshold_sigmas : float
        A reported pair of values whose noisy count is under this many noise standard
        deviations is held at zero.
    support_sigmas : float
        A value whose noisy one-way count is under this many noise standard deviations is
        not modelled (released as missing).
    extra_pairs : int
        Two-way marginals over small tables measured beyond the tree, chosen where the
        tree's model is most wrong (0: the tree alone).
    selection : {"aim", "l1"}
        Tree and extra-pair scores with AIM's noise penalty (default) or plain L1 (MST).
    one_way_weights : {"cardinality", "equal"}
        One-way budget in proportion to each column's number of values, or equal.
    iters : int
        Mirror-descent iterations of Private-PGM's estimation.
    rake : bool
        Reweight the sampled records so that their one-way counts match the
        measurements' (``raking``; post-processing), then resample them.
    seed : int, optional
        Seeds the sampling of records (noise always comes from OpenDP, unseeded).

    Attributes
    ----------
    rho_ : float
        The budget in zCDP.
    ledger_ : PrivacyLedger
        Every noisy measurement made, with its cost; never more than ``rho_`` in all.
    sigma_threshold_ : float
        Noise of each reported pair cell.
    absent_pairs_ : int
        Reported value pairs held at zero.
    one_way_targets_ : dict
        Per column, the counts of its (compressed) values that raking aims at.
    zeros_ : dict
        Those pairs, per reported column pair: (code, code) rows over ``sizes_``, the
        compressed domain; ``reported_measurements_`` are the noisy tables they come from.
    """

    def __init__(self, *, epsilon: float = 4.0, delta: float = 1e-9, layout: str = "ctdc-2024",
                 reported_columns: list[str] | None = None, reported_share: float = 0.6,
                 one_way_share: float = 1 / 3,
                 threshold_sigmas: float = 3.0, support_sigmas: float = 2.5,
                 extra_pairs: int = 25, selection: str = "aim",
                 one_way_weights: str = "cardinality", iters: int = 300,
                 rake: bool = True, seed: int | None = None):
        self.epsilon = epsilon
        self.delta = delta
        self.layout = layout
        self.reported_columns = reported_columns
        self.reported_share = reported_share
        self.one_way_share = one_way_share
        self.threshold_sigmas = threshold_sigmas
        self.support_sigmas = support_sigmas
        self.extra_pairs = extra_pairs
        self.selection = selection
        self.one_way_weights = one_way_weights
        self.iters = iters
        self.rake = rake
        self.seed = seed

    def _validate(self, columns: list[str]) -> list[str]:
        """Check every parameter; return the reported columns present in ``columns``."""
        check_privacy_parameters(self.epsilon, self.delta)
        for name, (ok, message) in _OPTION_RULES.items():
            value = getattr(self, name)
            try:
                valid = ok(value)
            except (TypeError, ValueError):
                valid = False
            if not valid:
                raise ParameterError(f"{name} {message}, not {value!r}")
        reported = self.reported_columns
        if reported is None:
            config = load_anonymisation()["reporting"]["columns"]
            reported = [c for c in config.get(self.layout, []) if c in columns]
        unknown = sorted(set(reported) - set(columns))
        if unknown:
            raise ParameterError(f"reported columns not in the data: {', '.join(unknown)}")
        return list(dict.fromkeys(reported))

    def fit(self, frame: pd.DataFrame) -> "DPSynthesizer":
        """Measure ``frame`` under DP and fit the model. ``frame`` is in ``layout``."""
        reported = self._validate(list(frame.columns))
        if len(frame) < 2:
            raise ParameterError("differentially private synthesis needs at least 2 records")
        graphical.load_mbi()  # a missing extra fails before any budget is spent
        encoding = Encoding.for_layout(self.layout, list(frame.columns))
        codes = encoding.encode(frame)
        names = list(encoding.columns)
        rho = rho_for(float(self.epsilon), float(self.delta))
        ledger = PrivacyLedger(rho)
        rho_reported = rho * float(self.reported_share) if len(reported) >= 2 else 0.0
        rho_one_way = (rho - rho_reported) * float(self.one_way_share)
        half = (rho - rho_reported - rho_one_way) / 2  # selection, then the pairs chosen

        one_way = self._one_way(ledger, codes, names, encoding.cardinalities(), rho_one_way)
        compression = Compression.from_one_way(one_way, float(self.support_sigmas))
        small = compression.encode(codes, names)
        sizes = {n: compression.size(n) for n in names}
        compressed_one_way = [compression.one_way(m) for m in one_way]
        pairs, sigma_t = threshold.measure_pairs(ledger, small, names, list(sizes.values()),
                                                 reported, rho_reported)
        zeros = threshold.absent_cells(pairs, sizes, compression,
                                       float(self.threshold_sigmas))
        chosen = self._select_and_measure(ledger, small, names, sizes, compressed_one_way,
                                          pairs, reported, half)
        measurements = compressed_one_way + pairs + chosen
        self.model_ = graphical.fit(sizes, measurements, total=len(codes), zeros=zeros,
                                    iters=int(self.iters))
        self.one_way_targets_ = raking.one_way_targets(measurements, sizes, len(codes))
        self.encoding_, self.compression_, self.names_ = encoding, compression, names
        self.rho_, self.ledger_, self.sigma_threshold_ = rho, ledger, sigma_t
        self.reported_columns_ = reported
        self.zeros_, self.reported_measurements_, self.sizes_ = zeros, pairs, sizes
        self.absent_pairs_ = int(sum(len(v) for v in zeros.values()))
        self.measured_pairs_ = [m.clique for m in pairs + chosen]
        self.n_ = len(frame)
        return self

    def _one_way(self, ledger: PrivacyLedger, codes: np.ndarray, names: list[str],
                 cards: list[int], rho: float) -> list[Measurement]:
        """Step 2's measurements, on the full public domain."""
        weights = ([math.sqrt(c) for c in cards] if self.one_way_weights == "cardinality"
                   else None)
        return measure(ledger, "one-way marginals", codes, names, cards,
                       [(n,) for n in names], gaussian_sigma(rho), weights)

    def _select_and_measure(self, ledger: PrivacyLedger, codes: np.ndarray, names: list[str],
                            sizes: dict[str, int], one_way: list[Measurement],
                            reported: list[Measurement], reported_columns: list[str],
                            rho: float) -> list[Measurement]:
        """Step 4: the tree, then the extra pairs; ``rho`` for the selections and as much
        again for the measurements, shared equally by every pair."""
        size_list = list(sizes.values())
        tree_size = (len(set(names) - set(reported_columns)) if reported
                     else len(names) - 1)
        picks = max(tree_size + int(self.extra_pairs), 1)
        epsilon = math.sqrt(8 * rho / picks)
        sigma = gaussian_sigma(rho / picks)
        penalty = math.sqrt(2 / math.pi) * sigma if self.selection == "aim" else 0.0
        noisy = {m.clique[0]: np.asarray(m.noisy) / m.weights for m in one_way}
        joined = reported_columns if reported else []
        edges = selection.select_tree(ledger, codes, names, size_list, noisy, joined,
                                      epsilon, penalty)
        tree = measure(ledger, "two-way marginals", codes, names, size_list, edges,
                       gaussian_sigma(rho * len(edges) / picks)) if edges else []
        if not tree or int(self.extra_pairs) == 0:
            return tree
        tables = {}
        for m in reported + tree:
            a, b = m.clique
            tables[a, b] = np.asarray(m.noisy).reshape(sizes[a], sizes[b])
            tables[b, a] = tables[a, b].T
        chain = edges + ([m.clique for m in reported][:len(reported_columns) - 1]
                         if reported else [])
        extra = selection.select_extra(
            ledger, codes, names, size_list, tables, chain, self._extra_candidates(
                names, sizes, reported_columns, edges), int(self.extra_pairs), epsilon,
            penalty, self._model_fits(sizes, [m.clique for m in reported] + edges))
        if extra:
            tree += measure(ledger, "two-way marginals", codes, names, size_list, extra,
                            gaussian_sigma(rho * len(extra) / picks))
        return tree

    @staticmethod
    def _extra_candidates(names: list[str], sizes: dict[str, int], reported: list[str],
                          edges: list[tuple[str, str]]) -> list[tuple[str, str]]:
        """Small tables of two unreported columns not measured yet."""
        taken = set(edges)
        return [(a, b) for a, b in itertools.combinations(names, 2)
                if (a, b) not in taken and (b, a) not in taken and a not in reported
                and b not in reported and sizes[a] * sizes[b] <= EXTRA_PAIR_MAX_CELLS]

    @staticmethod
    def _model_fits(sizes: dict[str, int], cliques: list[tuple[str, ...]]):
        """A test that the junction tree with more pairs stays near its size without them."""
        mbi = graphical.load_mbi()
        from mbi import junction_tree

        domain = mbi.Domain(list(sizes), list(sizes.values()))
        limit = EXTRA_PAIR_MAX_GROWTH * junction_tree.hypothetical_model_size(domain, cliques)
        return lambda extra: junction_tree.hypothetical_model_size(
            domain, cliques + list(extra)) <= limit

    def sample(self, n: int | None = None) -> pd.DataFrame:
        """Return ``n`` synthetic records (default: as many as the input had)."""
        n = self.n_ if n is None else int(n)
        rng = np.random.default_rng(self.seed)
        drawn = graphical.sample(self.model_, n, rng, self.zeros_)
        small = np.stack([drawn[name] for name in self.names_], axis=1)
        if self.rake:
            weights = raking.rake(small, self.names_, self.one_way_targets_,
                                  bounds=RAKE_BOUNDS, max_rounds=RAKE_ROUNDS)
            small = raking.resample(small, weights, n, rng)
        return self.encoding_.decode(self.compression_.decode(small, self.names_))

    def metadata(self) -> dict[str, Any]:
        """What a reader of the release needs to know about its privacy guarantee."""
        return {
            "mechanism": "reported pairs with a DP threshold, MST tree and AIM extra pairs, "
                         "fitted by Private-PGM (mbi 2)",
            "epsilon": float(self.epsilon),
            "delta": float(self.delta),
            "rho_zcdp": self.rho_,
            "rho_spent": self.ledger_.spent,
            "rho_spent_by_measurement": self.ledger_.summary(),
            "neighbouring_datasets": "add or remove one record",
            "record_count_public": True,
            "reported_columns": list(self.reported_columns_),
            "reported_share": float(self.reported_share),
            "one_way_share": float(self.one_way_share),
            "threshold_sigmas": float(self.threshold_sigmas),
            "threshold_sigma": self.sigma_threshold_,
            "reported_pairs_held_absent": self.absent_pairs_,
            "support_sigmas": float(self.support_sigmas),
            "one_way_weights": self.one_way_weights,
            "tree_selection": self.selection,
            "extra_pairs": int(self.extra_pairs),
            "measured_pairs": [list(map(str, c)) for c in self.measured_pairs_],
            "sampler": "stratified sampling along the junction tree of the fitted model"
                       + (", raked to the measured one-way counts and resampled"
                          if self.rake else ""),
        }
