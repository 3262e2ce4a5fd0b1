"""Re-identification risk of a release, measured by attacks in the style of anonymeter.

anonymeter (Giomi et al., 2023) cannot be installed beside this engine (it pins
numpy < 1.27, smartnoise-synth's JAX needs numpy 2), so the three attacks are implemented
here following its method, on samples:

* the attacker works only from the release;
* the same attack is run against ``targets`` (records that went into the release) and
  against ``control`` (real records held back from it, same size);
* risk = (success on targets - success on control) / (1 - success on control), floored
  at 0: what the attacker learns *because of* the release, beyond what the population
  already tells.

Attacks:

* singling out: predicates built from released records (values of 1-3 random
  quasi-identifiers) that match exactly one released record; success when the predicate
  matches exactly one target record;
* linkability: the quasi-identifiers are split into two halves held by two data holders;
  a target is linked when its nearest released record (Hamming distance) on each half is
  the same record;
* inference: the attacker knows a target's quasi-identifiers and guesses a secret column
  from the nearest released record; success when the guess is right.

For k-anonymous releases the attacker's knowledge is generalised the same way as the
release before matching.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

_CHUNK = 256


def _encode(frames: list[pd.DataFrame], columns: list[str]) -> list[np.ndarray]:
    out = [np.empty((len(f), len(columns)), dtype=np.int32) for f in frames]
    for j, col in enumerate(columns):
        values = pd.Index(sorted(set().union(*(set(f[col]) for f in frames))))
        for arr, frame in zip(out, frames):
            arr[:, j] = values.get_indexer(frame[col])
    return out


def _nearest(targets: np.ndarray, pool: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Index of a nearest ``pool`` row (Hamming distance) per target; random among ties."""
    found = np.empty(len(targets), dtype=np.int64)
    for start in range(0, len(targets), _CHUNK):
        block = targets[start:start + _CHUNK]
        dist = (block[:, None, :] != pool[None, :, :]).sum(axis=2)
        jitter = rng.random(dist.shape)  # breaks ties at random, never across distances
        found[start:start + _CHUNK] = np.argmin(dist + jitter * 0.5, axis=1)
    return found


def _risk(success_targets: float, success_control: float) -> float:
    if success_control >= 1.0:
        return 0.0
    return max(0.0, (success_targets - success_control) / (1.0 - success_control))


def _singling_out(released: np.ndarray, targets: np.ndarray, control: np.ndarray,
                  rng: np.random.Generator, n_queries: int) -> dict[str, Any]:
    width = released.shape[1]
    queries = []
    tries = 0
    while len(queries) < n_queries and tries < n_queries * 20:
        tries += 1
        row = released[rng.integers(len(released))]
        cols = rng.choice(width, size=int(rng.integers(1, min(3, width) + 1)), replace=False)
        match = (released[:, cols] == row[cols]).all(axis=1).sum()
        if match == 1:
            queries.append((cols, row[cols]))
    if not queries:
        return {"queries": 0, "success_targets": 0.0, "success_control": 0.0, "risk": 0.0,
                "note": "no predicate singles out a released record"}

    def rate(table: np.ndarray) -> float:
        hits = sum(int((table[:, c] == v).all(axis=1).sum() == 1) for c, v in queries)
        return hits / len(queries)

    t, c = rate(targets), rate(control)
    return {"queries": len(queries), "success_targets": t, "success_control": c,
            "risk": _risk(t, c)}


def _linkability(released: np.ndarray, targets: np.ndarray, control: np.ndarray,
                 rng: np.random.Generator) -> dict[str, Any]:
    width = released.shape[1]
    if width < 2:
        return {"risk": 0.0, "note": "needs at least two quasi-identifiers"}
    half = width // 2
    left, right = np.arange(half), np.arange(half, width)

    def rate(table: np.ndarray) -> float:
        a = _nearest(table[:, left], released[:, left], rng)
        b = _nearest(table[:, right], released[:, right], rng)
        return float((a == b).mean())

    t, c = rate(targets), rate(control)
    return {"success_targets": t, "success_control": c, "risk": _risk(t, c)}


def _inference(released: np.ndarray, targets: np.ndarray, control: np.ndarray,
               secret_released: np.ndarray, secret_targets: np.ndarray,
               secret_control: np.ndarray, rng: np.random.Generator) -> dict[str, Any]:
    def rate(table: np.ndarray, secret: np.ndarray) -> float:
        guess = secret_released[_nearest(table, released, rng)]
        return float((guess == secret).mean())

    t, c = rate(targets, secret_targets), rate(control, secret_control)
    return {"success_targets": t, "success_control": c, "risk": _risk(t, c)}


def evaluate_risk(released: pd.DataFrame, targets: pd.DataFrame, control: pd.DataFrame,
                  quasi_identifiers: list[str], secrets: list[str], *,
                  attacker_view: Callable[[pd.DataFrame], pd.DataFrame] | None = None,
                  max_released: int = 20000, n_queries: int = 500,
                  seed: int = 0) -> dict[str, Any]:
    """Run the three attacks on samples and return their success rates and risks.

    Parameters
    ----------
    released : DataFrame
        The release (synthetic or k-anonymous records).
    targets, control : DataFrame
        Real records that went into the release, and real records held back from it.
        The larger of the two is sampled down to the size of the smaller.
    quasi_identifiers, secrets : list of str
        What the attacker knows, and the columns the inference attack tries to guess.
    attacker_view : callable, optional
        Transforms real records into the release's coding (k-anonymity generalisation).
    max_released : int
        Released records searched by the nearest-neighbour attacks (sampled above that).
    """
    rng = np.random.default_rng(seed)
    size = min(len(targets), len(control))
    if size == 0 or len(released) == 0:
        return {"evaluated": False, "reason": "no control records or an empty release"}
    targets = targets.sample(n=size, random_state=seed)
    control = control.sample(n=size, random_state=seed + 1)
    if attacker_view is not None:
        targets, control = attacker_view(targets), attacker_view(control)
    pool = released
    if len(pool) > max_released:
        pool = pool.sample(n=max_released, random_state=seed + 2)
    rel_q, tgt_q, ctl_q = _encode([pool, targets, control], quasi_identifiers)
    result: dict[str, Any] = {
        "evaluated": True,
        "method": "anonymeter-style attacks (singling out, linkability, inference), "
                  "implemented in harborlight.sharing.risk; risk = (targets - control) / "
                  "(1 - control)",
        "targets_and_control_records": size,
        "released_records_searched": len(pool),
        "released_records_sampled": len(pool) < len(released),
        "quasi_identifiers": quasi_identifiers,
        "singling_out": _singling_out(rel_q, tgt_q, ctl_q, rng, n_queries),
        "linkability": _linkability(rel_q, tgt_q, ctl_q, rng),
        "inference": {},
    }
    for secret in secrets:
        if secret not in released.columns or secret in quasi_identifiers:
            continue
        rel_s, tgt_s, ctl_s = _encode([pool, targets, control], [secret])
        result["inference"][secret] = _inference(rel_q, tgt_q, ctl_q, rel_s[:, 0],
                                                 tgt_s[:, 0], ctl_s[:, 0], rng)
    risks = [result["singling_out"]["risk"], result["linkability"]["risk"],
             *(v["risk"] for v in result["inference"].values())]
    result["max_risk"] = max(risks)
    return result
