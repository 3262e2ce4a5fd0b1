"""The public report form, quick exit and follow-up in Chromium, with JavaScript on and off.

Every page goes through the shared guards (axe-core, no third-party request, no CSP
violation); see conftest.py.
"""

from __future__ import annotations

import re

import pytest
from browser_support import Site

from harborlight.intake.models import Tip

pytestmark = pytest.mark.browser

NARRATIVE = "Two women sleep at the nail salon and the owner keeps their passports."


@pytest.fixture
def no_script_site(chromium, live_server, transactional_db, axe_source):
    """A guarded tab whose page scripts are off.

    axe-core is itself a script, so it cannot run here: these pages are the same documents
    that the JavaScript-on tests below check with axe.
    """
    context = chromium.new_context(locale="en-GB", service_workers="block",
                                   java_script_enabled=False)
    context.set_default_timeout(15_000)
    site = Site(context.new_page(), live_server.url, axe_source)
    yield site
    try:
        site.verify_guards()
    finally:
        context.close()


def _check(site: Site, scripts: bool) -> None:
    if scripts:
        site.check_accessibility()
    else:
        site.exempt_from_accessibility("scripts off: axe cannot run; checked with scripts on")


def _report(site: Site, narrative: str = NARRATIVE, language: str = "en",
            scripts: bool = True) -> tuple[str, str]:
    site.goto(f"/report/?lang={language}", accessibility=scripts)
    _check(site, scripts)
    label = "What did you see or hear?" if language == "en" else "¿Qué viste o escuchaste?"
    site.page.get_by_label(label).fill(narrative)
    site.page.get_by_label("Where did it happen? (optional)" if language == "en"
                           else "¿Dónde ocurrió? (opcional)").fill("Springfield")
    button = "Send report" if language == "en" else "Enviar reporte"
    with site.page.expect_navigation():
        site.page.get_by_role("button", name=button).click()
    _check(site, scripts)
    return (site.page.locator("#tip-reference").inner_text(),
            site.page.locator("#tip-passphrase").inner_text())


def test_it_takes_a_report_with_javascript_off(no_script_site, cast):
    reference, passphrase = _report(no_script_site, scripts=False)
    tip = Tip.objects.get(reference=reference)
    assert tip.narrative == NARRATIVE and tip.location == "Springfield"
    assert tip.submitted_publicly and passphrase
    assert no_script_site.page.context.cookies() == []


def test_it_takes_a_report_with_javascript_on_in_spanish(site, cast):
    reference, _ = _report(site, "Un hombre guarda los pasaportes de las trabajadoras.", "es")
    assert "Gracias. Recibimos tu reporte." in site.text()
    assert Tip.objects.get(reference=reference).language == "es"
    assert site.page.context.cookies() == []


def test_it_shows_field_errors_for_an_empty_report(site, cast):
    site.goto("/report/")
    with site.page.expect_navigation():
        site.page.get_by_role("button", name="Send report").click()
    site.check_accessibility()
    assert "This field is required." in site.text()
    assert not Tip.objects.filter(submitted_publicly=True).exists()


def test_it_quick_exits_without_leaving_the_report_in_history(site, cast, settings,
                                                              live_server):
    settings.HARBORLIGHT_QUICK_EXIT_URL = live_server.url + "/accounts/login/"
    site.goto("/report/follow-up/")
    site.goto("/report/")
    site.page.get_by_label("What did you see or hear?").fill("half-typed")
    with site.page.expect_navigation():
        site.page.get_by_role("link", name="Quick exit").click()
    site.check_accessibility()
    assert site.path == "/accounts/login/"
    site.page.go_back()
    site.check_accessibility()
    assert site.path == "/report/follow-up/", "the report page stayed in the history"


def test_it_follows_up_with_reference_and_passphrase(site, new_site, cast):
    reference, passphrase = _report(site)
    tip = Tip.objects.get(reference=reference)
    tip.reply_to_reporter(cast.role("hotline_operator"), "Thank you. Is anyone there now?")
    tip.add_note(cast.role("hotline_operator"), "Internal: check the salon licence.")
    later = new_site()
    later.goto("/report/follow-up/")
    later.page.get_by_label("Tip reference").fill(reference)
    later.page.get_by_label("Passphrase").fill(passphrase)
    with later.page.expect_navigation():
        later.page.get_by_role("button", name="Open").click()
    later.check_accessibility()
    assert "Thank you. Is anyone there now?" in later.text()
    assert "Internal" not in later.text()
    later.page.get_by_label("Add information").fill("Yes, they are there every night.")
    with later.page.expect_navigation():
        later.page.get_by_role("button", name="Send").click()
    later.check_accessibility()
    assert "We added your information" in later.text()
    assert [m.body for m in tip.messages.filter(direction="from_reporter")] == [
        "Yes, they are there every night."]


def test_it_refuses_a_wrong_passphrase_clearly(site, cast):
    reference, _ = _report(site)
    site.goto("/report/follow-up/")
    site.page.get_by_label("Tip reference").fill(reference)
    site.page.get_by_label("Passphrase").fill("WRONG-WRONG-WRONG")
    with site.page.expect_navigation():
        site.page.get_by_role("button", name="Open").click()
    site.check_accessibility()
    assert "do not match" in site.text()


