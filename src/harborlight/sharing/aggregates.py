"""Noisy count tables and small-cell protection, for dashboards and reports.

``dp_counts`` releases a count per cell of the group-by fields with OpenDP's discrete
Laplace mechanism. Each record falls in exactly one cell, so the L1 sensitivity of the
whole table is 1 and one table costs ``epsilon``. The cells come from the *public*
domain of the fields (the CTDC layout's codes, all ISO-3 codes, the layout's years, or a
domain the caller declares), never from the data: otherwise which cells exist would
itself disclose someone.

``protect_small_cells`` is for exact tables shown to people who may not see exact small
figures: a count below ``k`` (but above 0) is shown as ``"<k"``.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import pandas as pd

from harborlight.sharing.dp import check_privacy_parameters
from harborlight.sharing.encoding import Encoding
from harborlight.sharing.errors import ParameterError
from harborlight.sharing.ledger import load_opendp


def _domains(fields: Sequence[str], layout: str,
             domains: Mapping[str, Sequence[str]] | None) -> dict[str, tuple[str, ...]]:
    declared = dict(domains or {})
    out: dict[str, tuple[str, ...]] = {}
    for field in fields:
        if field in declared:
            out[field] = ("",) + tuple(v for v in declared[field] if v != "")
            continue
        try:
            out[field] = Encoding.for_layout(layout, [field]).domains[field]
        except KeyError:
            raise ParameterError(f"{field} is not a column of {layout}; declare its values "
                                 "in domains= (a domain must not come from the data)")
    return out


def _exact(frame: pd.DataFrame, fields: list[str], dom: dict[str, tuple[str, ...]]
           ) -> pd.DataFrame:
    cells = pd.DataFrame(list(itertools.product(*(dom[f] for f in fields))), columns=fields)
    counts = frame.groupby(fields, dropna=False).size().rename("count").reset_index()
    table = cells.merge(counts, on=fields, how="left")
    outside = len(frame) - int(table["count"].fillna(0).sum())
    if outside:
        raise ParameterError(f"{outside} record(s) have values outside the declared domain "
                             f"of {', '.join(fields)}")
    table["count"] = table["count"].fillna(0).astype(int)
    return table


def _as_frame(records: Iterable[Mapping[str, Any]] | pd.DataFrame, fields: list[str]
              ) -> pd.DataFrame:
    frame = records if isinstance(records, pd.DataFrame) else pd.DataFrame(list(records))
    missing = [f for f in fields if f not in frame.columns]
    if missing and len(frame):
        raise ParameterError(f"group-by field(s) not in the records: {', '.join(missing)}")
    for f in fields:
        if f not in frame.columns:
            frame[f] = ""
    return frame[fields].fillna("").astype(str)


def dp_counts(records: Iterable[Mapping[str, Any]] | pd.DataFrame, group_by: Sequence[str], *,
              epsilon: float, layout: str = "ctdc-2024",
              domains: Mapping[str, Sequence[str]] | None = None,
              drop_missing: bool = True) -> pd.DataFrame:
    """Differentially private counts of ``records`` per combination of ``group_by``.

    Parameters
    ----------
    records : iterable of dict or DataFrame
        Records in a CTDC layout (text values; empty = missing).
    group_by : sequence of str
        Fields to count by (at most 3, to keep tables readable and domains bounded).
    epsilon : float
        Privacy budget for this table (discrete Laplace, scale 1/epsilon).
    layout : str
        CTDC layout giving the public domain of the fields.
    domains : mapping, optional
        Declared values for fields outside the layout.
    drop_missing : bool
        Leave out cells where a field is missing.

    Returns
    -------
    DataFrame
        One row per cell: the group-by fields, ``count`` (noisy, clamped at 0) and an
        ``epsilon`` attribute in ``.attrs`` with the budget actually spent.
    """
    eps, _ = check_privacy_parameters(epsilon, 1e-9)
    dp = load_opendp()
    fields = list(group_by)
    if not 1 <= len(fields) <= 3 or len(set(fields)) != len(fields):
        raise ParameterError("group by 1 to 3 distinct fields")
    dom = _domains(fields, layout, domains)
    table = _exact(_as_frame(records, fields), fields, dom)
    measurement = dp.m.make_laplace(dp.vector_domain(dp.atom_domain(T=int)),
                                    dp.l1_distance(T=int), scale=1.0 / eps)
    table["count"] = [max(0, int(v)) for v in measurement(table["count"].tolist())]
    if drop_missing:
        present = (table[fields] != "").all(axis=1)
        table = table[present].reset_index(drop=True)
    table.attrs.update({"epsilon": float(measurement.map(1)), "mechanism":
                        "discrete Laplace (OpenDP), L1 sensitivity 1"})
    return table


def protect_small_cells(table: pd.DataFrame, *, k: int = 11, count_column: str = "count",
                        exact_allowed: bool = False) -> pd.DataFrame:
    """Add a ``display`` column: the count, or ``"<k"`` for counts in 1..k-1.

    ``exact_allowed`` is the caller's permission decision (made in ``security``, not here):
    when true the exact figure is displayed.
    """
    if isinstance(k, bool) or not isinstance(k, int) or k < 2:
        raise ParameterError(f"k must be a whole number of at least 2, not {k!r}")
    out = table.copy()
    counts = out[count_column].astype(int)
    if exact_allowed:
        out["display"] = counts.astype(str)
    else:
        small = (counts > 0) & (counts < k)
        out["display"] = counts.astype(str).where(~small, f"<{k}")
    return out
