"""Utility of a release: marginal errors and suppressed / fabricated combinations.

A *combination* is a set of 1, 2 or 3 attribute values that occur together in a record,
missing values excluded (as in the synthetic data showcase behind CTDC's releases, where
an empty cell is not an attribute). For each length:

* MAE: mean absolute difference between the real and the released count of each
  combination, over every combination seen in either;
* suppressed share: real combinations that the release does not contain at all;
* fabricated share: released combinations that never occur in the real data (the
  synthesizer showcase's targets are < 10% suppressed and < 1% fabricated);
* the same two shares weighted by record counts;
* suppressed two-way combinations by their real count (where suppression falls).

Two- and three-way figures over many columns are costly: all pairs are counted, but when
there are more than ``max_triples`` triples of columns a seeded random sample of them is
used, and the result says so.
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
import pandas as pd


def _codes(real: pd.DataFrame, released: pd.DataFrame, columns: list[str]):
    """Shared integer codes for both tables; 0 = missing."""
    out_r, out_s, cards = [], [], []
    for col in columns:
        values = pd.Index(sorted(set(real[col]) | set(released[col]) | {""}))
        out_r.append(values.get_indexer(real[col]))
        out_s.append(values.get_indexer(released[col]))
        cards.append(len(values))
    return np.stack(out_r, 1) if columns else None, np.stack(out_s, 1) if columns else None, cards


def _counts(codes: np.ndarray, idx: tuple[int, ...], cards: list[int]) -> dict[int, int]:
    sub = codes[:, idx]
    present = (sub != 0).all(axis=1)
    sub = sub[present]
    key = np.zeros(len(sub), dtype=np.int64)
    for j, i in enumerate(idx):
        key = key * cards[i] + sub[:, j]
    uniq, cnt = np.unique(key, return_counts=True)
    return dict(zip(uniq.tolist(), cnt.tolist()))


def compare(real: pd.DataFrame, released: pd.DataFrame, columns: list[str] | None = None,
            max_length: int = 3, max_triples: int = 200, seed: int = 0,
            top_errors: int = 5) -> dict[str, Any]:
    """Return utility figures of ``released`` against ``real`` (same columns, text values)."""
    columns = list(columns or real.columns)
    r_codes, s_codes, cards = _codes(real, released, columns)
    result: dict[str, Any] = {"columns": columns, "by_length": {}}
    rng = np.random.default_rng(seed)
    worst: list[tuple[float, str]] = []
    bucket_edges = ((1, 10), (10, 20), (20, 50), (50, 100), (100, None))
    bucket_real = [0] * len(bucket_edges)
    bucket_lost = [0] * len(bucket_edges)
    for length in range(1, max_length + 1):
        groups = list(itertools.combinations(range(len(columns)), length))
        sampled = False
        if length == 3 and len(groups) > max_triples:
            pick = rng.choice(len(groups), size=max_triples, replace=False)
            groups = [groups[i] for i in sorted(pick)]
            sampled = True
        abs_err = 0.0
        cells = real_n = syn_n = suppressed = fabricated = 0
        real_mass = syn_mass = suppressed_mass = fabricated_mass = 0
        for idx in groups:
            rc = _counts(r_codes, idx, cards)
            sc = _counts(s_codes, idx, cards)
            keys = rc.keys() | sc.keys()
            errs = [abs(rc.get(key, 0) - sc.get(key, 0)) for key in keys]
            abs_err += float(sum(errs))
            cells += len(keys)
            real_n += len(rc)
            syn_n += len(sc)
            lost = rc.keys() - sc.keys()
            made = sc.keys() - rc.keys()
            suppressed += len(lost)
            fabricated += len(made)
            real_mass += sum(rc.values())
            syn_mass += sum(sc.values())
            suppressed_mass += sum(rc[k] for k in lost)
            fabricated_mass += sum(sc[k] for k in made)
            if length == 2 and errs:
                worst.append((max(errs), "+".join(columns[i] for i in idx)))
            if length == 2:
                for key, count in rc.items():
                    b = next(i for i, (lo, hi) in enumerate(bucket_edges)
                             if count >= lo and (hi is None or count < hi))
                    bucket_real[b] += 1
                    bucket_lost[b] += key in lost
        result["by_length"][str(length)] = {
            "column_sets": len(groups),
            "column_sets_sampled": sampled,
            "mae": abs_err / cells if cells else 0.0,
            "real_combinations": real_n,
            "released_combinations": syn_n,
            "suppressed_share": suppressed / real_n if real_n else 0.0,
            "fabricated_share": fabricated / syn_n if syn_n else 0.0,
            "suppressed_record_share": suppressed_mass / real_mass if real_mass else 0.0,
            "fabricated_record_share": fabricated_mass / syn_mass if syn_mass else 0.0,
        }
    worst.sort(reverse=True)
    result["largest_two_way_errors"] = [{"columns": c, "max_abs_count_error": e}
                                        for e, c in worst[:top_errors]]
    result["suppressed_by_real_count"] = [
        {"bucket": f"{lo}-{hi - 1}" if hi else f"{lo}+", "real_combinations": real,
         "suppressed_share": lost_n / real}
        for (lo, hi), real, lost_n in zip(bucket_edges, bucket_real, bucket_lost) if real]
    lengths = result["by_length"]
    result["mae"] = {k: v["mae"] for k, v in lengths.items()}
    top = str(min(2, max_length))
    result["suppressed_share"] = lengths[top]["suppressed_share"]
    result["fabricated_share"] = lengths[top]["fabricated_share"]
    result["headline_length"] = int(top)
    return result