@pytest.mark.parametrize("language, heading, link", [
    ("en", "Learn the signs of human trafficking", "Report a concern"),
    ("es", "Conoce las señales de la trata de personas", "Reportar una preocupación"),
])
def test_it_shows_the_guide_and_leads_to_the_report_form(site, cast, language, heading,
                                                         link, tmp_path):
    site.goto(f"/report/?lang={language}")
    with site.page.expect_navigation():
        site.page.get_by_role("link", name="Learn the signs" if language == "en"
                              else "Conoce las señales", exact=False).click()
    site.check_accessibility()
    assert heading in site.text() and site.path == "/report/signs/"
    site.page.screenshot(path=str(tmp_path / f"signs-{language}.png"), full_page=True)
    with site.page.expect_navigation():
        site.page.get_by_role("link", name=link).click()
    assert site.path == "/report/" and site.page.context.cookies() == []


def test_it_shows_the_guide_with_javascript_off(no_script_site, cast):
    no_script_site.goto("/report/signs/", accessibility=False)
    _check(no_script_site, scripts=False)
    assert "Five ways recruiters win trust" in no_script_site.text()
    assert no_script_site.page.get_by_role("link", name="Quick exit").count() == 1


def _assess_and_report(site: Site, scripts: bool, tmp_path) -> Tip:
    site.goto("/report/check/", accessibility=scripts)
    _check(site, scripts)
    site.page.get_by_role("group", name="Is anyone in immediate danger right now?") \
        .get_by_label("No", exact=True).check()
    site.page.get_by_label("Someone else keeps the person's passport or ID.").check()
    with site.page.expect_navigation():
        site.page.get_by_role("button", name="See what to do next").click()
    _check(site, scripts)
    assert "What to do next" in site.text()
    site.page.screenshot(path=str(tmp_path / f"check-{scripts}.png"), full_page=True)
    with site.page.expect_navigation():
        site.page.get_by_role("link", name="Report what you saw").click()
    _check(site, scripts)
    assert "Signs you ticked" in site.text()
    site.page.screenshot(path=str(tmp_path / f"prefilled-{scripts}.png"), full_page=True)
    site.page.get_by_label("What did you see or hear?").fill(NARRATIVE)
    with site.page.expect_navigation():
        site.page.get_by_role("button", name="Send report").click()
    _check(site, scripts)
    return Tip.objects.get(reference=site.page.locator("#tip-reference").inner_text())


@pytest.mark.parametrize("scripts", [True, False])
def test_it_assesses_what_was_seen_and_sends_it_with_the_report(site, no_script_site, cast,
                                                                scripts, tmp_path):
    chosen = site if scripts else no_script_site
    assert Tip.objects.filter(submitted_publicly=True).count() == 0
    tip = _assess_and_report(chosen, scripts, tmp_path)
    assert tip.answers["danger_now"] == "no"
    assert tip.answers["reporter_signs"] == ["control.documents-held"]
    assert chosen.page.context.cookies() == []


def test_it_prints_only_the_card_on_one_page(site, cast, tmp_path):
    site.goto("/report/card/?lang=es")
    site.page.emulate_media(media="print")
    assert not site.page.locator(".public-header").is_visible()
    assert not site.page.locator(".emergency-note").is_visible()
    assert site.page.locator(".outreach-card").is_visible()
    site.page.screenshot(path=str(tmp_path / "card-print.png"), full_page=True)
    pdf = site.page.pdf(format="Letter")  # Chromium's own printing, no PDF service
    assert len(re.findall(rb"/Type\s*/Page(?!s)", pdf)) == 1


def test_it_switches_the_guide_to_a_workplace_version(site, cast, tmp_path):
    site.goto("/report/signs/?lang=es")
    with site.page.expect_navigation():
        site.page.get_by_role("link", name="Para el personal de salud").click()
    site.check_accessibility()
    assert "Llega un paciente con alguien que responde por él" in site.text()
    site.page.screenshot(path=str(tmp_path / "health-es.png"), full_page=True)
    with site.page.expect_navigation():
        site.page.get_by_role("link", name="Todas las señales").click()
    assert "Cinco formas en que los reclutadores se ganan la confianza" in site.text()


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_guide_names_the_configured_hotline(site, cast, settings, language, tmp_path):
    """An organisation outside the US: its numbers and names, tap to call, never the US
    hotline's; the language switch keeps the workplace chosen."""
    settings.EMERGENCY_NUMBER, settings.HOTLINE_NUMBER = "999", "08000 121 700"
    settings.HOTLINE_NAME = "Modern Slavery & Exploitation Helpline"
    settings.HOTLINE_HOURS = settings.HOTLINE_TEXT = "none"
    for path in ("/report/signs/?for=health_care", "/report/check/?done=1&answer_danger_now=yes",
                 "/report/card/"):
        site.goto(f"{path}{'&' if '?' in path else '?'}lang={language}")
        text = site.text("body")
        assert "Modern Slavery & Exploitation Helpline: 08000 121 700." in text
        assert "999" in text and "1-888" not in text and "National Human" not in text
        assert site.page.get_by_role("link", name="08000 121 700").first.get_attribute(
            "href") == "tel:08000121700"
        site.page.screenshot(path=str(tmp_path / f"{path.split('/')[2]}.png"),
                             full_page=True)
    site.goto(f"/report/signs/?for=health_care&lang={language}")
    other = "Español" if language == "en" else "English"
    with site.page.expect_navigation():
        site.page.get_by_role("link", name=other).click()
    site.check_accessibility()
    assert "for=health_care" in site.page.url
