"""The analyst's paths of issue 11, walked in Chromium from the demo's data, every page
through axe-core and the third-party and CSP guards:

5. the analyst starts a k = 11 de-identified export from the web, watches it run, and
   downloads data.csv and the report;
6. the analyst uploads a batch of ads, opens the first lead and turns it into a tip.

Both run in English and in Spanish (see :func:`test_front_line_paths.say`).

With ``HARBORLIGHT_TOUR_DIR`` set, the pages are also saved there as PNG.
"""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from test_front_line_paths import (FIRST_SCREEN, LANGUAGES, LAPTOP, bottom, click, field,
                                   person, save, say, sign_in_reading)

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def demo(transactional_db, settings, tmp_path):
    from harborlight.demo.records import load_demo_data

    settings.DATA_DIR = tmp_path  # exports and screening history of this test only
    load_demo_data()


@LANGUAGES
def test_it_exports_de_identified_data_with_k_11_and_downloads_it(demo, new_site, language):
    from harborlight.insights.models import ExportJob
    from harborlight.security.audit.models import AuditEntry

    def t(text, **options):
        return say(language, text, **options)

    analyst = person("analyst")
    site = new_site()
    site.page.set_viewport_size(LAPTOP)
    sign_in_reading(site, analyst, language)
    site.goto("/")
    shareable = t("of %(total)s cases may be shared de-identified: export them",
                  total="|").split("|")[1].strip()
    text = site.text()
    assert t("Analysis") in text and shareable in text
    save(site, "5-analyst-home", language=language)
    click(site, "link", re.compile(re.escape(shareable)))
    assert site.path == "/insights/export/"
    k = t("k (for k-anonymity)")
    assert field(site, k).input_value() == "11"
    assert site.page.get_by_role("radio", name=re.compile("CTDC 2024")).is_checked()
    save(site, "5-export-form", language=language)

    field(site, k).fill("1")
    click(site, "button", t("Start the export"))
    assert t("Ensure this value is greater than or equal to %(limit_value)s.",
             limit_value=2) in site.text()
    assert not ExportJob.objects.exists(), "a refused form starts nothing"
    field(site, k).fill("11")
    click(site, "button", t("Start the export"))
    job = ExportJob.objects.get()
    assert site.path == f"/insights/export/{job.pk}/"
    method = t("k-anonymity, k = %(k)d", k=11)
    assert method[0].upper() + method[1:] in site.text()

    # The page reloads itself (no script) until the job is done.
    site.page.get_by_role("heading", name=t("Ready to download")).wait_for(timeout=180_000)
    site.check_accessibility()
    text = site.text()
    assert t("Records released") in text and t("Left out: no consent to sharing") in text
    save(site, "5-export-done", full_page=True, language=language)
    with site.page.expect_download() as download:
        site.page.get_by_role("link", name="data.csv").click()
    rows = list(csv.DictReader(io.StringIO(open(download.value.path(), encoding="utf-8")
                                           .read())))
    with site.page.expect_download() as download:
        site.page.get_by_role("link", name="report.json").click()
    report = json.loads(open(download.value.path(), encoding="utf-8").read())
    assert report["k"] == 11 and len(rows) == report["rows_out"] > 0
    assert not {"prs_FirstName", "firstName", "name"} & set(rows[0])
    entry = AuditEntry.objects.get(action="export", object_type="sharing.ctdc")
    assert entry.actor_username == "analyst" and entry.details["k"] == 11
    assert entry.details["consent_count"] > 0

    site.goto("/dashboard/")
    assert f"{method} · {t('Ready to download')}" in site.text()


@LANGUAGES
def test_it_screens_a_batch_of_ads_and_opens_a_lead_as_a_tip(demo, new_site, tmp_path,
                                                             language):
    from harborlight.intake.models import Tip
    from harborlight.screening.synthetic import generate_ads

    def t(text, **options):
        return say(language, text, **options)

    def pattern(text, **values) -> re.Pattern:
        """The sentence in the language, each value matched by its pattern."""
        said = re.escape(t(text, **{name: "\0" + name for name in values}))
        for name, value in values.items():
            said = said.replace(re.escape("\0" + name), value)
        return re.compile(said)

    ads = tmp_path / "ads.jsonl"
    ads.write_text("".join(json.dumps({k: v for k, v in ad.items() if k != "operator_id"})
                           + "\n" for ad in generate_ads(300, seed=5)))
    site = new_site()
    site.page.set_viewport_size(LAPTOP)
    sign_in_reading(site, person("analyst"), language)
    site.goto("/")
    click(site, "link", t("Batches of ads screened: screen another"))
    site.page.get_by_label(t("Batch of ads")).set_input_files(str(ads))
    save(site, "6-screening-upload", language=language)
    click(site, "button", t("Screen this batch"))
    text = site.text()
    assert pattern("Screened %(ads)s ads: %(networks)s networks.", ads="300",
                   networks=r"\d+").search(site.text("body"))
    assert "Something went wrong" not in text
    save(site, "6-screening-run", full_page=True, language=language)
    site.page.locator("main table a").first.click()
    site.page.wait_for_load_state()
    site.check_accessibility()
    save(site, "6-lead", full_page=True, language=language)
    assert bottom(site, "main form button") <= FIRST_SCREEN, "the lead's action on the first screen"
    before = Tip.objects.count()
    click(site, "button", t("Open a tip from this lead"))
    assert Tip.objects.count() == before + 1
    assert pattern("Tip %(tip)s opened from this lead.", tip=r"T-[A-Z0-9-]+")\
        .search(site.text("body"))
