"""The operator's triage flow in Chromium: queue, log a contact, reasons, review, steps."""

from __future__ import annotations

import re

import pytest

from harborlight.accounts.models import Role
from harborlight.intake.models import Tip
from harborlight.intake.triage import create_tip
from tests_support import LEARNED_LEVEL

pytestmark = pytest.mark.browser


def _field(site, label: str):
    """The input labelled exactly ``label`` (Django adds a colon to labels)."""
    return site.page.get_by_label(re.compile(rf"^{re.escape(label)}:?$"))


def _press(site, button: str) -> None:
    with site.page.expect_navigation():
        site.page.get_by_role("button", name=button, exact=True).first.click()
    site.check_accessibility()


def test_it_walks_an_operator_through_triage(signed_in, cast):
    operator = cast.role(Role.HOTLINE_OPERATOR)
    site = signed_in(operator)
    site.goto("/tips/")
    with site.page.expect_navigation():
        site.page.get_by_role("link", name="Log a contact").click()
    site.check_accessibility()
    _field(site, "Channel").select_option("call")
    _field(site, "Who is contacting").select_option("community_member")
    _field(site, "Place").fill("Riverside farm")
    _field(site, "Narrative").fill(
        "The workers sleep in a barn. The crew boss took their passports and they work "
        "16 hours a day.")
    _field(site, "Is anyone in immediate danger right now?").select_option("no")
    _press(site, "Log contact")
    tip = Tip.objects.get(logged_by=operator)
    assert site.path == f"/tips/{tip.reference}/"
    assert tip.triage_level == "high"
    text = site.text()
    assert "Why high" in text and "A means of control (restriction, threats, violence, " \
        "documents, debt, drugs, isolation, a quota) together with a type of exploitation." \
        in text
    assert "took their passports" in text  # the span behind a suggestion
    assert "coercion-and-exploitation" not in text and "vic_" not in text

    site.page.locator("#suggestions summary").click()
    site.page.get_by_role("button", name="Reject: Someone else holds the person's "
                                         "passport, ID or other documents.").click()
    site.page.wait_for_load_state()
    site.check_accessibility()
    assert tip.reviews.get(key="indicator:control.documents-held").decision == "rejected"

    _field(site, "Internal note (never shown to the reporter)").fill(
        "Outreach team to visit.")
    _press(site, "Add note")
    assert "Outreach team to visit." in site.text()

    _field(site, "Assign to").select_option(str(operator.pk))
    _press(site, "Assign")
    tip.refresh_from_db()
    assert tip.assigned_to == operator

    _field(site, "Caseworker for the new case").select_option(label="own-caseworker")
    _press(site, "Open a case…")
    assert "Open a case from tip" in site.text() and tip.case is None  # asks first
    _press(site, "Yes, open the case")
    tip.refresh_from_db()
    assert tip.case is not None and tip.status == "closed"
    assert tip.case.owner == cast.role(Role.CASEWORKER)
    assert f"Case {tip.case.reference}: held by own-caseworker" in site.text()
    assert site.page.get_by_role("link", name=tip.case.reference).count() == 0


def test_it_shows_the_emergency_guidance_and_queue_order(signed_in, cast):
    emergency, _ = create_tip(cast.own, narrative="She is locked in right now.",
                                          channel="chat", answers={"danger_now": "yes"})
    site = signed_in(cast.role(Role.SUPERVISOR))
    site.goto("/tips/")
    rows = site.page.locator("tbody tr")
    assert emergency.reference in rows.nth(0).inner_text()
    site.goto(f"/tips/{emergency.reference}/")
    assert "911" in site.text() and "1-888-373-7888" in site.text()
    assert site.page.get_by_role("link", name="1-888-373-7888").get_attribute("href") == \
        "tel:18883737888"


def test_it_serves_the_catalog_page_to_an_administrator(signed_in, cast):
    site = signed_in(cast.role(Role.ADMINISTRATOR))
    site.goto("/tips/catalog/")
    assert "control.documents-held" in site.text()


def _signs_seen_by_an_operator(signed_in, cast, tip, language: str, screenshot) -> str:
    """A hotline operator opens the tip in ``language`` with its signs unfolded; the page's
    text (a screenshot of it is kept at ``screenshot``)."""
    site = signed_in(cast.role(Role.HOTLINE_OPERATOR))
    site.page.context.add_cookies([{"name": "django_language", "value": language,
                                    "url": site.page.url}])
    site.goto(f"/tips/{tip.reference}/")
    site.page.locator("#suggestions summary").click()
    site.page.screenshot(path=str(screenshot), full_page=True)
    return site.text()


