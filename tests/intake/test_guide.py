"""The public "Learn the signs" guide (issue 16): generated from the indicator catalog,
EN and ES, nothing staff-only on it, nothing kept about the reader."""

from __future__ import annotations

import json
from html import escape

import pytest
from django.test import Client

from harborlight.intake.models import Tip
from harborlight.intake.public_views import guide_sections
from harborlight.vocab.indicators import build_catalog, parse_catalog, shipped_catalog_text
from harborlight.vocab.loader import VocabularyError


@pytest.mark.django_db
@pytest.mark.parametrize("language, title, sign", [
    ("en", "Signs of labour trafficking", "Someone else keeps the person's passport or ID."),
    ("es", "Señales de trata con fines de trabajo forzoso",
     "Otra persona le guarda el pasaporte o la identificación."),
])
def test_it_renders_the_guide_from_the_catalog_in_both_languages(language, title, sign):
    response = Client().get(f"/report/signs/?lang={language}")
    body = response.content.decode()
    assert response.status_code == 200 and response["Content-Language"] == language
    assert escape(title) in body and escape(sign) in body
    for section in build_catalog().public_guide:
        assert escape(section["title"][language]) in body
    assert 'id="quick-exit"' in body and "/report/?lang=" in body


@pytest.mark.django_db
def test_it_shows_nothing_staff_only():
    body = Client().get("/report/signs/").content.decode()
    catalog = build_catalog()
    for indicator in catalog.indicators:
        assert indicator.id not in body
        assert escape(indicator.description) not in body or indicator.description in (
            indicator.public.get("en", ""))
        assert escape(indicator.source) not in body
    for staff_only in ("vic_", "ForcedLabour", "SexualExploitation", "\\b", "evidence grade"):
        assert staff_only not in body


@pytest.mark.django_db
def test_it_keeps_nothing_about_the_reader():
    response = Client().get("/report/signs/", REMOTE_ADDR="192.0.2.7",
                            HTTP_USER_AGENT="Reader/1.0")
    assert not response.cookies and response["Cache-Control"] == "no-store"
    assert Tip.objects.count() == 0
    assert Client().post("/report/signs/").status_code == 405  # read only


def _catalog_with(change) -> object:
    document = json.loads(shipped_catalog_text())
    change(document)
    return parse_catalog(json.dumps(document))


def test_it_follows_a_change_to_an_entrys_public_words():
    def reword(document):
        entry = next(i for i in document["indicators"] if i["id"] == "control.documents-held")
        entry["public"] = {"en": "The boss keeps everyone's passports in a safe.",
                           "es": "El patrón guarda los pasaportes de todos en una caja."}
        drop = next(i for i in document["indicators"] if i["id"] == "labour.excessive-hours")
        del drop["public"]

    sections = guide_sections(_catalog_with(reword), "en")
    signs = [sign for section in sections for sign in section["signs"]]
    assert "The boss keeps everyone's passports in a safe." in signs
    assert not any("no days off" in sign for sign in signs)


@pytest.mark.parametrize("change, message", [
    (lambda d: d["indicators"][0].update(public={"en": "Only English."}), "'public'"),
    (lambda d: d["public_guide"]["sections"][0].update(categories=["no_such"]), "no_such"),
    (lambda d: d["public_guide"]["sections"][0].pop("title"), "title"),
])
def test_it_refuses_a_guide_without_both_languages_or_known_categories(change, message):
    with pytest.raises(VocabularyError, match=message):
        _catalog_with(change)


@pytest.mark.django_db
@pytest.mark.parametrize("language, heading", [
    ("en", "Is someone being forced to work or to sell sex?"),
    ("es", "¿Alguien está siendo obligado a trabajar o a vender sexo?"),
])
def test_it_prints_a_card_with_the_catalogs_signs_numbers_and_address(language, heading):
    response = Client().get(f"/report/card/?lang={language}")
    body = response.content.decode()
    assert response.status_code == 200 and not response.cookies
    assert escape(heading) in body and 'href="tel:18883737888"' in body
    assert f"http://testserver/report/?lang={language}" in body
    catalog = build_catalog()
    for ident in catalog.public_card:
        assert escape(catalog.get(ident).public[language]) in body


def test_it_refuses_a_card_sign_without_public_words():
    def card_without_words(document):
        document["public_guide"]["card"].append("sex.named")

    with pytest.raises(VocabularyError, match="sex.named"):
        _catalog_with(card_without_words)


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "es"])
def test_it_offers_a_short_version_for_each_workplace(language):
    catalog = build_catalog()
    full = Client().get(f"/report/signs/?lang={language}").content.decode()
    for audience in catalog.public_audiences:
        assert f"for={audience['id']}" in full
        body = Client().get(f"/report/signs/?lang={language}&for={audience['id']}") \
            .content.decode()
        assert escape(audience["title"][language]) in body
        assert escape(audience["where"][language]) in body
        for ident in audience["signs"]:
            assert escape(catalog.get(ident).public[language]) in body
        left_out = {i.public[language] for i in catalog.indicators if i.public} - {
            catalog.get(ident).public[language] for ident in audience["signs"]}
        assert not any(f"<li>{escape(words)}</li>" in body for words in left_out)
    unknown = Client().get(f"/report/signs/?lang={language}&for=nowhere").content.decode()
    assert unknown.count("<section") == full.count("<section")  # the whole guide


def test_it_refuses_an_audience_naming_a_sign_without_public_words():
    def bad_audience(document):
        document["public_guide"]["audiences"][0]["signs"].append("sex.named")

    with pytest.raises(VocabularyError, match="audience health: sex.named"):
        _catalog_with(bad_audience)
