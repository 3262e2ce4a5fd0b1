"""The emergency and hotline numbers and names come from settings, on every public page,
the card, the report API and the operator's emergency panel (issue 16)."""

from __future__ import annotations

import pytest
from django.test import Client

from harborlight.intake.models import Tip

UK = {"EMERGENCY_NUMBER": "999", "HOTLINE_NUMBER": "08000 121 700",
      "HOTLINE_NAME": "Modern Slavery & Exploitation Helpline", "HOTLINE_HOURS": "none",
      "HOTLINE_TEXT": "none", "ORGANISATION_NAME": "Unseen <Bristol>"}
US_WORDS = ("National Human Trafficking Hotline", "Línea Nacional contra la Trata",
            "1-888-373-7888", "911", "233733", "24/7", "24 hours")


@pytest.fixture
def uk(settings):
    for name, value in UK.items():
        setattr(settings, name, value)


def _pages(cast, language: str) -> dict[str, str]:
    client = Client()
    pages = {path: client.get(f"{path}{'&' if '?' in path else '?'}lang={language}")
             for path in ("/report/", "/report/signs/", "/report/signs/?for=health_care",
                          "/report/check/?done=1&answer_danger_now=yes", "/report/card/",
                          "/report/follow-up/")}
    pages["received"] = client.post(f"/report/?lang={language}", {
        "narrative": "A girl of 15 is locked in the back room and they hit her.",
        "answer_danger_now": "yes"})
    assert {page.status_code for page in pages.values()} <= {200, 201}
    return {path: page.content.decode() for path, page in pages.items()}


@pytest.mark.parametrize("language", ["en", "es"])
def test_it_names_the_configured_hotline_and_never_the_us_one(cast, uk, language):
    for path, body in _pages(cast, language).items():
        assert '<a class="phone" href="tel:999">999</a>' in body, path
        assert ('<a class="phone" href="tel:08000121700">08000 121 700</a>' in body), path
        assert "Modern Slavery &amp; Exploitation Helpline: " in body, path
        assert "Unseen &lt;Bristol&gt;</title>" in body, path
        assert not [word for word in US_WORDS if word in body], path


def test_it_keeps_the_us_defaults_in_both_languages(cast):
    english, spanish = (_pages(cast, language) for language in ("en", "es"))
    line = ("National Human Trafficking Hotline, 24 hours a day, 7 days a week: "
            '<a class="phone" href="tel:18883737888">1-888-373-7888</a> (text 233733).')
    assert all(line in body for body in english.values())
    assert all("Línea Nacional contra la Trata de Personas, las 24 horas, los 7 días de la "
               "semana" in body for body in spanish.values())
    assert "Harborlight</title>" in english["/report/"]


def test_a_hotline_number_alone_drops_the_us_name_hours_and_text_code(cast, settings):
    settings.HOTLINE_NUMBER, settings.HOTLINE_NAME = "0800-555-0100", "Hotline"
    settings.HOTLINE_HOURS = settings.HOTLINE_TEXT = "none"
    body = Client().get("/report/?lang=es").content.decode()
    assert 'Línea de ayuda: <a class="phone" href="tel:08005550100">0800-555-0100</a>.' in body


def test_the_settings_default_to_the_us_words_only_for_the_us_number(monkeypatch):
    import importlib

    import harborlight.settings as module
    monkeypatch.setenv("HARBORLIGHT_SECRET_KEY", "x" * 50)
    monkeypatch.setenv("HARBORLIGHT_HOTLINE_NUMBER", "116 006")
    other = importlib.reload(module)
    assert (other.HOTLINE_NAME, other.HOTLINE_HOURS, other.HOTLINE_TEXT) == (
        "Hotline", "none", "none")
    monkeypatch.delenv("HARBORLIGHT_HOTLINE_NUMBER")
    us = importlib.reload(module)
    assert (us.HOTLINE_NAME, us.HOTLINE_TEXT) == ("National Human Trafficking Hotline",
                                                  "233733")


def test_the_api_and_the_operator_panel_use_the_configured_numbers(cast, uk,
                                                                  signed_in_client):
    response = Client().post("/api/v1/tips", {
        "narrative": "They hit her and lock her in; she is in danger now.",
        "answers": {"danger_now": "yes"}}, content_type="application/json")
    steps = response.json()["emergency_guidance"]
    assert steps[0] == "Call 999 if someone is in immediate danger."
    assert steps[1] == "Modern Slavery & Exploitation Helpline: 08000 121 700."
    client = signed_in_client(cast.role("hotline_operator"))
    tip = Tip.objects.get(reference=response.json()["reference"])
    page = client.get(f"/tips/{tip.reference}/").content.decode()
    assert "call 999 now" in page and "tel:08000121700" in page and "1-888" not in page


def test_the_language_switch_keeps_the_page_and_its_query(cast):
    body = Client().get("/report/signs/?for=health_care&lang=en").content.decode()
    assert 'href="?lang=es&amp;for=health_care"' in body
    assert 'href="?lang=en&amp;for=health_care"' in body
    check = Client().get("/report/check/?done=1&answer_danger_now=yes&sign=no.such&x=<b>"
                         "&sign=control.documents-held").content.decode()
    assert ('href="?lang=es&amp;done=1&amp;answer_danger_now=yes'
            '&amp;sign=control.documents-held"') in check
    assert "no.such" not in check and "&lt;b&gt;" not in check
    assert Tip.objects.count() == 2  # the cast's two: the guide stores nothing


def test_the_api_keeps_the_ticked_public_signs_as_the_form_does(cast):
    response = Client().post("/api/v1/tips", {
        "narrative": "A neighbour's housekeeper never leaves the house.",
        "signs": ["control.documents-held", "no.such-sign", "sex.named",
                  "control.documents-held"]}, content_type="application/json")
    assert response.status_code == 201
    tip = Tip.objects.get(reference=response.json()["reference"])
    assert tip.answers["reporter_signs"] == ["control.documents-held"]
    form = Client().post("/report/", {"narrative": "The same, by the form.",
                                      "sign": ["control.documents-held", "sex.named"]})
    assert form.status_code == 201
    assert Tip.objects.latest("received_at").answers["reporter_signs"] == [
        "control.documents-held"]


@pytest.mark.parametrize("signs", [["x"] * 41, "control.documents-held", [1]])
def test_the_api_refuses_bad_signs_and_stores_nothing(cast, signs):
    response = Client().post("/api/v1/tips", {"narrative": "Seen.", "signs": signs},
                             content_type="application/json")
    assert response.status_code == 400 and Tip.objects.count() == 2