@pytest.mark.parametrize("language, narrative, expected", [
    ("en", "my cousin is 15 n her bf posts her on cam shows 4 money rn, he keeps it all. "
           "Her brother is made to sell drugs for a gang to pay a debt and they took his ID.",
     ["Form of exploitation: Online sexual exploitation", "Forced criminality",
      "no code for forced criminality", "Someone under 18 is involved",
      "It is going on now", "made to sell drugs"]),
    ("es", "Mi prima tiene 15 y su novio la obliga a hacer shows por cámara por dinero "
           "ahorita mismo. A su hermano lo obligan a vender droga para una banda y le "
           "quitaron su identificación.",
     ["Forma de explotación", "Criminalidad forzada", "no tiene código para la "
      "criminalidad forzada", "menos de 18 años", "Ocurre ahora o está por ocurrir"]),
])
def test_it_shows_todays_forms_and_signals_in_words(signed_in, cast, language, narrative,
                                                    expected, tmp_path):
    """Issue 14's codings on the triage page: the form, its HTCDS mapping in words, the
    spans that decided the type, the sentence of a signal; no code anywhere."""
    tip, _ = create_tip(cast.own, narrative=narrative, channel="chat")
    text = _signs_seen_by_an_operator(signed_in, cast, tip, language,
                                      tmp_path / f"tip-{language}.png")
    for words in expected:
        assert words in text, (words, text)
    for code in ("ForcedCriminality", "OnlineSexualExploitation", "RemoteInteractive",
                 "vic_", "ForcedLabour", "SexualExploitation"):
        assert code not in text, code
    assert tip.triage_level == "emergency"


@pytest.mark.parametrize("language, expected", [
    ("en", ["Exploitation with a means of control, or of a minor: suggested by the learned "
            "reading (chance", "not by a rule, from words such as", "check it"]),
    ("es", ["Explotación con un medio de control, o de un menor: lo sugiere la lectura "
            "aprendida (probabilidad", "no una regla, por palabras como", "compruébelo"]),
])
def test_a_level_the_learned_reading_raised_says_so_with_its_words(signed_in, cast, language,
                                                                    expected, tmp_path):
    """The operator sees why the level is high when the learned reading, not a rule, read
    the means of control: its words, its chance, and that it is to be checked."""
    tip, _ = create_tip(cast.own, narrative=LEARNED_LEVEL, channel="call")
    assert tip.triage_level == "high"
    site = signed_in(cast.role(Role.HOTLINE_OPERATOR))
    site.page.context.add_cookies([{"name": "django_language", "value": language,
                                    "url": site.page.url}])
    site.goto(f"/tips/{tip.reference}/")
    site.page.screenshot(path=str(tmp_path / f"learned-level-{language}.png"), full_page=True)
    text = site.text()
    for words in expected:
        assert words in text, (words, text)
    assert "learned.coerced" not in text and "learned-coerced" not in text


# Call notes that end with the writer's own conclusion; documents kept by an ex-husband
# after a divorce, a sign alone (rules alone: standard) the learned reading reads no
# exploitation in.
CONCLUSION = ("call", "Caller's cousin works long shifts at a car wash and lives in a room the "
              "owner rents to the workers. No indicators of trafficking; referred to the "
              "labour board.")
EX_HUSBAND = ("web", "Mi exesposo se quedó con mi pasaporte y las actas de nacimiento de los "
              "niños desde el divorcio y no me los quiere devolver. Los necesito para viajar "
              "a ver a mi mamá.")


@pytest.mark.parametrize("tip_said, language, expected", [
    (CONCLUSION, "en", ["that there is no sign of trafficking", "Information",
                        "Level decided by the triage rules of release"]),
    (CONCLUSION, "es", ["que no hay indicios de trata", "Solo información",
                        "Nivel decidido por las reglas de clasificación de la versión"]),
    (EX_HUSBAND, "en", ["A sign alone, and the learned reading reads no exploitation",
                        "mi pasaporte", "A sign alone is then information only", "Information",
                        "A sign alone, where the narrative says the person is free"]),
    (EX_HUSBAND, "es", ["Una señal sola, y la lectura aprendida no lee explotación",
                        "Una señal sola queda entonces como solo información",
                        "Solo información",
                        "Una señal sola, si el relato dice que la persona es libre"]),
])
def test_information_only_is_explained_in_words(signed_in, cast, tip_said, language,
                                                expected, tmp_path):
    """The operator sees why a tip is information only: the reason, the sign or sentence
    that lowered it and the words behind it, in the page's language, never the codes or
    the stored release string."""
    channel, narrative = tip_said
    tip, _ = create_tip(cast.own, channel=channel, narrative=narrative)
    assert tip.triage_level == "information"
    text = _signs_seen_by_an_operator(signed_in, cast, tip, language,
                                      tmp_path / f"information-{language}.png")
    for words in expected:
        assert words in text, (words, text)
    for code in ("no_case_said", "context.", "learned.no-exploitation", "rules 20",
                 "catalog 20"):
        assert code not in text
