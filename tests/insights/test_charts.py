"""Charts are self-contained, accessible SVG with protected values."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from harborlight.insights.charts import Cell, bar_chart, choropleth, column_chart
from harborlight.insights.maps import Shape

SVG = "{http://www.w3.org/2000/svg}"


def test_it_titles_and_describes_every_chart_for_screen_readers():
    svg = ET.fromstring(bar_chart("g", "Gender", [Cell("Woman", 40, "40"),
                                                  Cell("Man", None, "<11")]))
    assert svg.get("role") == "img"
    assert svg.find(f"{SVG}title").text == "Gender"
    assert svg.find(f"{SVG}desc").text == "Woman: 40; Man: <11"


def test_it_draws_suppressed_cells_hatched_and_never_their_value():
    markup = column_chart("t", "Over time", [Cell("2024", None, "<11"), Cell("2025", 30, "30")])
    assert 'fill="url(#suppressed)"' in markup and "&lt;11" in markup


def test_it_escapes_labels():
    markup = bar_chart("x", "<b>Title</b>", [Cell("<script>alert(1)</script>", 5, "5")])
    assert "<script>" not in markup and "&lt;script&gt;" in markup
    ET.fromstring(markup)  # still well-formed XML


def test_it_shades_map_shapes_by_count_and_names_them():
    shapes = [Shape("840", "United States", "M0,0L1,0L1,1Z"),
              Shape("484", "Mexico", "M2,2L3,2L3,3Z"), Shape("124", "Canada", "M4,4L5,4Z")]
    markup = choropleth("w", "World", shapes, {"840": Cell("United States", 900, "900"),
                                               "484": Cell("Mexico", None, "<11")}, True)
    svg = ET.fromstring(markup)
    titles = [p.find(f"{SVG}title").text for p in svg.iter(f"{SVG}path")]
    assert titles == ["United States: 900", "Mexico: <11", "Canada: no records"]
