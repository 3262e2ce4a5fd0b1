"""k-anonymity holds on every export, checked by an independent group-by (not the
exporter's own counting code)."""

from __future__ import annotations

import pandas as pd
import pytest

from harborlight.sharing import KAnonymizer, ParameterError, export, prepare, read_table

QIS_2024 = ["yearOfRegistration", "gender", "ageBroad", "citizenship", "CountryOfExploitation",
            "traffickMonths"]


def smallest_class(frame: pd.DataFrame, qis: list[str]) -> int:
    """Independent counter: plain pandas group-by with missing values kept as a value."""
    return int(frame.fillna("").groupby(qis, dropna=False).size().min())


@pytest.mark.parametrize("k", [2, 5, 11, 40])
def test_it_makes_every_class_at_least_k_on_the_fixture(tmp_path, ctdc_2024_csv, k):
    result = export(out_dir=tmp_path, layout="ctdc-2024", k=k, input_path=ctdc_2024_csv,
                    seed=3)
    data = pd.read_csv(tmp_path / "data.csv", dtype=str, keep_default_na=False)
    assert len(data) == result.report["rows_out"] > 0
    assert smallest_class(data, result.report["quasi_identifiers"]) >= k
    loss = result.report["information_loss"]
    assert loss["records_suppressed"] == result.report["rows_in"] - len(data)


def test_it_generalises_before_suppressing_too_much(ctdc_2024_frame):
    anonymizer = KAnonymizer(k=11, max_suppression=0.05)
    released = anonymizer.fit_transform(ctdc_2024_frame)
    assert anonymizer.suppressed_ <= 0.05 * len(ctdc_2024_frame)
    assert sum(anonymizer.levels_.values()) > 0
    assert smallest_class(released, QIS_2024) >= 11


def test_it_uses_m49_regions_and_year_bands_when_it_generalises(ctdc_2024_frame):
    anonymizer = KAnonymizer(k=60, max_suppression=0.02)
    released = anonymizer.fit_transform(ctdc_2024_frame)
    assert anonymizer.levels_["citizenship"] >= 1
    assert set(released["citizenship"]) <= {"Eastern Europe", "South-eastern Asia",
                                            "Northern America", "Central America",
                                            "Western Africa", "Europe", "Asia", "Americas",
                                            "Africa", "*", ""}
    if anonymizer.levels_["yearOfRegistration"]:
        assert set(released["yearOfRegistration"]) <= {"2010--2014", "2015--2019",
                                                      "2020--2024", "2010--2019",
                                                      "2020--2029", "*", ""}


def test_it_keeps_the_input_untouched(ctdc_2024_frame):
    before = ctdc_2024_frame.copy()
    KAnonymizer(k=11).fit_transform(ctdc_2024_frame)
    pd.testing.assert_frame_equal(before, ctdc_2024_frame)


@pytest.mark.parametrize("k", [1, 0, -3, 2.5, True])
def test_it_refuses_nonsense_k(ctdc_2024_frame, k):
    with pytest.raises(ParameterError, match="k must be"):
        KAnonymizer(k=k).fit_transform(ctdc_2024_frame)


def test_it_refuses_unknown_quasi_identifiers(ctdc_2024_frame):
    with pytest.raises(ParameterError, match="shoeSize"):
        KAnonymizer(k=5, quasi_identifiers=["gender", "shoeSize"]).fit_transform(ctdc_2024_frame)


@pytest.mark.slow
@pytest.mark.parametrize("layout", ["ctdc-2024", "ctdc-2021"])
def test_it_holds_k_11_on_the_real_ctdc_file(ctdc_file, layout):
    mapped, _, _ = prepare(read_table(ctdc_file), layout)
    anonymizer = KAnonymizer(k=11, layout=layout)
    released = anonymizer.fit_transform(mapped)
    assert len(released) + anonymizer.suppressed_ == 193025
    assert smallest_class(released, anonymizer.quasi_identifiers_) >= 11
    assert anonymizer.suppressed_ < 0.05 * 193025
