"""k-anonymity by global generalisation and record suppression.

Method (Sweeney's Datafly, with the ladders from ``data/anonymisation.json``):

1. count the records in every combination of the quasi-identifiers (missing is a value);
2. while more than ``max_suppression`` of the records sit in combinations smaller than
   ``k``, move the quasi-identifier with the most distinct values one step up its ladder
   (year -> 5-year band -> decade; country -> UN M49 sub-region -> region; ...);
3. suppress (drop) the records still in combinations smaller than ``k``.

Generalisation is global (a value is recoded the same way in every record), so the output
stays easy to analyse. Every surviving combination of quasi-identifiers has at least ``k``
records; tests check that with an independent group-by, not with this code.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from harborlight.sharing.datafiles import load_anonymisation, load_regions
from harborlight.sharing.errors import ParameterError


def _year_band(values: pd.Series, width: int, origin: int) -> pd.Series:
    years = pd.to_numeric(values.where(values != ""), errors="coerce")
    start = origin + ((years - origin) // width) * width
    first = start.astype("Int64").astype(str)
    last = (start + width - 1).astype("Int64").astype(str)
    text = first + "--" + last
    return text.where(years.notna(), "")


def generalise(values: pd.Series, step: dict[str, Any]) -> pd.Series:
    """Apply one ladder ``step`` to a column of (possibly already generalised) values."""
    rule = step["rule"]
    present = values != ""
    if rule == "any":
        return values.where(~present, "*")
    if rule == "map":
        mapping = step["values"]
        return values.map(lambda v: mapping.get(v, v))
    if rule == "year_band":
        return _year_band(values, int(step["width"]), int(step["origin"]))
    if rule == "m49":
        regions = load_regions()
        attr = step["level"]
        lookup = {iso3: getattr(region, attr) for iso3, region in regions.items()}
        # an already coarser value (a sub-region name) climbs through the region table too
        if attr == "m49_region":
            lookup.update({r.m49_subregion: r.m49_region for r in regions.values()})
        return values.map(lambda v: lookup.get(v, v))
    raise ParameterError(f"unknown generalisation rule {rule!r}")


def class_sizes(frame: pd.DataFrame, columns: list[str]) -> np.ndarray:
    """Size of each record's equivalence class over ``columns`` (one int per record)."""
    if len(frame) == 0:
        return np.zeros(0, dtype=np.int64)
    codes = frame.groupby(columns, sort=False, dropna=False).ngroup().to_numpy()
    return np.bincount(codes)[codes]


class KAnonymizer:
    """Generalise and suppress until every quasi-identifier combination has >= k records.

    Parameters
    ----------
    k : int
        Smallest allowed equivalence class (CTDC used 11).
    quasi_identifiers : list of str, optional
        Columns an attacker may know. Defaults to the layout's list in
        ``data/anonymisation.json``.
    layout : str
        The CTDC layout of the data (picks the default quasi-identifiers).
    max_suppression : float
        Share of records that may be suppressed before generalising further (0-1).

    Attributes
    ----------
    levels_ : dict
        Ladder step reached per quasi-identifier (0 = as recorded).
    suppressed_ : int
        Records dropped because their class stayed smaller than ``k``.
    information_loss_ : dict
        Figures for the report (see :meth:`fit_transform`).
    """

    def __init__(self, *, k: int = 11, quasi_identifiers: list[str] | None = None,
                 layout: str = "ctdc-2024", max_suppression: float = 0.05):
        self.k = k
        self.quasi_identifiers = quasi_identifiers
        self.layout = layout
        self.max_suppression = max_suppression

    def _validate(self, frame: pd.DataFrame) -> tuple[list[str], dict[str, list]]:
        if isinstance(self.k, bool) or not isinstance(self.k, (int, np.integer)) or self.k < 2:
            raise ParameterError(f"k must be a whole number of at least 2, not {self.k!r}")
        if not 0 <= self.max_suppression <= 1:
            raise ParameterError("max_suppression must be between 0 and 1")
        config = load_anonymisation()
        qis = list(self.quasi_identifiers or config["quasi_identifiers"][self.layout])
        unknown = [q for q in qis if q not in frame.columns]
        if unknown:
            raise ParameterError(f"quasi-identifier(s) not in the data: {', '.join(unknown)}")
        no_ladder = [q for q in qis if q not in config["hierarchies"]]
        if no_ladder:
            raise ParameterError(f"no generalisation ladder for: {', '.join(no_ladder)}")
        return qis, {q: config["hierarchies"][q] for q in qis}

    def fit_transform(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Return the k-anonymous release of ``frame`` (QI columns generalised, rows dropped).

        The input is not modified. Row order of the survivors is kept.
        """
        qis, ladders = self._validate(frame)
        n = len(frame)
        current = frame.copy()
        levels = {q: 0 for q in qis}
        budget = self.max_suppression * n
        while True:
            sizes = class_sizes(current, qis)
            small = int((sizes < self.k).sum())
            if small <= budget:
                break
            candidates = [q for q in qis if levels[q] < len(ladders[q])]
            if not candidates:
                break
            # Datafly: generalise the attribute with the most distinct values first
            target = max(candidates, key=lambda q: current[q].nunique())
            current[target] = generalise(current[target], ladders[target][levels[target]])
            levels[target] += 1
        keep = sizes >= self.k
        released = current.loc[keep].copy()
        self.quasi_identifiers_ = qis
        self.levels_ = levels
        self.suppressed_ = int(n - keep.sum())
        self.information_loss_ = self._information_loss(frame, released, qis, ladders, n)
        return released

    def transform(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Generalise ``frame`` to the levels found by :meth:`fit_transform` (no suppression).

        Used to put real records in the release's coding: for utility figures and for the
        attacker's view in the risk report.
        """
        config = load_anonymisation()["hierarchies"]
        out = frame.copy()
        for q, level in self.levels_.items():
            for step in config[q][:level]:
                out[q] = generalise(out[q], step)
        return out

    def _information_loss(self, original: pd.DataFrame, released: pd.DataFrame,
                          qis: list[str], ladders: dict[str, list], n: int) -> dict[str, Any]:
        classes = (int(released.groupby(qis, sort=False, dropna=False).ngroups)
                   if len(released) else 0)
        per_qi = {}
        for q in qis:
            steps = ladders[q]
            level = self.levels_[q]
            per_qi[q] = {
                "level": level,
                "max_level": len(steps),
                "generalised_to": "as recorded" if level == 0 else _describe(steps[level - 1]),
                "distinct_values_before": int(original[q].nunique()),
                "distinct_values_after": int(released[q].nunique()) if len(released) else 0,
            }
        precision = 1.0 - float(np.mean([self.levels_[q] / len(ladders[q]) for q in qis]))
        return {
            "records_suppressed": self.suppressed_,
            "suppressed_share": self.suppressed_ / n if n else 0.0,
            "equivalence_classes": classes,
            "average_class_size": (len(released) / classes) if classes else 0.0,
            "smallest_class": int(class_sizes(released, qis).min()) if len(released) else 0,
            "precision": precision,
            "per_quasi_identifier": per_qi,
        }


def _describe(step: dict[str, Any]) -> str:
    rule = step["rule"]
    if rule == "year_band":
        return f"{step['width']}-year bands"
    if rule == "m49":
        return "UN M49 " + ("sub-region" if step["level"] == "m49_subregion" else "region")
    if rule == "map":
        return "coarser bands: " + ", ".join(sorted(set(step["values"].values())))
    return "suppressed value (*)"
