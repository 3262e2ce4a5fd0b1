"""Counts for the dashboard, protected before anyone sees them.

Input is a table in the CTDC v2024 layout (one row per victim record; flags are "1" or
empty), built from the organisation's own cases or from the public CTDC release. The
charts to compute are data (``data/dashboard.json``). Every count passes through a
:class:`SmallCellProtector`: below ``k`` it shows as "<k" unless the viewer may see exact
figures (the ``insights.exact`` permission).
"""

from __future__ import annotations

import csv
import functools
import json
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

import pandas as pd
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from harborlight.insights.charts import Cell

DEFAULT_MIN_CELL = 11  # CTDC's k for its k-anonymised release


@functools.cache
def dashboard_spec() -> dict[str, Any]:
    text = resources.files("harborlight.insights").joinpath("data", "dashboard.json")\
        .read_text(encoding="utf-8")
    spec = json.loads(text)
    ids = [chart["id"] for chart in spec["charts"]]
    if len(ids) != len(set(ids)):
        raise ValueError("dashboard.json: chart ids must be unique")
    for chart in spec["charts"]:
        if chart["kind"] not in {"columns", "flags", "category", "flows", "world", "us"}:
            raise ValueError(f"dashboard.json: chart {chart['id']} has unknown kind "
                             f"{chart['kind']!r}")
    return spec


@functools.cache
def us_states() -> dict[str, dict[str, str]]:
    """USPS code and full name (upper-cased) -> {"fips", "usps", "name"}."""
    text = resources.files("harborlight.insights").joinpath("data", "us_states.csv")\
        .read_text(encoding="utf-8")
    table = {}
    for row in csv.DictReader(text.splitlines()):
        table[row["usps"].upper()] = row
        table[row["name"].upper()] = row
    return table


@dataclass(frozen=True)
class SmallCellProtector:
    """Turn raw counts into displayable cells; hide counts in 1..k-1 unless exact."""

    k: int = DEFAULT_MIN_CELL
    exact: bool = False

    def cell(self, label: str, count: int) -> Cell:
        count = int(count)
        if not self.exact and 0 < count < self.k:
            return Cell(label, None, f"<{self.k}")
        return Cell(label, count, f"{count:,}")


@dataclass
class Filters:
    year_from: int | None = None
    year_to: int | None = None
    gender: str = ""
    age: str = ""
    exploitation: str = ""

    def apply(self, frame: pd.DataFrame) -> pd.DataFrame:
        if frame.empty:
            return frame
        keep = pd.Series(True, index=frame.index)
        years = pd.to_numeric(frame["yearOfRegistration"], errors="coerce")
        if self.year_from is not None:
            keep &= years >= self.year_from
        if self.year_to is not None:
            keep &= years <= self.year_to
        if self.gender:
            keep &= frame["gender"] == self.gender
        if self.age:
            keep &= frame["ageBroad"] == self.age
        if self.exploitation:
            keep &= frame[self.exploitation] == "1"
        return frame[keep]


@dataclass
class ChartData:
    """What one chart shows: cells (or a matrix for flows) and its CSV rows."""

    spec: dict[str, Any]
    cells: list[Cell] = field(default_factory=list)
    rows: list[str] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)
    matrix: list[list[Cell]] = field(default_factory=list)
    by_shape: dict[str, Cell] = field(default_factory=dict)

    def csv_rows(self) -> list[list[str]]:
        if self.spec["kind"] == "flows":
            header = [f"{self.spec['from']} \\ {self.spec['to']}", *self.columns]
            return [header] + [[row, *(c.display for c in cells)]
                               for row, cells in zip(self.rows, self.matrix)]
        return [["label", "count"]] + [[c.label, c.display] for c in self.cells]


def _present(series: pd.Series) -> pd.Series:
    return series[series.astype(str).str.strip() != ""]


