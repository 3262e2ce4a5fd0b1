"""An administrator adds an XLSForm in Chromium: a bad file's problems by sheet and row,
then a good one served, and the choice of what interviews become. With
HARBORLIGHT_TOUR_DIR set, the pages are saved as screenshots (docs/fieldintake.md)."""

from __future__ import annotations

from pathlib import Path

from harborlight.fieldintake.models import Arrival, IntakeSetting, OrganisationForm
from xlsform_support import xlsform


def _upload(site, upload, tmp_path: Path, status: int) -> None:
    path = tmp_path / upload.name
    path.write_bytes(upload.read())
    site.page.get_by_label("XLSForm (.xlsx)").set_input_files(str(path))
    with site.page.expect_navigation() as navigation:
        site.page.get_by_role("button", name="Check and add").click()
    assert navigation.value.status == status
    site.check_accessibility()


def test_an_administrator_adds_a_form_after_fixing_its_problems(signed_in, cast, tmp_path):
    site = signed_in(cast.role("administrator"))
    site.goto("/field-intake/")
    assert f"/openrosa/{cast.own.slug}" in site.text()
    survey = [["type", "name", "label"], ["text", "what happened", "What happened?"],
              ["select_one colours", "colour", "Colour"]]
    _upload(site, xlsform(survey), tmp_path, 400)
    problems = site.text("table.row-errors")
    assert "cannot be a question name" in problems and "“colours” is not on" in problems
    assert not OrganisationForm.objects.exists()
    site.save_for_tour("field-forms-problems")
    _upload(site, xlsform(), tmp_path, 200)
    assert "Added “Shelter outreach walk” version 2026120701" in site.text()
    site.page.get_by_label("A case, with the interviewed person's HTCDS values").check()
    site.submit("Save", status=200)
    assert IntakeSetting.objects.get(organisation=cast.own).arrives_as == Arrival.CASE
    assert "Field interviews now arrive as cases." in site.text()
    site.save_for_tour("field-forms")


def test_an_operator_checks_an_odk_export_before_importing_it(signed_in, cast, tmp_path):
    from harborlight.fieldintake.models import FieldSubmission

    export = tmp_path / "htcds_intake.csv"
    export.write_text("narrative,danger_now,prs_First_Name,prs_Gender,meta-instanceID,KEY\n"
                      "The boss keeps their passports.,no,Rosa,Feminine,uuid:b1,uuid:b1\n"
                      ",yes,Lia,Feminine,uuid:b2,uuid:b2\n")
    site = signed_in(cast.role("hotline_operator"))
    site.goto("/tips/")
    with site.page.expect_navigation():
        site.page.get_by_role("link", name="Import field interviews").click()
    site.check_accessibility()
    site.page.get_by_label("Export file (.csv or .zip)").set_input_files(str(export))
    site.page.get_by_label("Check only: say what each row would become").check()
    site.submit("Go", status=400)
    report = site.text()
    assert "row 3: The submission has no answer to" in report
    assert "1 would become a tip" in report and not FieldSubmission.objects.exists()
    site.save_for_tour("field-import-check")
