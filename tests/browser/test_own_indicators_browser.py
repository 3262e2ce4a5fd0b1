"""An administrator adds an indicator of their organisation's own in Chromium, in English
and Spanish, standing for an HTCDS value; an operator's tip is then read with it. With
HARBORLIGHT_TOUR_DIR set, the page is saved as a screenshot (docs/vocabularies.md)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from harborlight.accounts.models import Role
from harborlight.cases.models import LocalValue
from harborlight.intake import triage
from harborlight.intake.triage import create_tip

pytestmark = pytest.mark.browser


def test_an_indicator_added_on_the_page_reads_the_organisations_tips(signed_in, cast):
    admin = signed_in(cast.role(Role.ADMINISTRATOR))
    admin.goto("/tips/catalog/own/")
    page = admin.page
    page.get_by_label("Category").select_option("labour_trafficking")
    page.get_by_label("HTCDS value it stands for (read by triage)").select_option(
        "vic_TypeOfExploitation=ForcedLabour")
    page.get_by_label("Evidence grade").select_option("B")
    page.get_by_label("Text cues, one regular expression per line").fill(
        r"\bscam compounds?\b")
    admin.submit("Add indicator", status=200, The_sign_in_English="Held in a scam compound",
                 The_sign_in_Spanish="Retenido en un centro de estafas",
                 Source="Partner bulletin, 2026")
    assert "Added the indicator" in admin.text() and "Forced labour" in admin.text()
    folder = os.environ.get("HARBORLIGHT_TOUR_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / "indicators.png"), full_page=True)
    value = LocalValue.objects.get(field="indicator")
    ident = value.entry["id"]
    admin.goto(f"/tips/catalog/own/{value.pk}/")  # its page: versions, retire, delete
    assert "Every version of this indicator" in admin.text()
    if folder:
        page.screenshot(path=str(Path(folder) / "indicator.png"), full_page=True)
    admin.goto("/tips/catalog/")  # the catalog in force marks it as the organisation's
    assert f"{ident} (yours)" in admin.text()
    if folder:
        page.screenshot(path=str(Path(folder) / "catalog.png"))
    tip, _ = create_tip(cast.own, narrative="He is held in a scam compound.", channel="call")
    assert f"indicator:{ident}" in {s.key for s in triage.suggestions(tip)}
