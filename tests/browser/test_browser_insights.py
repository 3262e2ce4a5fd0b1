"""Insights and ad screening in Chromium: filter, download CSV/SVG/PNG, upload, leads."""

from __future__ import annotations

import json

import pytest

from harborlight.accounts.models import Role
from harborlight.cases.models import Case, Person, PersonRole
from harborlight.screening.synthetic import generate_ads

pytestmark = pytest.mark.browser


@pytest.fixture
def victims(cast):
    for index, (gender, kind, count) in enumerate([("Feminine", "SexualExploitation", 14),
                                                   ("Masculine", "ForcedLabour", 12)]):
        case = Case.objects.create(organisation=cast.own, reference=f"C-BRW{index}-0001")
        for _ in range(count):
            Person.objects.create(organisation=cast.own, case=case, role=PersonRole.VICTIM,
                                  gender=gender, citizenship="MDA",
                                  types_of_exploitation=[kind])
    return cast


def test_it_filters_the_dashboard_and_downloads_a_chart(victims, signed_in, tmp_path, settings):
    # The analyst sees noisy counts; at this epsilon their noise is zero but for about 1
    # draw in 10^9 (tests/insights/test_noisy_dashboard.py tests the noise itself).
    settings.INSIGHTS_DP_EPSILON = 22.0 * 18
    settings.INSIGHTS_DP_BUDGET = 10 * settings.INSIGHTS_DP_EPSILON  # two views here
    site = signed_in(victims.role(Role.ANALYST))
    site.goto("/insights/")
    assert "Sexual exploitation" in site.text()
    site.page.locator("select#id_gender").select_option("Woman")
    with site.page.expect_navigation():
        site.page.get_by_role("button", name="Apply filters").click()
    site.check_accessibility()
    assert "gender=Woman" in site.page.url
    # The data table sits in a closed <details>: read its text, not its rendering.
    cells = site.page.locator("#chart-gender table tbody td").all_text_contents()
    assert cells == ["Woman", "14"]

    with site.page.expect_download() as csv_download:
        site.page.get_by_role("link", name="Data (CSV) for gender").click()
    rows = open(csv_download.value.path(), encoding="utf-8").read().splitlines()
    assert rows == ["label,count", "Woman,14"]

    with site.page.expect_download() as png_download:
        site.page.get_by_role("button", name="Chart (PNG) for type of exploitation").click()
    with open(png_download.value.path(), "rb") as image:
        assert image.read(8) == b"\x89PNG\r\n\x1a\n"

    with site.page.expect_download() as svg_download:
        site.page.get_by_role("link", name="Chart (SVG) for country of exploitation").click()
    assert open(svg_download.value.path(), encoding="utf-8").read().startswith("<svg")


def test_it_screens_an_uploaded_batch_and_opens_a_tip_from_a_lead(cast, signed_in, tmp_path,
                                                                  settings):
    settings.DATA_DIR = tmp_path / "data"
    ads = [{k: v for k, v in ad.items() if k != "operator_id"}
           for ad in generate_ads(150, seed=5)]
    batch = tmp_path / "ads.jsonl"
    batch.write_text("\n".join(json.dumps(ad) for ad in ads) + "\n")
    site = signed_in(cast.role(Role.ANALYST))
    site.goto("/insights/screening/")
    site.page.get_by_label("Batch of ads").set_input_files(str(batch))
    with site.page.expect_navigation():
        site.page.get_by_role("button", name="Screen this batch").click()
    site.check_accessibility()
    assert "/insights/screening/runs/" in site.page.url
    assert "150 ads screened" in site.text()
    with site.page.expect_navigation():
        site.page.locator("main table a").first.click()
    site.check_accessibility()
    assert "Why this lead" in site.text()
    with site.page.expect_navigation():
        site.page.get_by_role("button", name="Open a tip from this lead").click()
    site.check_accessibility()
    assert "was opened from this lead" in site.text()
