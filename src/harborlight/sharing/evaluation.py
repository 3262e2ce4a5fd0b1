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

At the *reporting resolution* (``reporting``), as a synthetic data showcase reports
them: over the 1- and 2-way combinations of the reported columns only, the share of real
combinations weighing ``resolution`` records or more that the release lacks
(suppressed), and the share of released combinations weighing that much once scaled to
the input's size that the real data lacks (fabricated); beside them the same shares over
distinct combinations of every weight and weighted by records. ``unique_copies``: the
share of released records that copy, in every column, a record unique in the input.

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


def _shares(real: dict[int, int], released: dict[int, int], scale: float,
            resolution: int) -> dict[str, int]:
    """Counts behind the reporting shares of one column set (see the module docstring)."""
    heavy_real = [k for k, v in real.items() if v >= resolution]
    heavy_released = [k for k, v in released.items() if v * scale >= resolution]
    return {
        "real": len(real), "released": len(released),
        "suppressed": len(real.keys() - released.keys()),
        "fabricated": len(released.keys() - real.keys()),
        "real_mass": sum(real.values()), "released_mass": sum(released.values()),
        "suppressed_mass": sum(v for k, v in real.items() if k not in released),
        "fabricated_mass": sum(v for k, v in released.items() if k not in real),
        "heavy_real": len(heavy_real), "heavy_released": len(heavy_released),
        "heavy_suppressed": sum(k not in released for k in heavy_real),
        "heavy_fabricated": sum(k not in real for k in heavy_released),
    }


def reporting(real: pd.DataFrame, released: pd.DataFrame, columns: list[str],
              resolution: int = 20) -> dict[str, Any]:
    """Suppressed and fabricated shares over the 1- and 2-way combinations of
    ``columns``: at ``resolution`` records or more (the targets), over distinct
    combinations of every weight, and weighted by records."""
    r_codes, s_codes, cards = _codes(real, released, columns)
    scale = len(real) / len(released) if len(released) else 0.0
    total: dict[str, int] = {}
    for length in (1, 2):
        for idx in itertools.combinations(range(len(columns)), length):
            counts = _shares(_counts(r_codes, idx, cards), _counts(s_codes, idx, cards),
                             scale, resolution)
            total = {k: total.get(k, 0) + v for k, v in counts.items()}

    def share(part: str, whole: str) -> float:
        return total[part] / total[whole] if total[whole] else 0.0

    return {
        "columns": list(columns), "resolution": int(resolution),
        "real_combinations": total["real"], "released_combinations": total["released"],
        "real_combinations_at_resolution": total["heavy_real"],
        "released_combinations_at_resolution": total["heavy_released"],
        "suppressed_share": share("heavy_suppressed", "heavy_real"),
        "fabricated_share": share("heavy_fabricated", "heavy_released"),
        "suppressed_share_every_weight": share("suppressed", "real"),
        "fabricated_share_every_weight": share("fabricated", "released"),
        "suppressed_record_share": share("suppressed_mass", "real_mass"),
        "fabricated_record_share": share("fabricated_mass", "released_mass"),
    }


def unique_copies(real: pd.DataFrame, released: pd.DataFrame) -> float:
    """Share of released records equal, in every column, to a record unique in ``real``."""
    if not len(released):
        return 0.0
    columns = list(real.columns)

    def rows(frame: pd.DataFrame) -> pd.Series:  # one 64-bit hash per record
        return pd.util.hash_pandas_object(frame[columns].astype(str), index=False)

    seen = rows(real).value_counts()
    unique = seen.index[seen.to_numpy() == 1]
    return float(rows(released).isin(unique).mean())


def compare(real: pd.DataFrame, released: pd.DataFrame, columns: list[str] | None = None,
            max_length: int = 3, max_triples: int = 200, seed: int = 0,
            top_errors: int = 5, reporting_columns: list[str] | None = None,
            resolution: int = 20) -> dict[str, Any]:
    """Return utility figures of ``released`` against ``real`` (same columns, text values).

    With ``reporting_columns``, the headline suppressed and fabricated shares are those at
    the reporting resolution (:func:`reporting`); without, those of all 2-way
    combinations of distinct values.
    """
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
    result["unique_copies"] = unique_copies(real[columns], released[columns])
    if reporting_columns:
        result["reporting"] = reporting(real, released, list(reporting_columns), resolution)
        result["suppressed_share"] = result["reporting"]["suppressed_share"]
        result["fabricated_share"] = result["reporting"]["fabricated_share"]
    return result

