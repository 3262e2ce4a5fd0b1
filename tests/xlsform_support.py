"""XLSForms built in a test: the sheets an administrator would upload."""

from __future__ import annotations

import io

import openpyxl
from django.core.files.uploadedfile import SimpleUploadedFile

SURVEY = [["type", "name", "label"],
          ["text", "narrative", "What did you see or hear?"],
          ["select_one yesno", "danger_now", "Anyone in danger now?"],
          ["text", "prs_First_Name", "First name"],
          ["begin group", "place", "Place"],
          ["text", "site", "Site"],
          ["end group", "", ""]]


def xlsform(survey=SURVEY, version="2026120701", form_id="shelter_walk",
            title="Shelter outreach walk", choices=True) -> SimpleUploadedFile:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "survey"
    for row in survey:
        sheet.append(row)
    if choices:
        sheet = workbook.create_sheet("choices")
        for row in (["list_name", "name", "label"], ["yesno", "yes", "Yes"],
                    ["yesno", "no", "No"]):
            sheet.append(row)
    sheet = workbook.create_sheet("settings")
    sheet.append(["form_id", "version", "form_title"])
    sheet.append([form_id, version, title])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile("walk.xlsx", buffer.getvalue())
