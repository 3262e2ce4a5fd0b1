"""Noisy count tables and small-cell protection."""

from __future__ import annotations

import pandas as pd
import pytest

from harborlight.sharing import ParameterError, dp_counts, protect_small_cells


def test_it_counts_over_the_public_domain_not_the_data(ctdc_2024_frame):
    table = dp_counts(ctdc_2024_frame, ["gender", "isSexualExploit"], epsilon=1.0)
    # every gender code x the flag's one code, including cells nobody is in
    assert set(table["gender"]) == {"Woman", "Man", "Trans/Transgender/NonConforming"}
    assert len(table) == 3
    assert (table["count"] >= 0).all()
    assert table.attrs["epsilon"] == pytest.approx(1.0)


def test_it_stays_close_to_the_truth_at_a_large_epsilon(ctdc_2024_frame):
    table = dp_counts(ctdc_2024_frame, ["gender"], epsilon=10.0).set_index("gender")["count"]
    truth = ctdc_2024_frame["gender"].value_counts()
    for gender in ("Woman", "Man"):
        assert abs(int(table[gender]) - int(truth[gender])) <= 5


def test_it_takes_dicts_and_declared_domains():
    records = [{"status": "open"}] * 30 + [{"status": "closed"}] * 2
    table = dp_counts(records, ["status"], epsilon=5.0,
                      domains={"status": ["open", "closed", "archived"]})
    assert list(table["status"]) == ["open", "closed", "archived"]


def test_it_refuses_fields_without_a_public_domain():
    with pytest.raises(ParameterError, match="declare its values"):
        dp_counts([{"status": "open"}], ["status"], epsilon=1.0)


def test_it_refuses_values_outside_the_declared_domain():
    with pytest.raises(ParameterError, match="outside the declared domain"):
        dp_counts([{"status": "lost"}], ["status"], epsilon=1.0, domains={"status": ["open"]})


@pytest.mark.parametrize("epsilon", [0, -2, float("nan")])
def test_it_refuses_nonsense_epsilon(ctdc_2024_frame, epsilon):
    with pytest.raises(ParameterError, match="epsilon"):
        dp_counts(ctdc_2024_frame, ["gender"], epsilon=epsilon)


def test_it_hides_small_cells_unless_exact_figures_are_allowed():
    table = pd.DataFrame({"country": ["A", "B", "C"], "count": [0, 4, 11]})
    shown = protect_small_cells(table, k=11)
    assert list(shown["display"]) == ["0", "<11", "11"]
    exact = protect_small_cells(table, k=11, exact_allowed=True)
    assert list(exact["display"]) == ["0", "4", "11"]


def test_it_names_the_missing_extra_instead_of_an_import_error(monkeypatch, ctdc_2024_frame):
    import sys

    from harborlight.sharing import MissingExtra

    monkeypatch.setitem(sys.modules, "opendp.prelude", None)  # as if OpenDP were absent
    with pytest.raises(MissingExtra, match=r"harborlight\[sharing\]"):
        dp_counts(ctdc_2024_frame, ["gender"], epsilon=1.0)
