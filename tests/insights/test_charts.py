"""Charts are self-contained, accessible SVG with protected values."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from harborlight.insights.charts import (Cell, bar_chart, choropleth, column_chart, heatmap,
                                        scale_ranges)
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


def test_it_gives_a_map_a_title_and_a_legend_of_the_shades_in_use():
    shapes = [Shape("48", "Texas", "M0,0L1,0L1,1Z"), Shape("06", "California", "M2,2L3,2Z")]
    svg = ET.fromstring(choropleth("us", "US state", shapes,
                                   {"48": Cell("Texas", 120, "120"),
                                    "06": Cell("California", None, "<11")}, False))
    texts = [t.text for t in svg.iter(f"{SVG}text")]
    assert texts[0] == "US state"
    assert "fewer than 11 (hidden)" in texts and "no records" in texts
    assert any("–120" in (t or "") for t in texts)


def test_it_says_so_when_every_count_on_a_map_is_hidden():
    shapes = [Shape("48", "Texas", "M0,0L1,0L1,1Z")]
    markup = choropleth("us", "US state", shapes, {"48": Cell("Texas", None, "<11")}, False)
    assert "Every count here is below 11, so none is shown" in markup


def test_it_covers_every_count_with_one_legend_shade():
    for peak in (1, 2, 11, 12, 250, 9000):
        ranges = scale_ranges(peak)
        assert ranges[0][1] == 1 and ranges[-1][2] == peak
        for (_, _, high), (_, low, _) in zip(ranges, ranges[1:]):
            assert low == high + 1, f"a gap or overlap in the legend for peak {peak}"


def test_it_keeps_heatmap_labels_inside_the_drawing():
    long_name = "Democratic Republic of the Congo and its neighbours"
    markup = heatmap("f", "Flows", [long_name], ["Bosnia and Herzegovina", long_name],
                     [[Cell("a", 12, "12"), Cell("b", 0, "0")]])
    svg = ET.fromstring(markup)
    width = float(svg.get("viewBox").split()[2])
    shown = [t for t in svg.iter(f"{SVG}text") if t.get("text-anchor") == "end"]
    for text in shown:
        label = "".join(text.itertext())
        assert "…" in label or long_name not in label, "long names are cut to fit"
        assert float(text.get("x")) <= width
    assert markup.count(f"<title>{long_name}</title>") == 2, "the full name stays readable"
