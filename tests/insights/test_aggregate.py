"""Counting and small-cell protection over a CTDC v2024 table."""

from __future__ import annotations

import pandas as pd
import pytest

from harborlight.insights.aggregate import (Filters, SmallCellProtector, compute,
                                            dashboard_spec, shares)
from harborlight.insights.charts import Cell
from harborlight.sharing.datafiles import load_layout

COLUMNS = list(load_layout("ctdc-2024").names) + ["exploitationState"]


def table(rows: list[dict]) -> pd.DataFrame:
    return pd.DataFrame([{c: row.get(c, "") for c in COLUMNS} for row in rows], dtype=str)


def spec(chart_id: str) -> dict:
    return next(c for c in dashboard_spec()["charts"] if c["id"] == chart_id)


@pytest.mark.parametrize("count, exact, shown", [(0, False, "0"), (1, False, "<11"),
                                                 (10, False, "<11"), (11, False, "11"),
                                                 (3, True, "3"), (1234, False, "1,234")])
def test_it_hides_small_counts_unless_exact(count, exact, shown):
    cell = SmallCellProtector(k=11, exact=exact).cell("x", count)
    assert cell.display == shown
    assert (cell.value is None) == (shown == "<11")


def test_it_counts_flags_per_type_of_exploitation():
    frame = table([{"isForcedLabour": "1"}] * 12 + [{"isSexualExploit": "1"}] * 3)
    cells = compute(spec("exploitation"), frame, SmallCellProtector()).cells
    assert [(c.label, c.display) for c in cells] == [
        ("Forced labour", "12"), ("Sexual exploitation", "<11"), ("Other exploitation", "0")]


def test_it_orders_age_bands_numerically_and_skips_missing():
    frame = table([{"ageBroad": "18--20"}] * 20 + [{"ageBroad": "9--17"}] * 15 +
                  [{"ageBroad": ""}] * 40)
    cells = compute(spec("age"), frame, SmallCellProtector()).cells
    assert [c.label for c in cells] == ["9–17", "18–20"], "ranges read as ranges, not 9--17"


def test_it_says_coded_categories_in_words():
    frame = table([{"gender": "Trans/Transgender/NonConforming"}] * 12)
    cells = compute(spec("gender"), frame, SmallCellProtector()).cells
    assert [c.label for c in cells] == ["Trans, transgender or gender non-conforming"]


def test_it_filters_by_year_gender_age_and_type():
    frame = table([{"yearOfRegistration": "2020", "gender": "Woman", "ageBroad": "9--17",
                    "isSexualExploit": "1"},
                   {"yearOfRegistration": "2021", "gender": "Woman", "ageBroad": "9--17"},
                   {"yearOfRegistration": "2020", "gender": "Man", "ageBroad": "9--17",
                    "isSexualExploit": "1"}])
    kept = Filters(year_from=2020, year_to=2020, gender="Woman", age="9--17",
                   exploitation="isSexualExploit").apply(frame)
    assert len(kept) == 1 and kept.iloc[0]["gender"] == "Woman"


def test_it_builds_a_protected_flow_matrix():
    frame = table([{"citizenship": "MDA", "CountryOfExploitation": "TUR"}] * 30 +
                  [{"citizenship": "MDA", "CountryOfExploitation": "RUS"}] * 4 +
                  [{"citizenship": "UKR", "CountryOfExploitation": "RUS"}] * 12)
    data = compute(spec("flows"), frame, SmallCellProtector())
    # Most frequent first: MDA (34) before UKR (12), TUR (30) before RUS (16).
    assert data.rows == ["MDA", "UKR"] and data.columns == ["TUR", "RUS"]
    assert [[c.display for c in row] for row in data.matrix] == [["30", "<11"], ["0", "12"]]
    assert data.csv_rows()[1] == ["MDA", "30", "<11"]


def test_it_places_us_states_by_code_or_name():
    frame = table([{"exploitationState": "TX"}] * 12 + [{"exploitationState": "CALIFORNIA"}]
                  * 11 + [{"exploitationState": "Atlantis"}] * 50)
    data = compute(spec("us"), frame, SmallCellProtector())
    assert {fips: cell.display for fips, cell in data.by_shape.items()} == \
        {"48": "12", "06": "11"}


def test_it_turns_counts_into_shares_keeping_suppression():
    result = shares([Cell("a", 30, "30"), Cell("b", 10, "10"), Cell("c", None, "<11")])
    assert [c.display for c in result] == ["75.0%", "25.0%", "<11"]
