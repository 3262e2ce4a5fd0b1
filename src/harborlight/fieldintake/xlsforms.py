"""An organisation's own XLSForms: checked, converted with pyxform, kept per version.

An administrator uploads an ``.xlsx`` XLSForm (``catalog.manage``). Steps of
:func:`add_form`, nothing written unless every one passes:

1. the file's bounds (the HTCDS import's zip-bomb check: unpacked size, rows, columns);
2. Harborlight's own reading of the sheets, which lists *every* problem it finds, each
   with its sheet and row: a question without a type or name, a name an XForm cannot
   hold, a name used twice, a select from a list the choices sheet lacks, no ``narrative``
   question (an interview becomes a tip, and a tip is its narrative), a form id or version
   missing, the HTCDS form's id, a version already uploaded;
3. pyxform's conversion, whose first error (it stops there) is shown the same way
   (``[row : 5] ...`` becomes row 5 of the sheet it names);
4. the form is saved as a new version (``OrganisationForm``) and audited once
   (``create``). Older versions stay: the form list serves the newest, submissions made
   with any kept version are taken.
"""

from __future__ import annotations

import re
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

import openpyxl
from openpyxl.utils.exceptions import InvalidFileException
from pyxform.errors import PyXFormError
from pyxform.xls2xform import convert

from harborlight.cases.htcds_io import ImportFailed, check_spreadsheet_bounds
from harborlight.errors import DomainError
from harborlight.fieldintake.forms import HTCDS_FORM_ID
from harborlight.fieldintake.models import Arrival, IntakeSetting, OrganisationForm
from harborlight.security.audit.log import audited, record

# pyxform's rule for names (an XML element name without a colon).
NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\-]*$")
STRUCTURE = {"end group", "end_group", "end repeat", "end_repeat"}
PYXFORM_ROW = re.compile(r"^\[row : (\d+)\]\s*")
PYXFORM_SHEET = re.compile(r"On the '(\w+)' sheet")


@dataclass(frozen=True)
class Problem:
    sheet: str
    row: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.sheet}, row {self.row}" if self.row else self.sheet
        return f"{where}: {self.message}"


class FormRejected(DomainError):
    """The XLSForm was not added; ``problems`` lists why, by sheet and row."""

    code = "xlsform"
    status = 400

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        count = len(problems)
        super().__init__(f"The form was not added: {count} problem"
                         f"{'' if count == 1 else 's'} to fix in the file, listed below.")


@dataclass(frozen=True)
class Converted:
    form_id: str
    version: str
    title: str
    xform: str


def add_form(organisation, data: bytes, filename: str, by) -> OrganisationForm:
    """Check and convert an uploaded XLSForm, then keep it as a new version (audited)."""
    converted = check(organisation, data, filename)
    with audited():
        form = OrganisationForm.objects.create(
            organisation=organisation, form_id=converted.form_id, version=converted.version,
            title=converted.title, xform=converted.xform, source_name=filename[:200],
            uploaded_by=by)
        record("create", actor=by, obj=form, organisation=organisation,
               details={"form_id": form.form_id, "version": form.version})
    return form


def set_arrival(organisation, arrives_as: str, by) -> IntakeSetting:
    """What the organisation's field interviews become (a tip, or a case); audited."""
    if arrives_as not in Arrival.values:
        raise DomainError(f"“{arrives_as}” is not a choice here.", field="arrives_as")
    with audited():
        setting, _ = IntakeSetting.objects.update_or_create(
            organisation=organisation, defaults={"arrives_as": arrives_as})
        record("update", actor=by, obj=setting, organisation=organisation,
               details={"arrives_as": arrives_as})
    return setting


def check(organisation, data: bytes, filename: str) -> Converted:
    """Every problem of the file by sheet and row, or the converted form."""
    if not filename.lower().endswith(".xlsx"):
        raise FormRejected([Problem("file", None, "Upload the form as an .xlsx file "
                                                  "(Excel, LibreOffice or Google Sheets).")])
    with tempfile.TemporaryDirectory(prefix="harborlight-xlsform-") as folder:
        path = Path(folder) / "form.xlsx"
        path.write_bytes(data)
        try:
            check_spreadsheet_bounds(path)
            workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
        except ImportFailed as failure:
            raise FormRejected([Problem("file", None, e.reason)
                                for e in failure.errors]) from None
        except (OSError, ValueError, KeyError, InvalidFileException, zipfile.BadZipFile):
            raise FormRejected([Problem("file", None, "The file is not a readable .xlsx "
                                                      "workbook.")]) from None
        sheets = {sheet.title.strip().lower(): [list(r) for r in sheet.iter_rows(
            values_only=True)] for sheet in workbook.worksheets}
        workbook.close()
        problems, form_id, version, title = _read(organisation, sheets)
        if problems:
            raise FormRejected(problems)
        try:
            result = convert(str(path))
        except PyXFormError as error:
            raise FormRejected([_pyxform_problem(str(error))]) from None
        except (ValueError, KeyError, TypeError) as error:  # pyxform met what it cannot read
            raise FormRejected([Problem("file", None, "pyxform could not convert the form "
                                        f"({type(error).__name__}: {error}).")]) from None
    return Converted(form_id=form_id, version=version, title=title or form_id,
                     xform=result.xform)


