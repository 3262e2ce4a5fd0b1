"""Assemble the dashboard: filter, count, protect, draw. No HTTP here, so it is testable."""

from __future__ import annotations

import csv
import dataclasses
import functools
from dataclasses import dataclass, field
from importlib import resources

import pandas as pd
from django.utils.translation import gettext as _

from harborlight.insights import charts, maps
from harborlight.insights.aggregate import (ChartData, Filters, SmallCellProtector, compute,
                                            dashboard_spec, dashboard_words, from_counts,
                                            reader_language, shares, state_name, us_states)
from harborlight.vocab import words


@functools.cache
def countries() -> tuple[dict[str, str], dict[str, str]]:
    """(ISO-3 -> name, ISO-3 -> ISO numeric as in the map data), from the sharing engine's
    UN M49 table, the one country table Harborlight ships."""
    path = resources.files("harborlight.sharing").joinpath("data", "m49_regions.csv")
    names, numeric = {}, {}
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            names[row["iso3"]] = row["name"]
            if row["m49_code"].isdigit():  # Kosovo (XKX) has no ISO numeric code
                numeric[row["iso3"]] = f"{int(row['m49_code']):03d}"
    return names, numeric


def country_words(code: str) -> str:
    """A country's name in the reader's language (vocab/countries.json), else the M49
    table's English name (Kosovo), else the code."""
    name = words.country_name(code)
    return countries()[0].get(code, code) if name == code else name


def country_names() -> dict[str, str]:
    """ISO-3 -> the country's name in the reader's language."""
    return {code: country_words(code) for code in countries()[0]}


def _in_language(shapes: tuple[maps.Shape, ...], names: dict[str, str]
                 ) -> tuple[maps.Shape, ...]:
    """The map's shapes named in the reader's language (the map files name them in
    English, some abbreviated: "Falkland Is.")."""
    if reader_language() == "en":
        return shapes
    return tuple(dataclasses.replace(shape, name=names.get(shape.id, shape.name))
                 for shape in shapes)


def world_shapes() -> tuple[maps.Shape, ...]:
    by_numeric = {number: country_words(code) for code, number in countries()[1].items()}
    return _in_language(maps.world_shapes(), by_numeric)


def us_shapes() -> tuple[maps.Shape, ...]:
    return _in_language(maps.us_shapes(), {row["fips"]: state_name(row)
                                           for row in us_states().values()})


@dataclass
class RenderedChart:
    id: str
    title: str
    kind: str
    data: ChartData
    svg: str = ""
    compared: bool = False
    comparison: list[charts.Cell] = field(default_factory=list)

    @property
    def title_in_sentence(self) -> str:
        """The title inside a sentence ("Data for means of control"): its first letter in
        lower case, unless it starts with an acronym ("US state...", "EE. UU.")."""
        first = self.title.split(" ")[0]
        if len(first) > 1 and (first[1].isupper() or "." in first):
            return self.title
        return self.title[:1].lower() + self.title[1:]

    @property
    def is_matrix(self) -> bool:
        return self.kind == "flows"

    @property
    def table_rows(self) -> list[list[str]]:
        """The chart's figures as table rows (the accessible twin of the SVG)."""
        if not self.compared:
            return [[c.label, c.display] for c in self.data.cells]
        global_share = {c.label: c.display for c in self.comparison}
        return [[c.label, c.display, s.display, global_share.get(c.label, "")]
                for c, s in zip(self.data.cells, shares(self.data.cells))]

    @property
    def column_names(self) -> list[str]:
        return [country_words(code) for code in self.data.columns]

    @property
    def rows_and_cells(self) -> list[tuple[str, list[dict[str, str]]]]:
        """Flow matrix rows with a shading class per cell, named by country."""
        peak = max((c.value or 0 for row in self.data.matrix for c in row), default=0)
        return [(country_words(row), [{"display": c.display, "css": _heat(c, peak)}
                                       for c in cells])
                for row, cells in zip(self.data.rows, self.data.matrix)]


def build(own: pd.DataFrame, filters: Filters, protect: SmallCellProtector,
          comparison: pd.DataFrame | None = None, only: str | None = None,
          released: dict | None = None) -> list[RenderedChart]:
    """Every chart of dashboard.json (or only the one named), for the filtered records;
    from ``released`` counts per chart id instead when given (a noisy release)."""
    names, numeric = country_names(), countries()[1]
    own = filters.apply(own)
    other = filters.apply(comparison) if comparison is not None else None
    rendered = []
    for spec in dashboard_spec()["charts"]:
        if only is not None and spec["id"] != only:
            continue
        data = (from_counts(spec, released[spec["id"]], protect, names, numeric)
                if released is not None else compute(spec, own, protect, names, numeric))
        chart = RenderedChart(spec["id"], dashboard_words(spec["title"]), spec["kind"], data)
        if other is not None and spec["kind"] in ("flags", "category"):
            global_data = compute(spec, other, SmallCellProtector(protect.k, exact=False),
                                  names, numeric)
            chart.comparison = shares(global_data.cells)
            chart.compared = True
        chart.svg = draw(chart)
        rendered.append(chart)
    return rendered


def _heat(cell: charts.Cell, peak: int) -> str:
    if cell.value is None:
        return "heat-suppressed"
    if not cell.value or not peak:
        return "heat-0"
    return f"heat-{1 + min(4, int(5 * cell.value / (peak + 1)))}"


def draw(chart: RenderedChart) -> str:
    kind, data = chart.kind, chart.data
    if kind == "columns":
        return charts.column_chart(chart.id, chart.title, data.cells)
    if kind in ("flags", "category"):
        if chart.compared:
            return charts.bar_chart(chart.id, chart.title, shares(data.cells), chart.comparison,
                                    _("Lower bars: share in the global CTDC data"))
        return charts.bar_chart(chart.id, chart.title, data.cells)
    if kind == "world":
        return charts.choropleth(chart.id, chart.title, world_shapes(), data.by_shape, True)
    if kind == "us":
        return charts.choropleth(chart.id, chart.title, us_shapes(), data.by_shape, False)
    if kind == "flows":
        if not data.rows:
            return ""  # nothing to draw; the page says so
        return charts.heatmap(chart.id, chart.title, [row for row, _ in chart.rows_and_cells],
                              chart.column_names, data.matrix)
    raise ValueError(f"no drawing for chart kind {kind!r}")
