"""Country codes read as names (vocab/countries.json): "MEX" is "Mexico" / "México"."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.utils import translation

from harborlight.vocab import words

FILE = Path(__file__).resolve().parents[2] / "src" / "harborlight" / "vocab" / "countries.json"


@pytest.mark.parametrize(("language", "expected"), [("en", "Mexico"), ("es", "México")])
def test_it_names_a_country_in_the_reader_language(language, expected):
    with translation.override(language):
        assert words.country_name("MEX") == expected
        assert words.country_name("mex ") == expected
        assert words.value_label("prs_Citizenship", ["MEX", "GTM"]) in (
            "Mexico, Guatemala", "México, Guatemala")
        assert words.value_label("hte_Country", "USA") in ("United States", "Estados Unidos")
        assert words.value_label("citizenship", "KOR") in ("South Korea", "Corea del Sur")


@pytest.mark.parametrize("code", ["", "XX", "ZZZ", "<b>", None])
def test_an_unknown_code_is_shown_as_it_is(code):
    assert words.country_name(code) == str(code or "")


def test_every_country_has_both_names_and_no_official_long_form():
    countries = json.loads(FILE.read_text(encoding="utf-8"))["countries"]
    assert len(countries) >= 249
    for code, names in countries.items():
        assert len(code) == 3 and code.isupper() and names["en"] and names["es"], code
        if code != "BES":  # "Bonaire, Sint Eustatius and Saba" is the name itself
            assert ", " not in names["en"] + names["es"], (code, names)  # "Korea, Rep..."
