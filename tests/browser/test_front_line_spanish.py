"""Issue 11, path 1 in Spanish: an operator switches the staff pages to Spanish in the
header and triages an emergency tip; the triage page reads in Spanish (levels, reasons,
signs, actions, emergency numbers) with its actions on the first screen. Paths 2-6 run
in Spanish as well as English in test_front_line_paths and test_analyst_paths."""

from __future__ import annotations

import pytest

from harborlight.accounts.models import Role
from harborlight.intake.triage import create_tip

pytestmark = pytest.mark.browser

CALL = ("Mi prima tiene 16 y está encerrada en un cuarto arriba de un salón de uñas. El "
        "encargado le quitó el pasaporte y dice que le debe 4,000 dólares. Tiene miedo.")


def _bottom(site, selector: str) -> float:
    box = site.page.locator(selector).bounding_box()
    assert box is not None, selector
    return box["y"] + box["height"]


def test_an_operator_triages_in_spanish(signed_in, cast, tmp_path):
    tip, _ = create_tip(cast.own, narrative=CALL, channel="call",
                        answers={"danger_now": "yes", "minor_involved": "yes"})
    operator = cast.role(Role.HOTLINE_OPERATOR)
    site = signed_in(operator)
    site.page.set_viewport_size({"width": 1280, "height": 900})
    with site.page.expect_navigation():
        site.page.get_by_role("button", name="Español").click()
    site.check_accessibility()
    operator.refresh_from_db()
    assert operator.language == "es"
    assert site.page.locator("html").get_attribute("lang") == "es"
    assert "Reportes" in site.text("header") and "Cerrar sesión" in site.text("header")
    site.page.screenshot(path=str(tmp_path / "dashboard-es.png"), full_page=True)

    site.goto(f"/tips/{tip.reference}/")
    text = site.text()
    for words in ("Emergencia", "Se dice que alguien está en peligro inmediato.",
                  "menor de 18", "Llame al 911",
                  "Línea Nacional contra la Trata de Personas", "Asignar", "Abrir un caso…",
                  "Cerrar reporte", "Entregar a las autoridades…"):
        assert words in text, words
    assert "Llama al" not in text  # the public pages' "tú"; staff pages say "usted"
    for english in ("Someone is said to be in immediate danger", "Close tip", "Assign to",
                    "Pass to law enforcement"):
        assert english not in text, english
    for action in ("#assign button", "#convert button", "#close button", "#handoff summary"):
        assert _bottom(site, action) <= 900, f"{action} is below the first screen"
    site.page.screenshot(path=str(tmp_path / "tip-es.png"))
    site.page.screenshot(path=str(tmp_path / "tip-es-full.png"), full_page=True)


def test_an_administrator_and_an_auditor_read_their_pages_in_spanish(signed_in, cast,
                                                                   tmp_path):
    """Issue 11: the administrators' pages (vocabularies, indicator catalog, directory
    entry) and the auditors' trail read in Spanish, accessible, in Chromium."""
    administrator = cast.role(Role.ADMINISTRATOR)
    site = signed_in(administrator)
    site.page.set_viewport_size({"width": 1280, "height": 900})
    with site.page.expect_navigation():
        site.page.get_by_role("button", name="Español").click()
    site.goto("/vocabularies/")
    text = site.text()
    for words in ("Vocabularios: los valores propios de su organización", "Agregar un valor",
                  "Lista de valores", "Palabras en español"):
        assert words in text, words
    assert "Add a value" not in text
    site.page.screenshot(path=str(tmp_path / "vocabularies-es.png"), full_page=True)
    site.goto("/tips/catalog/")
    text = site.text()
    for words in ("Catálogo de indicadores", "Trata con fines sexuales",
                  "Categoría", "Grado",
                  "Añadir, cambiar o retirar los indicadores de su organización"):
        assert words in text, words
    assert "Someone is made to sell sex" not in text
    site.page.screenshot(path=str(tmp_path / "catalog-es.png"))
    site.goto("/directory/providers/new/")
    text = site.text()
    for words in ("Servicios", "Idiomas", "Código postal",
                  "No está en Harborlight (derivaciones por carta)",
                  "Deje vacías las coordenadas"):
        assert words in text, words
    site.page.screenshot(path=str(tmp_path / "provider-es.png"), full_page=True)

    site = signed_in(cast.role(Role.AUDITOR))
    with site.page.expect_navigation():
        site.page.get_by_role("button", name="Español").click()
    site.goto("/audit/")
    text = site.text()
    assert "Registro de auditoría" in text
    assert "to: es" not in text and "cambio: idioma" in text and "a: Español" in text, \
        "the language change, in words"
    site.page.screenshot(path=str(tmp_path / "audit-es.png"))
