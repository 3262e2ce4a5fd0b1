"""The graphical model behind DP synthesis: Private-PGM (``mbi`` 2) fitted to noisy
marginals, and records sampled from it.

Everything here is post-processing of measurements already drawn (and charged) through
the privacy ledger: it reads no record.

* :func:`load_mbi` imports ``mbi`` with JAX in float64 (in float32, estimation can stall
  above about 100,000 records, as mbi itself warns), or raises :class:`MissingExtra`.
* :func:`fit` runs Private-PGM's mirror descent on the measurements, with structural zeros
  held by a very low starting potential. Its potentials are laid on the junction tree's maximal cliques, so the
  fitted model holds the marginal of every maximal clique: the sampler needs them, and
  computing them afterwards costs as much as the fit. (Mirror descent from the uniform
  model only ever moves along the measured marginals, so the model is the same pairwise
  model as with potentials on the measured cliques.)
* :func:`sample` draws records column by column along the junction tree, each from its
  conditional distribution given the columns already drawn, stratified so that counts
  follow the model (mbi's "round" method, with its fix against invented correlations),
  vectorised and from a seeded generator.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

from harborlight.sharing.errors import MissingExtra
from harborlight.sharing.measurement import Measurement


def load_mbi() -> Any:
    """``mbi`` with JAX switched to float64 first; MissingExtra if it is not installed."""
    try:
        import jax

        jax.config.update("jax_enable_x64", True)
        # mbi compiles many small programs; a persistent cache only slows it down
        jax.config.update("jax_enable_compilation_cache", False)
        import mbi
    except ImportError as missing:
        raise MissingExtra.because(missing) from None
    return mbi


#: Log-potential that holds a cell at zero: exp(-40) of the mass it would have, about
#: 1e-12 of a record. Mirror descent barely moves it (the measurement there is zero too),
#: and the sampler removes what is left. A true -inf would need Shafer-Shenoy message
#: passing, which costs the square of a clique's neighbours: minutes on the reported
#: columns' clique.
ZERO_POTENTIAL = -40.0


def fit(sizes: dict[str, int], measurements: list[Measurement], *, total: int,
        zeros: dict[tuple[str, str], np.ndarray], iters: int) -> Any:
    """Private-PGM's model (a MarkovRandomField) of ``measurements`` over columns of
    ``sizes`` values, with ``total`` records; ``zeros[a, b]`` lists the (a, b) value pairs
    held at zero (structural zeros), whose measured counts are taken as zero."""
    mbi = load_mbi()
    from mbi import junction_tree, marginal_loss, marginal_oracles

    domain = mbi.Domain(list(sizes), list(sizes.values()))
    linear = [_linear(mbi, m, zeros.get(m.clique), sizes) for m in measurements]
    loss = marginal_loss.from_linear_measurements(linear, domain)
    tree, _ = junction_tree.make_junction_tree(domain, list(loss.cliques) + list(zeros))
    loss = dataclasses.replace(loss, cliques=tuple(tree.nodes))
    start = _starting_potentials(mbi, domain, measurements, zeros, sizes, total)
    estimator = mbi.estimation.MirrorDescent(
        marginal_oracle=marginal_oracles.message_passing_hugin)
    return estimator.estimate(domain, loss, known_total=float(total), iters=int(iters),
                              warm_start=start)


def _starting_potentials(mbi: Any, domain: Any, measurements: list[Measurement],
                         zeros: dict[tuple[str, str], np.ndarray], sizes: dict[str, int],
                         total: int) -> Any:
    """Where mirror descent starts: each one-way potential the log of its noisy
    distribution, each pair's the pointwise mutual information of its noisy table (the
    exact answer for a tree of pairs, a close start for the rest), and held cells at
    ZERO_POTENTIAL. From the uniform model, a thousand iterations were not enough."""
    floor = 0.5 / max(total, 1)
    tables = {}
    for m in measurements:
        noisy = np.asarray(m.noisy, dtype=float) / (1.0 if m.weights is None else m.weights)
        p = np.clip(noisy, 0.0, None).reshape([sizes[c] for c in m.clique])
        p = p / p.sum() if p.sum() > 0 else np.full(p.shape, 1.0 / p.size)
        if len(m.clique) == 1:
            log = np.log(np.maximum(p, floor))
        else:
            log = (np.log(np.maximum(p, floor)) - np.log(np.maximum(p.sum(1, keepdims=True),
                   floor)) - np.log(np.maximum(p.sum(0, keepdims=True), floor)))
        cells = zeros.get(m.clique)
        if cells is not None and len(cells):
            log[tuple(np.asarray(cells, dtype=np.int64).T)] = ZERO_POTENTIAL
        tables[m.clique] = tables.get(m.clique, 0.0) + log
    factors = {c: mbi.Factor(domain.project(list(c)), v) for c, v in tables.items()}
    return mbi.CliqueVector(domain, list(factors), factors)


def _linear(mbi: Any, m: Measurement, zero_cells: np.ndarray | None,
            sizes: dict[str, int]) -> Any:
    """``m`` as mbi's LinearMeasurement, its cells held at zero set to zero."""
    noisy = np.asarray(m.noisy, dtype=float)
    if zero_cells is not None and len(zero_cells):
        table = noisy.reshape([sizes[c] for c in m.clique]).copy()
        table[tuple(np.asarray(zero_cells).T)] = 0.0
        noisy = table.ravel()
    if m.weights is None:
        return mbi.LinearMeasurement(noisy, m.clique, m.sigma)
    from mbi import marginal_loss

    return mbi.LinearMeasurement(noisy, m.clique, m.sigma,
                                 query=marginal_loss.WeightedQuery(m.weights))


