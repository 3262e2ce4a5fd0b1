"""Differentially private synthetic microdata: MST (smartnoise-synth on Private-PGM),
refined AIM-style, plus a differentially private filter against fabricated combinations.

Steps, all on integer codes over the layout's public domain (see ``encoding``):

1. Split the privacy budget, expressed in zero-concentrated DP (rho from epsilon and
   delta, as smartnoise does): ``1 - threshold_share`` goes to the model, the rest to
   step 3.
2. The model. MST (McKenna et al., winner of the 2018 NIST challenge), from
   smartnoise-synth: measure all one-way marginals (budget shared by column
   cardinality), drop values whose noisy count is below 3 sigma (they go to an "other"
   bucket), choose a spanning tree of two-way marginals with the exponential mechanism
   (scores with AIM's noise penalty), measure them, fit a graphical model with
   Private-PGM. Then, as AIM does, pick ``extra_pairs`` small two-way tables the fitted
   model gets most wrong, measure them, and fit again: a tree cannot hold forced
   labour's links to both gender and sexual exploitation.
3. Threshold measurement: count every pair of present values in the *reported pairs*
   (by default all pairs of columns), each record contributing at most
   ``max_attributes`` values, and add Gaussian noise; a pair whose noisy count is below
   ``threshold_sigmas`` sigma counts as "not in the data".
4. Sample records from the model with i.i.d. sampling (``method="sample"``); mbi 1.1.0's
   default "round" sampler gives records in the same parent group consecutive ranks, which
   invents correlations between columns that only share a parent (in one run every
   forced-labour record came out female). Then repair: a value from MST's "other" bucket
   (too rare to measure) is blanked, and while a record holds a pair step 3 found absent,
   one value of such a pair is redrawn among the values that fit the rest of the record
   (``repair="resample"``, the default), blanked (``"blank"``), or the record is
   dropped and replaced by more samples (``"drop"``).

Every noisy measurement of steps 2 and 3 is drawn through a :class:`PrivacyLedger`, which
adds up their zCDP costs and refuses to go past rho; step 4 is post-processing. So the
whole release is (epsilon, delta)-DP, with add/remove-one-record neighbours. The record
count ``n`` is treated as public, as smartnoise's MST does.
"""

from __future__ import annotations

import itertools
import math
from typing import Any

import numpy as np
import pandas as pd

from harborlight.sharing.encoding import Encoding
from harborlight.sharing.errors import ParameterError
from harborlight.sharing.ledger import PrivacyLedger, gaussian_sigma, rho_for


#: Extra pairs (beyond MST's tree) are chosen among small tables only: a cycle through two
#: country columns makes Private-PGM's junction tree too large to fit in minutes.
EXTRA_PAIR_MAX_CELLS = 64


def _measure(data: Any, cliques: list[tuple[str, ...]], sigma: float, ledger: PrivacyLedger,
             what: str, weights: list[float] | None = None) -> list[Any]:
    """smartnoise's ``MSTSynthesizer.measure``, with the noise drawn by the ledger.

    One record moves every marginal of ``cliques`` by one. With weights w normalised to
    unit L2 norm, marginal i gets noise ``sigma / w_i``, so the set costs rho =
    1 / (2 sigma^2) however the weights are chosen (equal weights: ``sigma *
    sqrt(len(cliques))`` each, as in smartnoise).
    """
    from mbi import LinearMeasurement

    w = np.ones(len(cliques)) if weights is None else np.asarray(weights, dtype=float)
    w = w / np.linalg.norm(w)
    out = []
    for clique, weight in zip(cliques, w):
        scale = sigma / weight
        exact = np.asarray(data.project(clique).datavector(), dtype=float)
        noisy = ledger.gaussian(f"{what} #{'+'.join(clique)}", exact, sensitivity=1.0,
                                sigma=scale)
        out.append(LinearMeasurement(noisy, clique, scale))
    return out


