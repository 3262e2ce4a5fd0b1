"""The one vocabulary of words for HTCDS fields and codes (vocab/field_words.json)."""

from __future__ import annotations

import re

import pytest
from django.utils import translation

from harborlight.consent.models import ConsentPurpose
from harborlight.referrals.snapshot import shareable_fields
from harborlight.vocab import words
from harborlight.vocab.loader import htcds_fields

CODE = re.compile(r"\b(prs|vic|cas|per|ref|org|hte|spl|cco|con)_[A-Z]")


def test_it_offers_every_field_a_consent_can_share_in_exactly_one_group():
    offered = words.offered_fields()
    assert len(offered) == len(set(offered))
    shareable = set(shareable_fields(ConsentPurpose.TRANSFER))
    assert shareable - set(offered) == set(words.not_offered()), \
        "a field a referral can carry that no consent form offers (or says why not)"
    assert set(offered) <= shareable, "a consent would name a field nothing can share"


def test_it_has_words_for_every_htcds_field_in_both_languages():
    for field in htcds_fields():
        for language in ("en", "es"):
            with translation.override(language):
                label = words.field_label(field["field"])
            assert label and not CODE.search(label), (field["field"], language, label)


def test_it_says_codes_and_dates_in_words():
    assert words.value_label("vic_MethodsOfControl", ["DebtBondage", "TakesEarnings"]) == \
        "Debt bondage, Takes earnings"
    assert words.value_label("prs_Birthdate", "2001-05-03") == "3 May 2001"
    with translation.override("es"):
        assert words.value_label("prs_Birthdate", "2001-05-03") == "3 may 2001"
        assert words.field_label("prs_MobilePhone") == "Teléfono móvil"
    assert words.value_label("prs_Deceased", False) == "No"


def test_it_groups_fields_for_a_sentence():
    assert words.in_words(["prs_MobilePhone", "prs_FirstName", "prs_Citizenship"]) == [
        ("Who they are", ["First name"]), ("Contact details", ["Mobile phone"]),
        ("Immigration and documents", ["Citizenship"])]


@pytest.mark.parametrize("preset", words.presets(), ids=lambda preset: preset.id)
def test_it_keeps_presets_to_fields_the_form_offers(preset):
    assert set(preset.fields) <= set(words.offered_fields())
    assert preset.purpose in ("", *ConsentPurpose.values)
