"""Utility figures on tables small enough to count by hand."""

from __future__ import annotations

import pandas as pd
import pytest

from harborlight.sharing.evaluation import compare

REAL = pd.DataFrame({"a": ["x", "x", "y", ""], "b": ["1", "", "1", "1"]})


def test_it_finds_nothing_lost_or_made_on_an_identical_release():
    result = compare(REAL, REAL.copy(), max_length=2)
    for figures in result["by_length"].values():
        assert figures["mae"] == 0
        assert figures["suppressed_share"] == figures["fabricated_share"] == 0


def test_it_counts_suppressed_and_fabricated_combinations():
    # real 1-way: a=x (2), a=y (1), b=1 (3); 2-way: (x,1) 1, (y,1) 1
    released = pd.DataFrame({"a": ["x", "z", "x"], "b": ["1", "1", "1"]})
    # released 1-way: a=x 2, a=z 1, b=1 3; 2-way: (x,1) 2, (z,1) 1
    result = compare(REAL, released, max_length=2)
    one, two = result["by_length"]["1"], result["by_length"]["2"]
    assert one["real_combinations"] == 3 and one["released_combinations"] == 3
    assert one["suppressed_share"] == pytest.approx(1 / 3)  # a=y
    assert one["fabricated_share"] == pytest.approx(1 / 3)  # a=z
    # cells x:0, y:1, z:1, b1:0 -> MAE 2/4
    assert one["mae"] == pytest.approx(0.5)
    assert two["suppressed_share"] == pytest.approx(1 / 2)  # (y,1)
    assert two["fabricated_share"] == pytest.approx(1 / 2)  # (z,1)
    # cells (x,1): |1-2|, (y,1): 1, (z,1): 1 -> 3/3
    assert two["mae"] == pytest.approx(1.0)
    assert two["fabricated_record_share"] == pytest.approx(1 / 3)
    assert result["suppressed_share"] == two["suppressed_share"]


def test_it_says_when_column_triples_were_sampled():
    wide = pd.DataFrame({f"c{i}": ["1", "", "1"] for i in range(8)})  # 56 triples
    result = compare(wide, wide, max_length=3, max_triples=10)
    assert result["by_length"]["3"]["column_sets"] == 10
    assert result["by_length"]["3"]["column_sets_sampled"] is True


def test_it_reports_shares_at_the_reporting_resolution_and_at_every_weight():
    from harborlight.sharing.evaluation import reporting

    real = pd.DataFrame({"a": ["x"] * 30 + ["y"] * 3 + [""] * 7,
                         "b": ["1"] * 25 + [""] * 15})
    # released at half the size: a=x 10 (20 scaled), a=z 10 (20 scaled), b=1 5 (10 scaled)
    released = pd.DataFrame({"a": ["x"] * 10 + ["z"] * 10, "b": ["1"] * 5 + [""] * 15})
    shown = reporting(real, released, ["a", "b"], resolution=20)
    # real at >= 20: a=x (30), b=1 (25), (x, 1) (25): none missing
    assert shown["real_combinations_at_resolution"] == 3
    assert shown["suppressed_share"] == 0
    # released at >= 20 once scaled: a=x, a=z: z is not in the real data
    assert shown["released_combinations_at_resolution"] == 2
    assert shown["fabricated_share"] == pytest.approx(1 / 2)
    # every weight: real a=x, a=y, b=1, (x,1); a=y is lost
    assert shown["suppressed_share_every_weight"] == pytest.approx(1 / 4)
    assert shown["suppressed_record_share"] == pytest.approx(3 / (30 + 3 + 25 + 25))


def test_it_counts_released_records_that_copy_a_unique_record():
    from harborlight.sharing.evaluation import unique_copies

    real = pd.DataFrame({"a": ["x", "x", "y", "z"], "b": ["1", "1", "1", "2"]})
    released = pd.DataFrame({"a": ["x", "y", "y", "w"], "b": ["1", "1", "2", "2"]})
    # (y, 1) is unique in the real data; (x, 1) is not
    assert unique_copies(real, released) == pytest.approx(1 / 4)