def sample(model: Any, rows: int, rng: np.random.Generator,
           zeros: dict[tuple[str, str], np.ndarray] | None = None,
           chunk: int = 65_536) -> dict[str, np.ndarray]:
    """``rows`` records from ``model``: {column: codes}.

    Columns are drawn in the reverse of the junction tree's elimination order; each given
    the columns already drawn that share a maximal clique with it (its parents), by
    inverting its conditional distribution's CDF at a stratified uniform draw
    (:func:`_stratified`), so the counts follow the model's up to rounding. A value pair of
    ``zeros`` gets probability exactly zero (both columns of a pair always share a
    clique, so the later one sees the earlier as a parent).
    """
    from mbi import junction_tree

    domain = model.domain
    tree, order = junction_tree.make_junction_tree(domain, list(model.cliques))
    cliques = [set(c) for c in tree.nodes]
    drawn: dict[str, np.ndarray] = {}
    for column in order[::-1]:
        parents = tuple(a for a in drawn if any(column in c and a in c for c in cliques))
        joint = np.asarray(model.marginals.project(parents + (column,)).datavector(
            flatten=False), dtype=float)
        joint = _without_zeros(joint, parents, column, zeros or {})
        cdf = np.cumsum(np.clip(joint, 0.0, None).reshape(-1, joint.shape[-1]), axis=1)
        cdf = np.divide(cdf, cdf[:, -1:], out=np.zeros_like(cdf), where=cdf[:, -1:] > 0)
        index = (np.ravel_multi_index(tuple(drawn[a] for a in parents), joint.shape[:-1])
                 if parents else np.zeros(rows, dtype=np.int64))
        uniform = _stratified(index, rng)
        values = np.empty(rows, dtype=np.int64)
        for start in range(0, rows, chunk):
            part = slice(start, start + chunk)
            values[part] = (cdf[index[part]] <= uniform[part, None]).sum(axis=1)
        drawn[column] = np.minimum(values, joint.shape[-1] - 1)
    return {a: drawn[a] for a in domain.attributes}


def _stratified(groups: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A uniform number per record, stratified within its group: the k records of a group
    get one number in each of [0, 1/k), [1/k, 2/k), ... in random order.

    Inverting a CDF at these draws gives each value of the group its expected count up
    to rounding (mbi's "round" method; i.i.d. draws would add sampling noise, a standard
    deviation of sqrt(count)). The strata are dealt in random order within each group,
    as in mbi 2's fix: mbi 1 dealt them in record order, which tied together columns that
    only shared a parent (every forced-labour record once came out female).
    """
    order = rng.permutation(len(groups))
    order = order[np.argsort(groups[order], kind="stable")]
    sizes = np.bincount(groups)
    starts = np.cumsum(sizes) - sizes
    rank = np.empty(len(groups))
    rank[order] = np.arange(len(groups)) - starts[groups[order]]
    return (rank + rng.random(len(groups))) / sizes[groups]


def _without_zeros(joint: np.ndarray, parents: tuple[str, ...], column: str,
                   zeros: dict[tuple[str, str], np.ndarray]) -> np.ndarray:
    """``joint`` over (parents..., column) with the cells of held pairs set to zero."""
    for axis, parent in enumerate(parents):
        for pair, flip in (((parent, column), False), ((column, parent), True)):
            cells = np.asarray(zeros.get(pair, np.empty((0, 2))), dtype=np.int64)
            if len(cells):
                mask = np.ones((joint.shape[axis], joint.shape[-1]), dtype=bool)
                mask[(cells[:, 1], cells[:, 0]) if flip else (cells[:, 0], cells[:, 1])] = False
                shape = [1] * joint.ndim
                shape[axis], shape[-1] = joint.shape[axis], joint.shape[-1]
                joint = joint * mask.reshape(shape)
    return joint
