"""HTCDS exports never abort on a stored control character and never hand a spreadsheet
a formula (issue 12, Medium 9); imports refuse control characters like the forms do."""

from __future__ import annotations

import csv
import json

import openpyxl
import pytest

from harborlight.cases.htcds_io import ImportFailed, import_file, write_file
from harborlight.cases.models import Case, Person

pytestmark = pytest.mark.django_db


@pytest.fixture
def planted(cast):
    """Values stored before input was checked (or by a bulk path): a control character
    and spreadsheet formulas in a person's free-text fields."""
    person = Person.objects.filter(case=cast.own_case).first()
    person.first_name = "Ana\x07Bell"
    person.second_name = '=HYPERLINK("http://example.invalid","open")'
    person.save()
    return person


def export(cast, path):
    return write_file(path, Case.objects.filter(organisation=cast.own))


def test_it_exports_xlsx_with_a_control_character_escaped(cast, planted, tmp_path):
    path = tmp_path / "out.xlsx"

    assert export(cast, path) >= 1

    values = [cell for row in openpyxl.load_workbook(path).worksheets[0].iter_rows(
        values_only=True) for cell in row]
    assert "Ana\\x07Bell" in values


def test_it_writes_a_formula_as_text_in_xlsx(cast, planted, tmp_path):
    path = tmp_path / "out.xlsx"
    export(cast, path)

    cells = [cell for row in openpyxl.load_workbook(path).worksheets[0].iter_rows()
             for cell in row if cell.value and str(cell.value).startswith("=HYPERLINK")]
    assert cells and all(cell.data_type == "s" for cell in cells)


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_it_neutralises_formulas_in_csv(cast, planted, tmp_path, start):
    planted.second_name = f"{start}cmd|' /C calc'!A0"
    planted.save()
    path = tmp_path / "out.csv"

    export(cast, path)

    with path.open(encoding="utf-8", newline="") as handle:
        names = [row["prs_SecondName"] for row in csv.DictReader(handle)]
    assert f"'{start}cmd|' /C calc'!A0" in names
    assert not any(name.startswith(("=", "+", "-", "@")) for name in names if name)


@pytest.mark.parametrize("plain", ["-12", "+1 312-555-0123"])
def test_it_keeps_numbers_and_phone_numbers_as_they_are_in_csv(cast, planted, tmp_path,
                                                               plain):
    planted.second_name = plain
    planted.save()
    path = tmp_path / "out.csv"

    export(cast, path)

    with path.open(encoding="utf-8", newline="") as handle:
        assert plain in [row["prs_SecondName"] for row in csv.DictReader(handle)]


def test_it_reads_a_neutralised_formula_back_unchanged(cast, planted, tmp_path):
    path = tmp_path / "out.csv"
    export(cast, path)
    planted.second_name = "changed"
    planted.save()

    import_file(path, cast.own)

    planted.refresh_from_db()
    assert planted.second_name == '=HYPERLINK("http://example.invalid","open")'


def test_it_keeps_json_exports_exact(cast, planted, tmp_path):
    path = tmp_path / "out.json"
    export(cast, path)

    names = {r["prs_FirstName"] for r in json.loads(path.read_text("utf-8"))["records"]}
    assert "Ana\x07Bell" in names


def test_it_refuses_to_import_a_control_character_naming_row_and_field(cast, tmp_path):
    source = tmp_path / "in.csv"
    source.write_text("prs_FirstName,cas_Status\nKemi\x1b,Active\n", encoding="utf-8")

    with pytest.raises(ImportFailed) as refused:
        import_file(source, cast.own)

    [error] = refused.value.errors
    assert (error.row, error.field) == (2, "prs_FirstName")
    assert "control character" in error.reason
