"""HTCDS picklist values in the reader's language, from field_words.json's "values"."""

from __future__ import annotations

import pytest
from django.utils import translation

from harborlight.vocab import words
from harborlight.vocab.loader import htcds_picklists


@pytest.mark.parametrize(("language", "expected"), [
    ("en", "Forced labour, Debt bondage"), ("es", "Trabajo forzoso, Servidumbre por deudas")])
def test_it_names_picklist_values_in_the_reader_language(language, expected):
    with translation.override(language):
        assert words.value_label("vic_TypeOfExploitation", ["ForcedLabour"]) + ", " + \
            words.value_label("vic_MethodsOfControl", "DebtBondage") == expected
        assert words.value_label("vic_TypeOfExploitation", "NoSuchCode") == "NoSuchCode"


def test_every_picklist_value_has_spanish_words():
    document = words._document()["values"]
    for picklist, options in htcds_picklists().items():
        for option in options:
            entry = document.get(picklist, {}).get(option["code"])
            assert entry and entry["es"] and entry["en"] == option["label"], (picklist, option)
