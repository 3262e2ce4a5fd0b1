"""Noisy marginals of integer-coded records, and the domain compression they allow.

Records are an (n, columns) array of codes over each column's public domain (see
``encoding``; code 0 = missing). A *marginal* over a clique of columns counts the records
in every cell of those columns' domains, missing values included, so one record moves
each marginal by exactly one in one cell: L2 sensitivity 1 per marginal.

:func:`measure` draws a set of marginals through the privacy ledger. :class:`Compression`
keeps the values whose noisy one-way count clears a threshold and folds the rest of a
column into one "other" code: a value too rare to measure reliably is left out of the
model (and released as missing), which keeps the model small.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from harborlight.sharing.ledger import PrivacyLedger


@dataclass(frozen=True)
class Measurement:
    """A noisy marginal: ``clique`` (column names), ``noisy`` counts (C order over the
    clique's domain), the noise's standard deviation ``sigma``, and, for a compressed
    one-way marginal, per-cell ``weights`` (a cell holding k values is scaled by
    1/sqrt(k) so that every cell's noise is ``sigma``; 1 elsewhere)."""

    clique: tuple[str, ...]
    noisy: np.ndarray
    sigma: float
    weights: np.ndarray | None = None


def counts(codes: np.ndarray, columns: tuple[int, ...], sizes: list[int]) -> np.ndarray:
    """Exact counts of every cell of ``columns`` (indices), as a flat C-order vector."""
    shape = tuple(sizes[j] for j in columns)
    flat = np.ravel_multi_index(tuple(codes[:, j] for j in columns), shape)
    return np.bincount(flat, minlength=math.prod(shape)).astype(float)


def measure(ledger: PrivacyLedger, what: str, codes: np.ndarray, names: list[str],
            sizes: list[int], cliques: list[tuple[str, ...]], sigma: float,
            weights: list[float] | None = None) -> list[Measurement]:
    """Noisy marginals of ``cliques``, together costing rho = 1 / (2 sigma^2).

    One record moves every marginal by one. With weights w normalised to unit L2 norm,
    marginal i gets noise ``sigma / w_i``, so the set costs 1 / (2 sigma^2) however the
    weights are chosen (equal weights: ``sigma * sqrt(len(cliques))`` each).
    """
    w = np.ones(len(cliques)) if weights is None else np.asarray(weights, dtype=float)
    w = w / np.linalg.norm(w)
    out = []
    for clique, weight in zip(cliques, w):
        scale = sigma / weight
        exact = counts(codes, tuple(names.index(c) for c in clique), sizes)
        noisy = ledger.gaussian(f"{what} #{'+'.join(clique)}", exact, sensitivity=1.0,
                                sigma=scale)
        out.append(Measurement(tuple(clique), noisy, scale))
    return out


@dataclass(frozen=True)
class Compression:
    """Per column, the values kept (``kept[name]``, a boolean mask over the domain, missing
    always kept); the others share one "other" code at the end of the compressed domain.
    A column that keeps every value has no "other" code."""

    kept: dict[str, np.ndarray]

    @classmethod
    def from_one_way(cls, one_way: list[Measurement], sigmas: float) -> "Compression":
        """Keep the values whose noisy count is at least ``sigmas`` times its noise."""
        kept = {}
        for m in one_way:
            mask = np.asarray(m.noisy) >= sigmas * m.sigma
            mask[0] = True
            kept[m.clique[0]] = mask
        return cls(kept)

    def size(self, name: str) -> int:
        mask = self.kept[name]
        return int(mask.sum()) + (0 if mask.all() else 1)

    def mapping(self, name: str) -> np.ndarray:
        """Compressed code of every original code."""
        mask = self.kept[name]
        out = np.full(mask.size, int(mask.sum()), dtype=np.int64)
        out[mask] = np.arange(int(mask.sum()))
        return out

    def other(self, name: str) -> int | None:
        """The "other" code of ``name``, or None when every value is kept."""
        return None if self.kept[name].all() else int(self.kept[name].sum())

    def encode(self, codes: np.ndarray, names: list[str]) -> np.ndarray:
        return np.stack([self.mapping(n)[codes[:, j]] for j, n in enumerate(names)], axis=1)

    def decode(self, compressed: np.ndarray, names: list[str]) -> np.ndarray:
        """Original codes; the "other" code becomes 0 (missing): a value too rare to be
        measured is not released."""
        out = np.zeros_like(compressed)
        for j, name in enumerate(names):
            values = np.append(np.flatnonzero(self.kept[name]), 0)
            out[:, j] = values[compressed[:, j]]
        return out

    def one_way(self, m: Measurement) -> Measurement:
        """``m`` on the compressed domain: the "other" cell sums the dropped values' noisy
        counts, scaled by 1/sqrt(k) so its noise stays ``m.sigma``."""
        mask = self.kept[m.clique[0]]
        noisy = np.asarray(m.noisy)[mask]
        weights = np.ones(noisy.size)
        if not mask.all():
            k = int((~mask).sum())
            noisy = np.append(noisy, np.asarray(m.noisy)[~mask].sum() / math.sqrt(k))
            weights = np.append(weights, 1 / math.sqrt(k))
        return Measurement(m.clique, noisy, m.sigma, weights)