def exact_counts(spec: dict[str, Any], frame: pd.DataFrame) -> dict[str, Any]:
    """The true counts one chart of ``dashboard.json`` shows, before any protection, as
    JSON-ready data: ``{"counts": [[value, n], ...]}`` (a flags chart: one per column;
    the others: per value present, most frequent first) or, for flows, ``{"rows": [...],
    "columns": [...], "cells": [[from, to, n], ...]}``. A noisy release
    (:mod:`harborlight.insights.noisy`) has the same shape, so both are shown by
    :func:`from_counts`."""
    kind = spec["kind"]
    if kind == "flags":
        return {"counts": [[column, int((frame[column] == "1").sum()) if column in frame
                            else 0] for column in spec["columns"]]}
    if kind == "flows":
        pairs = frame[[spec["from"], spec["to"]]]
        pairs = pairs[(pairs[spec["from"]] != "") & (pairs[spec["to"]] != "")]
        top = spec.get("top", 8)
        rows = list(pairs[spec["from"]].value_counts().index[:top])
        columns = list(pairs[spec["to"]].value_counts().index[:top])
        table = pd.crosstab(pairs[spec["from"]], pairs[spec["to"]])
        return {"rows": rows, "columns": columns,
                "cells": [[r, c, int(table.at[r, c])] for r in rows for c in columns
                          if r in table.index and c in table.columns]}
    counts = _present(frame.get(spec["column"], pd.Series(dtype=str))).value_counts()
    return {"counts": [[value, int(n)] for value, n in counts.items()]}


def from_counts(spec: dict[str, Any], counts: dict[str, Any], protect: SmallCellProtector,
                country_names: dict[str, str] | None = None,
                numeric_ids: dict[str, str] | None = None) -> ChartData:
    """One chart's cells from its counts (exact or noisy), each through ``protect``."""
    kind, data = spec["kind"], ChartData(spec)
    names = country_names or {}
    if kind == "flows":
        cells = {(r, c): n for r, c, n in counts["cells"]}
        data.rows, data.columns = list(counts["rows"]), list(counts["columns"])
        data.matrix = [[protect.cell(_("%(origin)s to %(destination)s") % {
                                         "origin": names.get(r, r),
                                         "destination": names.get(c, c)},
                                     cells.get((r, c), 0))
                        for c in data.columns] for r in data.rows]
        return data
    pairs = [(value, n) for value, n in counts["counts"]]
    if kind == "flags":
        found = dict(pairs)
        data.cells = [protect.cell(dashboard_words(label), found.get(column, 0))
                      for column, label in spec["columns"].items()]
    elif kind in ("category", "columns"):
        found = dict(pairs)
        data.cells = [protect.cell(category_label(value), found[value])
                      for value in sorted(found, key=_sort_key)]
    elif kind == "world":
        for iso3, count in pairs:
            numeric = (numeric_ids or {}).get(str(iso3))
            if numeric:
                data.by_shape[numeric] = protect.cell(names.get(iso3, iso3), count)
        data.cells = [protect.cell(names.get(iso3, iso3), n) for iso3, n in pairs]
    elif kind == "us":
        states = us_states()
        for state, count in pairs:
            row = states.get(str(state).strip().upper())
            if row:
                data.by_shape[row["fips"]] = protect.cell(state_name(row), count)
        data.cells = sorted(data.by_shape.values(), key=lambda c: c.label)
    return data


def compute(spec: dict[str, Any], frame: pd.DataFrame, protect: SmallCellProtector,
            country_names: dict[str, str] | None = None,
            numeric_ids: dict[str, str] | None = None) -> ChartData:
    """Counts for one chart of ``dashboard.json`` over ``frame``, already protected."""
    return from_counts(spec, exact_counts(spec, frame), protect, country_names, numeric_ids)


def category_label(value: Any) -> str:
    """A category as people read it: CTDC writes ranges with two hyphens ("9--17") and
    some values as codes (dashboard.json's ``category_labels`` says them in words)."""
    text = str(value)
    return dashboard_words(dashboard_spec().get("category_labels", {})
                           .get(text, text.replace("--", "–")))


def reader_language() -> str:
    return (get_language() or "en").split("-")[0]


def dashboard_words(text: str) -> str:
    """A chart's title or label in the reader's language: dashboard.json holds the
    Spanish beside the English (``words_es``); other words read as they are."""
    if reader_language() == "en":
        return text
    return dashboard_spec().get(f"words_{reader_language()}", {}).get(text, text)


def state_name(row: dict[str, str]) -> str:
    """A US state's name in the reader's language (us_states.csv has ``name_es``)."""
    return row.get(f"name_{reader_language()}") or row["name"]


def _sort_key(label: Any) -> tuple:
    text = str(label)
    digits = "".join(ch for ch in text.split("-")[0] if ch.isdigit())
    return (0, int(digits), text) if digits else (1, 0, text)


def shares(cells: list[Cell]) -> list[Cell]:
    """Each cell as a share of the total, for comparing populations of different sizes."""
    total = sum(c.value or 0 for c in cells)
    result = []
    for cell in cells:
        if cell.value is None or total == 0:
            result.append(Cell(cell.label, None, cell.display))
        else:
            result.append(Cell(cell.label, round(1000 * cell.value / total),
                               f"{100 * cell.value / total:.1f}%"))
    return result
