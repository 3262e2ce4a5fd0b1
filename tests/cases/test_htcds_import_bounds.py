"""``import htcds`` bounds a spreadsheet before parsing it (issue 12, Medium 7): its
uncompressed size, rows and columns, naming the limit hit."""

from __future__ import annotations

import zipfile

import openpyxl
import pytest

from harborlight.cases import htcds_io
from harborlight.cases.htcds_io import ImportFailed, import_file, read_file
from harborlight.cases.models import Person

pytestmark = pytest.mark.django_db


def workbook(path, rows: int, columns: int):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["prs_FirstName", "cas_Status"] + [f"x{n}" for n in range(columns - 2)])
    for n in range(rows):
        sheet.append([f"Name{n}", "Active"] + [""] * (columns - 2))
    book.save(path)
    return path


def refusal(path) -> str:
    with pytest.raises(ImportFailed) as refused:
        read_file(path)
    [error] = refused.value.errors
    return error.reason


def test_it_refuses_a_zip_bomb_by_its_uncompressed_size(tmp_path, monkeypatch):
    monkeypatch.setattr(htcds_io, "XLSX_MAX_UNCOMPRESSED", 5_000_000)
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        with archive.open("xl/sharedStrings.xml", "w") as member:
            for _ in range(8):
                member.write(b"\0" * 1_000_000)
    assert path.stat().st_size < 100_000

    reason = refusal(path)

    assert "unpacks to 8 MB; the limit is 5 MB uncompressed" in reason


def test_it_refuses_too_many_rows_before_parsing(tmp_path, monkeypatch):
    monkeypatch.setattr(htcds_io, "XLSX_MAX_ROWS", 20)
    path = workbook(tmp_path / "long.xlsx", rows=25, columns=2)

    reason = refusal(path)

    assert "more than 20 rows" in reason


def test_it_refuses_too_many_columns(tmp_path, monkeypatch):
    monkeypatch.setattr(htcds_io, "XLSX_MAX_COLUMNS", 10)
    path = workbook(tmp_path / "wide.xlsx", rows=2, columns=12)

    reason = refusal(path)

    assert "has 12 columns; the limit is 10" in reason


def test_it_reports_the_limit_through_import_and_stores_nothing(cast, tmp_path, monkeypatch):
    monkeypatch.setattr(htcds_io, "XLSX_MAX_ROWS", 5)
    before = Person.objects.count()

    with pytest.raises(ImportFailed, match="nothing was imported"):
        import_file(workbook(tmp_path / "long.xlsx", rows=6, columns=2), cast.own)

    assert Person.objects.count() == before


def test_it_refuses_a_file_that_is_not_a_zip(tmp_path):
    path = tmp_path / "fake.xlsx"
    path.write_bytes(b"not a zip at all")

    assert "not a zip archive" in refusal(path)


def test_it_reads_a_spreadsheet_within_the_limits(cast, tmp_path):
    rows, _ = read_file(workbook(tmp_path / "ok.xlsx", rows=3, columns=2))

    assert [row["prs_FirstName"] for _, row in rows] == ["Name0", "Name1", "Name2"]
