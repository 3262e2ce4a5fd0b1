"""Raking: the sampled records reweighted so that their one-way counts match the measured
ones, then resampled to whole records.

Private-PGM's mirror descent converges slowly on the reported columns' large clique: after
a few hundred iterations its one-way counts are still off by thousands of records on a
few yes/no flags, although the measurements say better. Raking fixes that afterwards,
from the measurements alone (post-processing: no budget, no record read):

1. :func:`one_way_targets`: every column's best count of each value from *every*
   measurement that holds the column (its one-way marginal, and the row sums of each
   measured pair), combined by inverse variance, then made a distribution of ``total``
   records (the nearest non-negative vector in L2).
2. :func:`rake`: iterative proportional fitting of one weight per record, column after
   column, until each column's weighted counts match its target. A weight only scales a
   record already drawn, so a combination the sampler never drew (a pair held at zero by
   the threshold, or one the model gave no mass) never comes back: raking cannot
   fabricate. Weights stay within ``bounds`` so that no record is copied many times.
3. :func:`resample`: whole records by systematic sampling over the weights, in the
   records' sorted order, so each value's count lands within a record or so of its
   weighted count; the result is reproducible from a seeded generator.
"""

from __future__ import annotations

import numpy as np

from harborlight.sharing.measurement import Measurement


def _to_simplex(values: np.ndarray, total: float) -> np.ndarray:
    """The non-negative vector summing to ``total`` nearest ``values`` (Euclidean)."""
    v = np.asarray(values, dtype=float)
    if total <= 0:
        return np.zeros_like(v)
    ordered = np.sort(v)[::-1]
    cumulative = np.cumsum(ordered) - total
    k = np.arange(1, v.size + 1)
    last = np.flatnonzero(ordered - cumulative / k > 0)[-1]
    return np.clip(v - cumulative[last] / (last + 1), 0.0, None)


def one_way_targets(measurements: list[Measurement], sizes: dict[str, int],
                    total: float) -> dict[str, np.ndarray]:
    """Per column, its counts over ``sizes[column]`` values from every measurement holding
    it, weighted by the inverse of each estimate's noise variance, summing to ``total``.

    A one-way measurement with ``weights`` measured ``weights * count``: its estimate is
    ``noisy / weights`` with noise ``sigma / weights`` per cell. A measured table's sum
    over its other columns has noise ``sigma * sqrt(cells summed)``.
    """
    precision = {n: np.zeros(s) for n, s in sizes.items()}
    weighted = {n: np.zeros(s) for n, s in sizes.items()}
    for m in measurements:
        shape = [sizes[c] for c in m.clique]
        table = np.asarray(m.noisy, dtype=float).reshape(shape)
        for axis, name in enumerate(m.clique):
            if len(m.clique) == 1:
                w = np.ones(shape[0]) if m.weights is None else np.asarray(m.weights, float)
                estimate, variance = table / w, (m.sigma / w) ** 2
            else:
                others = tuple(i for i in range(len(shape)) if i != axis)
                estimate = table.sum(axis=others)
                variance = np.full(shape[axis], m.sigma ** 2 * table.size / shape[axis])
            precision[name] += 1.0 / variance
            weighted[name] += estimate / variance
    targets = {}
    for name in sizes:
        measured = precision[name] > 0
        estimate = np.divide(weighted[name], precision[name],
                             out=np.zeros(sizes[name]), where=measured)
        if not measured.all():  # an unmeasured column is not raked
            continue
        targets[name] = _to_simplex(estimate, total)
    return targets


def rake(codes: np.ndarray, names: list[str], targets: dict[str, np.ndarray], *,
         bounds: tuple[float, float] = (0.2, 5.0), tolerance: float = 0.5,
         max_rounds: int = 100) -> np.ndarray:
    """Weights of the records ``codes`` (rows over ``names``) whose weighted one-way counts
    match ``targets`` (each a count per code), within ``bounds``.

    Stops when no column's count is off by more than ``tolerance`` records or after
    ``max_rounds`` rounds; a value no record holds keeps count zero whatever its target
    (the weights of the others absorb it).
    """
    if not 0 < bounds[0] <= 1 <= bounds[1]:
        raise ValueError(f"bounds must hold 1 and be positive, not {bounds!r}")
    weights = np.ones(len(codes))
    columns = [(np.ascontiguousarray(codes[:, j]), targets[n])
               for j, n in enumerate(names) if n in targets]
    for _ in range(max_rounds):
        worst = 0.0
        for column, target in columns:
            current = np.bincount(column, weights=weights, minlength=target.size)
            # a value no record holds cannot be reached: leave its share to the others
            reachable = current > 0
            aim = target[reachable].sum()
            if aim <= 0:
                continue
            goal = target * (target.sum() / aim)
            worst = max(worst, float(np.abs(current - goal)[reachable].max(initial=0.0)))
            factor = np.divide(goal, current, out=np.ones_like(current), where=reachable)
            weights = np.clip(weights * factor[column], *bounds)
        if worst <= tolerance:
            break
    return weights


def resample(codes: np.ndarray, weights: np.ndarray, rows: int,
             rng: np.random.Generator) -> np.ndarray:
    """``rows`` records of ``codes`` by systematic sampling in proportion to ``weights``.

    The records are taken in lexicographic order of their codes (first column first), so
    each value of the first column gets its weighted count to within one record and the
    others nearly so; one uniform offset from ``rng`` places the sampling grid. The result
    is shuffled by ``rng``.
    """
    weights = np.asarray(weights, dtype=float)
    if rows <= 0 or weights.sum() <= 0:
        return codes[:0]
    order = np.lexsort(codes.T[::-1])
    cumulative = np.cumsum(weights[order])
    cumulative *= rows / cumulative[-1]
    grid = rng.random() + np.arange(rows)
    picks = order[np.minimum(np.searchsorted(cumulative, grid, side="right"), len(order) - 1)]
    return codes[picks[rng.permutation(rows)]]