def _table(rows: list[list]) -> tuple[list[str], list[tuple[int, dict]]]:
    """Header names and (row number, {column: text}) of the non-empty rows."""
    if not rows:
        return [], []
    header = [str(cell).strip().lower() if cell is not None else "" for cell in rows[0]]
    out = []
    for number, values in enumerate(rows[1:], start=2):
        row = {name: str(value).strip() for name, value in zip(header, values)
               if name and value is not None and str(value).strip()}
        if row:
            out.append((number, row))
    return header, out


def _read(organisation, sheets: dict[str, list[list]]):
    problems: list[Problem] = []
    if "survey" not in sheets:
        return [Problem("survey", None, "The workbook has no sheet named “survey”.")], "", "", ""
    header, survey = _table(sheets["survey"])
    for column in ("type", "name"):
        if column not in header:
            problems.append(Problem("survey", 1, f"No “{column}” column in the header row."))
    _, choices = _table(sheets.get("choices", []))
    lists = {row.get("list_name", "") for _, row in choices} - {""}
    seen: dict[str, int] = {}
    has_narrative = False
    for number, row in survey:
        kind = " ".join(row.get("type", "").split())
        name = row.get("name", "")
        if not kind:
            problems.append(Problem("survey", number, f"The question “{name}” has no type."))
            continue
        if kind.lower() in STRUCTURE:
            continue
        if not name:
            problems.append(Problem("survey", number, f"The “{kind}” row has no name."))
            continue
        if not NAME.match(name):
            problems.append(Problem("survey", number, f"“{name}” cannot be a question name: "
                                    "start with a letter or _, then letters, digits, _ - "
                                    "or . only."))
        elif name in seen:
            problems.append(Problem("survey", number, f"The name “{name}” is already used "
                                    f"on row {seen[name]}."))
        seen.setdefault(name, number)
        parts = kind.split()
        if parts[0] in ("select_one", "select_multiple") and len(parts) > 1 \
                and parts[1] not in lists:
            problems.append(Problem("survey", number, f"The list “{parts[1]}” is not on the "
                                    "choices sheet."))
        if name == "narrative" and parts[0] == "text":
            has_narrative = True
    if survey and not has_narrative:
        problems.append(Problem("survey", None, "The form needs a text question named "
                                "“narrative” (what the person saw or heard): every field "
                                "interview becomes a tip, and a tip is its narrative."))
    _, settings_rows = _table(sheets.get("settings", []))
    settings = settings_rows[0][1] if settings_rows else {}
    row = settings_rows[0][0] if settings_rows else 2
    form_id, version = settings.get("form_id", ""), settings.get("version", "")
    if not form_id:
        problems.append(Problem("settings", row, "Give the form an id (column “form_id”)."))
    elif form_id == HTCDS_FORM_ID:
        problems.append(Problem("settings", row, f"“{HTCDS_FORM_ID}” is Harborlight's own "
                                "HTCDS form; give yours another form_id."))
    elif not NAME.match(form_id):
        problems.append(Problem("settings", row, f"“{form_id}” cannot be a form id: "
                                "letters, digits, _ - or . only."))
    if not version:
        problems.append(Problem("settings", row, "Give the form a version (column "
                                "“version”, for example 2026120601); Collect tells "
                                "versions apart by it."))
    elif form_id and OrganisationForm.objects.filter(
            organisation=organisation, form_id=form_id, version=version).exists():
        problems.append(Problem("settings", row, f"Version “{version}” of “{form_id}” is "
                                "already here; raise the version to add a new one."))
    return problems, form_id, version, settings.get("form_title", "")


def _pyxform_problem(text: str) -> Problem:
    """pyxform's message as a problem: ``[row : 5]`` and the sheet it names, if any."""
    row = None
    if match := PYXFORM_ROW.match(text):
        row = int(match.group(1))
        text = text[match.end():]
    sheet = match.group(1) if (match := PYXFORM_SHEET.search(text)) else "survey"
    return Problem(sheet, row, text.strip())