def _compress_supports(undo: Any) -> dict[str, Any]:
    """The per-column support masks smartnoise's ``compress_domain`` closed over."""
    names = undo.__code__.co_freevars
    if "supports" not in names or not undo.__closure__:
        raise RuntimeError("smartnoise-synth's compress_domain changed; Harborlight is tested "
                           "with smartnoise-synth 1.0.8")
    cells = dict(zip(names, (c.cell_contents for c in undo.__closure__)))
    return dict(cells["supports"])


def _select_tree(mst: Any, data: Any, epsilon: float, log1: list[Any], total: int,
                 ledger: PrivacyLedger, noise_per_cell: float = 0.0) -> list[tuple[str, str]]:
    """smartnoise's ``MSTSynthesizer.select``, with the one-way model in closed form.

    Before selection the model holds only one-way measurements, so it is a product of
    independent marginals. smartnoise fits it with 1,000 mirror-descent iterations and then
    projects it onto each of the d(d-1)/2 pairs by variable elimination (a JAX compilation
    per pair: most of the run time on small data). Here each one-way marginal is the noisy
    measurement clipped at 0 and normalised, and a pair's model marginal is the outer
    product: the same selection rule (exponential mechanism on L1 errors, spanning tree),
    computed in milliseconds.

    ``noise_per_cell`` > 0 lowers each pair's score by that much per cell of its table,
    AIM's correction (McKenna et al. 2022): measuring a table of c cells at Gaussian noise
    sigma adds about sqrt(2/pi) sigma c of L1 error anyway. Without it, tables over two
    country columns win on size alone and the tree links yes/no flags only through
    countries (gender and forced labour came out seven edges apart). The penalty does
    not depend on the data, so the scores' sensitivity stays 1.

    Each of the d - 1 rounds is an exponential mechanism with parameter ``epsilon``.
    """
    from disjoint_set import DisjointSet

    probs = {}
    for measurement in log1:
        y = np.clip(np.asarray(measurement.noisy_measurement, dtype=float), 0.0, None)
        probs[measurement.clique[0]] = y / y.sum() if y.sum() > 0 else np.full(y.size, 1 / y.size)
    attrs = list(data.domain.attrs)
    candidates = list(itertools.combinations(attrs, 2))
    weights = {}
    for a, b in candidates:
        xhat = float(total) * np.outer(probs[a], probs[b]).ravel()
        x = np.asarray(data.project([a, b]).datavector(), dtype=float)
        weights[a, b] = float(np.abs(x - xhat).sum()) - noise_per_cell * x.size
    components = DisjointSet()
    edges: list[tuple[str, str]] = []
    if len(attrs) < 2:
        return edges
    for _ in range(len(attrs) - 1):
        candidates = [e for e in candidates if not components.connected(*e)]
        scores = np.array([weights[e] for e in candidates])
        ledger.exponential("pair selection #tree", epsilon)
        chosen = candidates[mst.exponential_mechanism(scores, epsilon, sensitivity=1.0)]
        edges.append(chosen)
        components.union(*chosen)
    return edges


def _select_extra(mst: Any, data: Any, model: Any, measured: list[tuple[str, ...]],
                  count: int, epsilon: float, ledger: PrivacyLedger,
                  noise_per_cell: float) -> list[tuple[str, str]]:
    """Pairs the fitted tree model gets most wrong, to measure next (AIM's step).

    Candidates are the small tables not measured yet (at most ``EXTRA_PAIR_MAX_CELLS``
    cells). A candidate's score is the L1 distance between its real counts and the
    model's (estimated from a sample of the model, itself a DP result), less the noise
    penalty; each pick is an exponential mechanism with parameter ``epsilon``. A tree
    cannot hold forced labour's links to both gender and sexual exploitation; this can.
    """
    taken = set(measured)
    candidates = [e for e in itertools.combinations(data.domain.attrs, 2) if e not in taken
                  and data.domain[e[0]] * data.domain[e[1]] <= EXTRA_PAIR_MAX_CELLS]
    if not candidates or count <= 0:
        return []
    total = len(data.df)
    sample = model.synthetic_data(rows=total, method="sample")
    scores = []
    for pair in candidates:
        x = np.asarray(data.project(pair).datavector(), dtype=float)
        xhat = np.asarray(sample.project(pair).datavector(), dtype=float)
        scores.append(float(np.abs(x - xhat).sum()) - noise_per_cell * x.size)
    chosen = []
    for _ in range(min(count, len(candidates))):
        ledger.exponential("pair selection #extra", epsilon)
        pick = mst.exponential_mechanism(np.array(scores), epsilon, sensitivity=1.0)
        chosen.append(candidates.pop(pick))
        scores.pop(pick)
    return chosen


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


