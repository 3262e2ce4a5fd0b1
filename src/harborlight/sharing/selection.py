"""Which two-way marginals the model measures beyond the reported ones (MST, then AIM).

MST (McKenna et al. 2021): join the columns into a spanning tree of pairs, each edge
picked with the exponential mechanism by how badly an independent model gets the pair
wrong. The reported columns are joined already (their pairs are all measured), so the
tree only has to reach the other columns. AIM's correction (McKenna et al. 2022) lowers
each score by the L1 error a measurement at that noise adds anyway, so large tables
(two country columns) do not win on size alone.

Then, as AIM does, a few more pairs over small tables where the *tree* model is most
wrong: a tree holds one path between two columns, which loses the links a column has to
two others. The tree model's marginal of any pair is computed in closed form by chaining
the measured pairs' conditional distributions along the path that joins the pair.

The scores are L1 distances between exact and model counts: one record moves them by at
most 1, and the penalty does not depend on the data, so each pick is an exponential
mechanism of sensitivity 1, drawn and charged by the ledger.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable

import numpy as np

from harborlight.sharing.ledger import PrivacyLedger
from harborlight.sharing.measurement import Measurement, counts

Pair = tuple[str, str]


def _distribution(values: np.ndarray) -> np.ndarray:
    clipped = np.clip(np.asarray(values, dtype=float), 0.0, None)
    total = clipped.sum()
    return clipped / total if total > 0 else np.full(clipped.size, 1.0 / clipped.size)


def select_tree(ledger: PrivacyLedger, codes: np.ndarray, names: list[str], sizes: list[int],
                one_way: dict[str, np.ndarray], joined: list[str], epsilon: float,
                penalty: float) -> list[Pair]:
    """Edges that join every column to the ``joined`` group (or to each other, if it is
    empty) into one tree; ``one_way[name]`` are noisy one-way counts."""
    total = len(codes)
    group = {name: (0 if name in joined else i + 1) for i, name in enumerate(names)}
    scores = {}
    for a, b in itertools.combinations(names, 2):
        if group[a] == group[b] == 0:
            continue
        model = total * np.outer(_distribution(one_way[a]), _distribution(one_way[b])).ravel()
        real = counts(codes, (names.index(a), names.index(b)), sizes)
        scores[a, b] = float(np.abs(real - model).sum()) - penalty * real.size
    edges: list[Pair] = []
    while len(set(group.values())) > 1:
        candidates = [e for e in scores if group[e[0]] != group[e[1]]]
        pick = candidates[ledger.select("pair selection #tree",
                                        np.array([scores[e] for e in candidates]),
                                        epsilon=epsilon)]
        edges.append(pick)
        old, new = group[pick[1]], group[pick[0]]
        group = {n: (new if g == old else g) for n, g in group.items()}
    return edges


def _path(edges: list[Pair], start: str, end: str) -> list[str]:
    """The columns on the path from ``start`` to ``end`` in the tree of ``edges``."""
    neighbours: dict[str, list[str]] = {}
    for a, b in edges:
        neighbours.setdefault(a, []).append(b)
        neighbours.setdefault(b, []).append(a)
    previous = {start: start}
    queue = [start]
    while queue and end not in previous:
        node = queue.pop(0)
        for other in neighbours.get(node, []):
            if other not in previous:
                previous[other] = node
                queue.append(other)
    if end not in previous:
        raise ValueError(f"{start} and {end} are not joined by the tree")
    path = [end]
    while path[-1] != start:
        path.append(previous[path[-1]])
    return path[::-1]


def tree_pair(measured: dict[Pair, np.ndarray], edges: list[Pair], a: str, b: str,
              total: int) -> np.ndarray:
    """The tree model's counts of pair (a, b): the chain of the measured pairs' conditional
    distributions along the tree path from a to b. ``measured[x, y]`` is a noisy (x, y)
    table for every edge, in both orders."""
    path = _path(edges, a, b)
    joint = np.diag(_distribution(measured[path[0], path[1]].sum(axis=1)))
    for x, y in zip(path, path[1:]):
        table = np.clip(measured[x, y], 0.0, None)
        rows = table.sum(axis=1, keepdims=True)
        conditional = np.divide(table, rows, out=np.full_like(table, 1.0 / table.shape[1]),
                                where=rows > 0)
        joint = joint @ conditional
    return total * joint.ravel()


def select_extra(ledger: PrivacyLedger, codes: np.ndarray, names: list[str], sizes: list[int],
                 measured: dict[Pair, np.ndarray], edges: list[Pair], candidates: list[Pair],
                 count: int, epsilon: float, penalty: float,
                 fits: Callable[[list[Pair]], bool]) -> list[Pair]:
    """Up to ``count`` of ``candidates`` where the tree model is most wrong, each pick an
    exponential mechanism; ``fits(pairs)`` says whether the model with ``pairs`` added
    stays small enough."""
    total = len(codes)
    scores = {}
    for a, b in candidates:
        real = counts(codes, (names.index(a), names.index(b)), sizes)
        model = tree_pair(measured, edges, a, b, total)
        scores[a, b] = float(np.abs(real - model).sum()) - penalty * real.size
    # a candidate that alone would make the model too large never competes; one that
    # does so only beside earlier picks is found after it wins, and dropped (its round
    # is spent: the number of rounds never passes ``count``)
    open_pairs = [p for p in scores if fits([p])]
    chosen: list[Pair] = []
    for _ in range(min(count, len(open_pairs))):
        if not open_pairs:
            break
        pick = open_pairs.pop(ledger.select(
            "pair selection #extra", np.array([scores[p] for p in open_pairs]),
            epsilon=epsilon))
        if fits(chosen + [pick]):
            chosen.append(pick)
    return chosen