class DPSynthesizer:
    """Differentially private synthetic records in a CTDC layout.

    Parameters
    ----------
    epsilon, delta : float
        The (epsilon, delta)-DP guarantee of the whole release.
    layout : str
        CTDC layout of the data (gives the public value domains).
    reported_pairs : list of (str, str), optional
        Attribute pairs whose combinations are checked against a DP threshold measurement
        (step 3). Default: every pair of quasi-identifiers.
    threshold_share : float
        Share of the budget (in rho) spent on step 3, between 0 and 0.9.
    threshold_sigmas : float
        A pair whose noisy count is below this many standard deviations is dropped.
    max_attributes : int
        Present values per record counted by the threshold measurement (more are sampled).
    repair : {"resample", "blank", "drop"}
        What to do with a sampled record carrying a combination found absent: draw a new
        value for one of its columns among those that fit the rest of the record
        (default; keeps each column's counts close), blank that value, or drop the
        record (keeps records whole, distorts every column's counts more).
    oversample : float
        Records sampled per record kept, before filtering (``repair="drop"`` only).
    extra_pairs : int
        Two-way marginals over small tables measured beyond MST's spanning tree, chosen
        where the tree's model is most wrong (0: the tree alone).
    repair_order : {"most-absent", "common-first"}
        Which value of a record goes first when it holds pairs found absent: the one in
        most absent pairs (default; fewest values changed, big pairs kept closest, rare
        values lost), or the most common one (rare values, such as rare countries, keep
        what few combinations they have, at the cost of larger errors in common pairs).
    selection : {"aim", "l1"}
        Score of a pair when MST picks its tree: the L1 error of the independent model
        minus the error its measurement's noise would add anyway (AIM's, default), or
        the plain L1 error (smartnoise's MST).
    one_way_weights : {"cardinality", "equal"}
        How MST's one-way budget is shared between columns: in proportion to the number of
        values (default), or equally (smartnoise's choice).
    iters : int
        Mirror-descent iterations of Private-PGM's estimation (fewer = faster, rougher).
    seed : int, optional
        Seeds numpy's generator used for sampling (noise always comes from OpenDP).

    Attributes
    ----------
    rho_, sigma_threshold_ : float
        Budget in zCDP and the noise of the threshold measurement.
    ledger_ : PrivacyLedger
        Every noisy measurement made, with its cost; never more than ``rho_`` in all.
    dropped_share_ : float
        Share of sampled records removed by the filter.
    """

    def __init__(self, *, epsilon: float = 4.0, delta: float = 1e-9, layout: str = "ctdc-2024",
                 reported_pairs: list[tuple[str, str]] | None = None,
                 threshold_share: float = 0.5, threshold_sigmas: float = 3.5,
                 max_attributes: int = 6, repair: str = "resample", oversample: float = 1.6,
                 iters: int = 2500, extra_pairs: int = 25, one_way_weights: str = "cardinality",
                 repair_order: str = "most-absent", selection: str = "aim", seed: int | None = None):
        self.epsilon = epsilon
        self.delta = delta
        self.layout = layout
        self.reported_pairs = reported_pairs
        self.threshold_share = threshold_share
        self.threshold_sigmas = threshold_sigmas
        self.max_attributes = max_attributes
        self.repair = repair
        self.oversample = oversample
        self.iters = iters
        self.extra_pairs = extra_pairs
        self.one_way_weights = one_way_weights
        self.repair_order = repair_order
        self.selection = selection
        self.seed = seed

    def _validate(self) -> None:
        check_privacy_parameters(self.epsilon, self.delta)
        if not 0 <= float(self.threshold_share) <= 0.9:
            raise ParameterError("threshold_share must be between 0 and 0.9")
        if not float(self.threshold_sigmas) >= 0:
            raise ParameterError("threshold_sigmas must be 0 or more")
        if self.repair not in ("resample", "blank", "drop"):
            raise ParameterError("repair must be 'resample', 'blank' or 'drop'")
        if int(self.max_attributes) < 2:
            raise ParameterError("max_attributes must be 2 or more")
        if int(self.extra_pairs) < 0:
            raise ParameterError("extra_pairs must be 0 or more")
        if self.one_way_weights not in ("cardinality", "equal"):
            raise ParameterError("one_way_weights must be 'cardinality' or 'equal'")
        if self.repair_order not in ("most-absent", "common-first"):
            raise ParameterError("repair_order must be 'most-absent' or 'common-first'")
        if self.selection not in ("aim", "l1"):
            raise ParameterError("selection must be 'aim' or 'l1'")
        if int(self.iters) < 1:
            raise ParameterError("iters must be 1 or more")
        if not float(self.oversample) >= 1:
            raise ParameterError("oversample must be 1 or more")

    def fit(self, frame: pd.DataFrame) -> "DPSynthesizer":
        """Measure ``frame`` under DP and fit the model. ``frame`` is in ``layout``."""
        from mbi import Dataset, Domain
        from snsynth.mst.mst import MSTSynthesizer

        self._validate()
        if len(frame) < 2:
            raise ParameterError("differentially private synthesis needs at least 2 records")
        encoding = Encoding.for_layout(self.layout, list(frame.columns))
        codes = encoding.encode(frame)
        names = list(encoding.columns)
        domain = Domain(names, encoding.cardinalities())
        data = Dataset(pd.DataFrame(codes, columns=names), domain)
        rho = rho_for(float(self.epsilon), float(self.delta))
        rho_threshold = rho * float(self.threshold_share)
        rho_mst = rho - rho_threshold
        if self.seed is not None:
            np.random.seed(self.seed)  # mbi and smartnoise draw from numpy's global state

        ledger = PrivacyLedger(rho)
        mst = MSTSynthesizer(epsilon=float(self.epsilon), delta=float(self.delta))
        self._fit_mst(mst, data, rho_mst, ledger)

        pairs = self.reported_pairs
        if pairs is None:
            pairs = list(itertools.combinations(names, 2))
        unknown = sorted({c for p in pairs for c in p} - set(names))
        if unknown:
            raise ParameterError(f"reported pairs name unknown columns: {', '.join(unknown)}")
        supported, sigma_t = self._threshold(codes, names, domain, pairs, rho_threshold,
                                             self._supports(mst, names, domain), ledger)
        self.encoding_ = encoding
        self.mst_ = mst
        self.rho_ = rho
        self.rho_mst_ = rho_mst
        self.rho_threshold_ = rho_threshold
        self.ledger_ = ledger
        self.sigma_threshold_ = sigma_t
        self.reported_pairs_ = [tuple(p) for p in pairs]
        self.supported_ = supported
        self.n_ = len(frame)
        return self

    def _threshold(self, codes: np.ndarray, names: list[str], domain: Any,
                   pairs: list[tuple[str, str]], rho: float, supports: dict[str, np.ndarray],
                   ledger: PrivacyLedger) -> tuple[dict[tuple[int, int], np.ndarray], float]:
        """Step 3: noisy counts of the value pairs of ``pairs``, with bounded contribution.

        A record with m present values touches m(m-1)/2 pairs; a record with more than
        ``max_attributes`` present values contributes only a random ``max_attributes`` of
        them, so the L2 sensitivity over all tables is sqrt(M(M-1)/2) for M =
        ``max_attributes``, and the noise needed stays moderate. The counts only decide
        whether a pair exists, so this truncation costs no accuracy in the model.

        Only values in MST's one-way support (``supports``, itself a DP result) get a cell:
        values outside it are blanked or dropped at sampling anyway, and fewer cells mean
        less work for OpenDP's exact (slow) Gaussian sampler.
        """
        if not pairs or rho <= 0:
            return {}, 0.0
        rng = np.random.default_rng(self.seed)
        present = codes != 0
        limit = int(self.max_attributes)
        over = np.flatnonzero(present.sum(axis=1) > limit)
        if len(over):
            # keep `limit` random present values of each over-full record
            scores = rng.random((len(over), codes.shape[1])) + (~present[over]) * 2.0
            keep_cols = np.argsort(scores, axis=1)[:, :limit]
            chosen = np.zeros((len(over), codes.shape[1]), dtype=bool)
            np.put_along_axis(chosen, keep_cols, True, axis=1)
            present[over] = chosen & present[over]
        touched = {c for pair in pairs for c in pair}
        per_record = min(limit, len(touched))
        sensitivity = math.sqrt(min(len(pairs), per_record * (per_record - 1) / 2))
        sigma = gaussian_sigma(rho, sensitivity)
        tables, cells = [], []
        for a, b in pairs:
            ia, ib = names.index(a), names.index(b)
            rows = present[:, ia] & present[:, ib]
            table = np.zeros((domain[a], domain[b]))
            np.add.at(table, (codes[rows, ia], codes[rows, ib]), 1.0)
            sa, sb = np.flatnonzero(supports[a]), np.flatnonzero(supports[b])
            sa, sb = sa[sa > 0], sb[sb > 0]
            tables.append((ia, ib, table.shape, np.ix_(sa, sb)))
            cells.append(table[np.ix_(sa, sb)].ravel())
        # one record moves at most `per_record` choose 2 cells of all tables together by
        # one each: a single Gaussian over every cell, charged once
        noisy = ledger.gaussian("pair threshold", np.concatenate(cells),
                                sensitivity=sensitivity, sigma=sigma)
        supported, start = {}, 0
        for (ia, ib, shape, index), exact in zip(tables, cells):
            keep = np.zeros(shape, dtype=bool)
            keep[index] = (noisy[start:start + exact.size] >= self.threshold_sigmas * sigma
                           ).reshape(keep[index].shape)
            start += exact.size
            keep[0, :] = True  # a missing value forms no combination
            keep[:, 0] = True
            supported[(ia, ib)] = keep
        return supported, sigma

    @staticmethod
    def _supports(mst: Any, names: list[str], domain: Any) -> dict[str, np.ndarray]:
        """Values MST kept in its compressed domain (noisy one-way count >= 3 sigma)."""
        supports = {}
        for name in names:
            support = mst.supports_.get(name)
            supports[name] = (np.ones(domain[name], dtype=bool) if support is None
                              else np.asarray(support, dtype=bool))
        return supports

    def _estimate(self, data: Any, measurements: list[Any], total: int) -> Any:
        """Private-PGM's model of the measurements (mirror descent)."""
        from mbi import estimation, marginal_oracles

        return estimation.mirror_descent(
            data.domain, measurements, known_total=float(total), iters=int(self.iters),
            marginal_oracle=marginal_oracles.message_passing_stable)

    def _fit_mst(self, mst: Any, data: Any, rho: float, ledger: PrivacyLedger) -> None:
        """smartnoise's ``MSTSynthesizer.MST`` with rho given directly (budget split).

        A third of ``rho`` each for the one-way marginals, the tree selection and the
        two-way marginals, as in smartnoise. One-way weights ``"cardinality"`` give a
        column budget in proportion to its number of values: a yes/no flag is counted
        well enough with little budget, and what it saves keeps rare countries above the
        noise (MST drops values whose noisy count is under 3 sigma). With
        ``extra_pairs``, the selection and two-way thirds are shared by the tree's pairs
        and the extra ones, chosen after a first fit.
        """
        sigma = math.sqrt(3.0 / (2.0 * rho))
        cliques = [(col,) for col in data.domain]
        total = len(data.df)
        weights = None
        if self.one_way_weights == "cardinality":
            weights = [math.sqrt(data.domain[col]) for col in data.domain]
        log1 = _measure(data, cliques, sigma, ledger, "one-way marginals", weights)
        self.one_way_ = {m.clique[0]: np.asarray(m.noisy_measurement, dtype=float) for m in log1}
        compressed, log1, undo = mst.compress_domain(data, log1)
        mst.supports_ = _compress_supports(undo)
        data = compressed
        mst.undo_compress_fn = undo
        tree_size = max(len(data.domain) - 1, 1)
        pair_count = tree_size + int(self.extra_pairs)
        # every selection round and every measured pair gets the same share of its third
        epsilon = math.sqrt(8 * (rho / 3.0) / pair_count)
        penalty = (math.sqrt(2 / math.pi) * sigma * math.sqrt(pair_count)
                   if self.selection == "aim" else 0.0)
        cliques = _select_tree(mst, data, epsilon, log1, total, ledger, penalty)
        log2 = _measure(data, cliques, sigma * math.sqrt(pair_count / tree_size), ledger,
                        "two-way marginals")
        mst.synthesizer = self._estimate(data, log1 + log2, total)
        extra = _select_extra(mst, data, mst.synthesizer, cliques, int(self.extra_pairs),
                              epsilon, ledger, penalty)
        if extra:
            log2 += _measure(data, extra, sigma * math.sqrt(pair_count / len(extra)), ledger,
                             "two-way marginals")
            cliques = cliques + extra
            mst.synthesizer = self._estimate(data, log1 + log2, total)
        mst.compressed_domain_ = data.domain
        mst.cliques_ = cliques

    def _draw(self, rows: int) -> tuple[np.ndarray, np.ndarray]:
        """Sample ``rows`` records; return (codes over the full domain, "other" mask)."""
        compressed = self.mst_.synthesizer.synthetic_data(rows=rows, method="sample")
        frame = compressed.df
        other = np.zeros((len(frame), len(self.encoding_.columns)), dtype=bool)
        cards = self.encoding_.cardinalities()
        for j, col in enumerate(self.encoding_.columns):
            # the last code of a compressed column is the "other" bucket (rare values)
            size = self.mst_.compressed_domain_[col]
            if size < cards[j]:
                other[:, j] = frame[col].to_numpy() == size - 1
        decoded = self.mst_.undo_compress_fn(compressed).df[list(self.encoding_.columns)]
        return decoded.to_numpy(dtype=np.int64), other

    def _absent_pairs(self, codes: np.ndarray) -> np.ndarray:
        """(records, columns) count of each value's pairs that step 3 found absent."""
        per_column = np.zeros(codes.shape, dtype=np.int32)
        for (ia, ib), keep in self.supported_.items():
            bad = ~keep[codes[:, ia], codes[:, ib]]
            per_column[:, ia] += bad
            per_column[:, ib] += bad
        return per_column

    def _repair_absent_pairs(self, codes: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """Change values until no record holds a pair found absent; return records touched.

        Greedy, one value per record per round. Which value: ``repair_order``
        "common-first" takes the most common value in an absent pair (rare values, such
        as rare countries, keep what few combinations they have), preferring a column
        with other values to offer; "most-absent" takes the value in most absent pairs.
        What then: ``repair="resample"`` draws a new value for that column from its noisy
        one-way counts, among the values that form no absent pair with the rest of the
        record (blank when there is none), so the column's counts stay close;
        ``repair="blank"`` leaves it missing.
        """
        touched = np.zeros(len(codes), dtype=bool)
        rows = np.arange(len(codes))
        noisy_counts = [np.clip(self.one_way_[c], 0.0, None) for c in self.encoding_.columns]
        cards = np.asarray(self.encoding_.cardinalities())
        for _ in range(codes.shape[1]):
            per_column = self._absent_pairs(codes[rows])
            bad = per_column.any(axis=1)
            rows, per_column = rows[bad], per_column[bad]
            if not len(rows):
                break
            if self.repair_order == "common-first":
                frequency = np.stack([noisy_counts[j][codes[rows, j]]
                                      for j in range(codes.shape[1])], axis=1)
                if self.repair == "resample":  # a yes/no flag has nothing else to offer
                    frequency = frequency + (cards > 2) * (1.0 + frequency.max())
                score = np.where(per_column > 0, frequency, -np.inf)
            else:
                score = per_column + cards / 1e6
            column = np.argmax(score, axis=1)
            for j in np.unique(column):
                chosen = rows[column == j]
                codes[chosen, j] = (self._compatible_draw(codes, chosen, j, noisy_counts[j], rng)
                                    if self.repair == "resample" else 0)
            touched[rows] = True
        return touched

    def _compatible_draw(self, codes: np.ndarray, rows: np.ndarray, j: int,
                         counts: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """A value of column ``j`` for each of ``rows`` that forms no absent pair with the
        record's other values, drawn in proportion to ``counts``; 0 (missing) if none."""
        allowed = np.ones((len(rows), len(counts)), dtype=bool)
        allowed[:, 0] = False
        for (ia, ib), keep in self.supported_.items():
            if ia == j:
                allowed &= keep[:, codes[rows, ib]].T
            elif ib == j:
                allowed &= keep[codes[rows, ia], :]
        weights = allowed * counts.astype(np.float32)
        cumulative = np.cumsum(weights, axis=1)
        total = cumulative[:, -1]
        draw = np.argmax(cumulative >= (rng.random(len(rows)) * total)[:, None], axis=1)
        return np.where(total > 0, draw, 0)

    def sample(self, n: int | None = None) -> pd.DataFrame:
        """Return ``n`` synthetic records (default: as many as the input had)."""
        n = self.n_ if n is None else int(n)
        if self.repair in ("resample", "blank"):
            codes, other = self._draw(n)
            codes[other] = 0  # a rare value MST could not measure: leave it missing
            touched = self._repair_absent_pairs(codes, np.random.default_rng(self.seed))
            self.dropped_share_ = 0.0
            self.repaired_share_ = float(touched.mean()) if len(codes) else 0.0
            self.rows_short_ = 0
            return self.encoding_.decode(codes)
        kept: list[np.ndarray] = []
        drawn = have = 0
        for _ in range(6):  # a few rounds; each draws what is still missing, oversampled
            want = max(int((n - have) * float(self.oversample)) + 10, 10)
            codes, other = self._draw(want)
            ok = ~other.any(axis=1)
            for (ia, ib), keep in self.supported_.items():
                ok &= keep[codes[:, ia], codes[:, ib]]
            drawn += len(codes)
            kept.append(codes[ok])
            have += int(ok.sum())
            if have >= n:
                break
        codes = np.concatenate(kept)[:n]
        self.dropped_share_ = 1.0 - (have / drawn) if drawn else 0.0
        self.repaired_share_ = 0.0
        self.rows_short_ = max(0, n - len(codes))
        return self.encoding_.decode(codes)

    def metadata(self) -> dict[str, Any]:
        """What a reader of the release needs to know about its privacy guarantee."""
        return {
            "mechanism": "MST (smartnoise-synth, Private-PGM) + DP threshold filter on "
                         "reported attribute pairs",
            "epsilon": float(self.epsilon),
            "delta": float(self.delta),
            "rho_zcdp": self.rho_,
            "rho_mst": self.rho_mst_,
            "rho_threshold": self.rho_threshold_,
            "rho_spent": self.ledger_.spent,
            "rho_spent_by_measurement": self.ledger_.summary(),
            "neighbouring_datasets": "add or remove one record",
            "one_way_weights": self.one_way_weights,
            "tree_selection": self.selection,
            "repair_order": self.repair_order,
            "threshold_sigma": self.sigma_threshold_,
            "threshold_sigmas": float(self.threshold_sigmas),
            "threshold_pairs": len(self.reported_pairs_),
            "threshold_max_attributes_per_record": int(self.max_attributes),
            "measured_pairs": [list(map(str, c)) for c in self.mst_.cliques_],
            "extra_pairs": int(self.extra_pairs),
            "sampler": "i.i.d. sampling from the fitted model (mbi method='sample')",
            "record_count_public": True,
            "repair": self.repair,
            "sampled_records_dropped_share": getattr(self, "dropped_share_", None),
            "sampled_records_repaired_share": getattr(self, "repaired_share_", None),
            "rows_short": getattr(self, "rows_short_", None),
        }
