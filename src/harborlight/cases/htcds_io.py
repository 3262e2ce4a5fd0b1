"""Read and write HTCDS flat files: the toolkit's Excel layout, CSV and JSON.

A row carries one case and one person in it (the toolkit spreadsheet's shape), under
HTCDS field names. Harborlight adds two columns of its own: ``hl_ExternalId`` (the id in
the source system; re-imports match on it) and ``hl_CaseReference`` (export only).

Reading maps headers to fields and says how (:class:`HeaderReport`): the standard name,
a known upstream spelling (``prs_First_Name``, ``vic_TraffickinStatusDecisionMakingOrg``),
or, for the toolkit's one blank header, the field label written in the row below it.

Importing (:func:`import_rows`) is atomic: every row is converted and validated first, and
if any value is wrong nothing is written and :class:`ImportFailed` lists every error by row
number, field and reason. A row without ``hl_ExternalId`` gets a keyed fingerprint of its
contents as its external id, so importing the same file twice changes nothing.
"""

from __future__ import annotations

import csv
import datetime
import io
import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Iterator

from harborlight.accounts.models import User
from harborlight.cases.htcds_map import Home, row_fields
from harborlight.cases.models import HOLD_ACTION, Case, CaseStatus, Person, PersonRole
from harborlight.cases.vocabulary import EXTENSIBLE, ExportMapping
from harborlight.formats.text import (CONTROL_CHARACTERS, escaped, from_spreadsheet,
                                      spreadsheet_text)
from harborlight.security.audit.log import audited, record
from harborlight.security.crypto import get_keyring
from harborlight.vocab.loader import htcds_fields, htcds_names, htcds_picklists

EXTERNAL_ID = "hl_ExternalId"
CASE_REFERENCE = "hl_CaseReference"
EXCEL_FIRST_DATA_ROW = 3
# Bounds checked before a spreadsheet is parsed (check_spreadsheet_bounds).
XLSX_MAX_UNCOMPRESSED = 100 * 1000 * 1000
XLSX_MAX_ROWS = 100_000
XLSX_MAX_COLUMNS = 400
BATCH = 1000
TRUE = {"true", "yes", "y", "1", "x", "si", "sí"}
FALSE = {"false", "no", "n", "0"}


class ImportFailed(Exception):
    """The file was not imported; ``errors`` says why, by row, field and reason."""

    def __init__(self, errors: list["RowError"], report: "HeaderReport | None" = None):
        self.errors = errors
        self.report = report
        super().__init__(f"{len(errors)} error(s); nothing was imported")


@dataclass(frozen=True)
class RowError:
    row: int
    field: str
    reason: str

    def __str__(self) -> str:
        return f"row {self.row}, {self.field or '(row)'}: {self.reason}"


@dataclass
class HeaderReport:
    mapped: list[tuple[str, str, str]] = field(default_factory=list)  # (column, field, how)
    ignored: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = [f"{column!r} -> {name} ({how})" for column, name, how in self.mapped
               if how != "exact"]
        exact = sum(1 for _, _, how in self.mapped if how == "exact")
        out.insert(0, f"{exact} columns mapped by their HTCDS name")
        out += [f"{column!r} ignored (not an HTCDS field)" for column in self.ignored]
        return out


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    report: HeaderReport = field(default_factory=HeaderReport)


# -- reading files -----------------------------------------------------------------

def map_headers(headers: list[Any], labels: list[Any] | None = None
                ) -> tuple[dict[int, str], HeaderReport]:
    names = htcds_names()
    by_label = {f["label"].casefold(): f["field"] for f in htcds_fields()}
    report, columns = HeaderReport(), {}
    for index, header in enumerate(headers):
        text = str(header).strip() if header not in (None, "") else ""
        if text in (EXTERNAL_ID, CASE_REFERENCE):
            columns[index] = text
            continue
        if text in names:
            standard = names[text]["field"]
            how = "exact" if standard == text else "known upstream spelling"
        elif not text and labels and labels[index] and \
                str(labels[index]).strip().casefold() in by_label:
            standard, how = by_label[str(labels[index]).strip().casefold()], \
                "blank header, matched by the label below it"
            text = f"column {index + 1}"
        else:
            if text:
                report.ignored.append(text)
            continue
        if standard in columns.values():
            report.ignored.append(text)
            continue
        columns[index] = standard
        report.mapped.append((text, standard, how))
    return columns, report


def _rows_from_table(table: list[list[Any]], first_row: int, labels=None):
    columns, report = map_headers(table[0], labels)
    rows = []
    for offset, values in enumerate(table[1:] if labels is None else table[2:]):
        row = {name: values[i] for i, name in columns.items() if i < len(values)}
        if any(v not in (None, "") for v in row.values()):
            rows.append((first_row + offset, row))
    return rows, report


def check_spreadsheet_bounds(path: Path) -> None:
    """Refuse a spreadsheet that would expand beyond the limits, before parsing it.

    An XLSX file is a zip of XML: 3.6 MB can unpack to gigabytes (a "zip bomb", or a sheet
    claiming a million rows). Steps, each reading at most what the limit allows:

    1. the sizes the zip declares for its members (which zipfile enforces while reading)
       must add up to at most ``XLSX_MAX_UNCOMPRESSED`` bytes;
    2. each worksheet's XML is streamed, element by element, counting rows and the
       widest row; more than ``XLSX_MAX_ROWS`` rows or ``XLSX_MAX_COLUMNS`` columns stops
       the count at once.

    Raises :class:`ImportFailed` naming the limit that was hit.
    """
    import zipfile
    from xml.etree.ElementTree import ParseError, iterparse

    def refuse(reason: str) -> ImportFailed:
        return ImportFailed([RowError(0, "", reason)])

    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError):
        raise refuse("not a readable .xlsx file (it is not a zip archive)") from None
    with archive:
        total = sum(member.file_size for member in archive.infolist())
        if total > XLSX_MAX_UNCOMPRESSED:
            raise refuse(f"the spreadsheet unpacks to {total / 1e6:,.0f} MB; the limit is "
                         f"{XLSX_MAX_UNCOMPRESSED / 1e6:,.0f} MB uncompressed (split it)")
        sheets = [m for m in archive.namelist()
                  if m.startswith("xl/worksheets/") and m.endswith(".xml")]
        for name in sheets:
            rows = 0
            try:
                with archive.open(name) as stream:
                    for _event, element in iterparse(stream, events=("end",)):
                        if not element.tag.endswith("}row"):
                            continue
                        rows += 1
                        if rows > XLSX_MAX_ROWS:
                            raise refuse(f"the spreadsheet has more than {XLSX_MAX_ROWS:,} "
                                         "rows; the limit is that many (split it)")
                        width = max([_column_number(c.get("r"), i) for i, c in
                                     enumerate(element) if c.tag.endswith("}c")] or [0])
                        if width > XLSX_MAX_COLUMNS:
                            raise refuse(f"row {element.get('r') or rows} of the spreadsheet "
                                         f"has {width:,} columns; the limit is "
                                         f"{XLSX_MAX_COLUMNS:,}")
                        element.clear()
            except (ParseError, zipfile.BadZipFile, EOFError):
                raise refuse("the spreadsheet is damaged (its sheet cannot be read)") from None


def _column_number(reference: str | None, position: int) -> int:
    """1-based column of a cell reference such as ``BZ12`` (or its position if none)."""
    if not reference:
        return position + 1
    number = 0
    for char in reference:
        if not char.isalpha():
            break
        number = number * 26 + (ord(char.upper()) - 64)
    return number or position + 1


def read_file(path: str | Path) -> tuple[list[tuple[int, dict]], HeaderReport]:
    """Rows (file row number, {HTCDS name: raw value}) and how the headers were mapped."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        import openpyxl

        check_spreadsheet_bounds(path)
        sheet = openpyxl.load_workbook(path, read_only=True, data_only=True).worksheets[0]
        table = [list(r) for r in sheet.iter_rows(values_only=True)]
        if not table:
            return [], HeaderReport()
        known_labels = {f["label"].casefold() for f in htcds_fields()}
        second = table[1] if len(table) > 1 else []
        is_label_row = sum(1 for v in second if isinstance(v, str)
                           and v.strip().casefold() in known_labels) >= 3
        if is_label_row:
            return _rows_from_table(table, EXCEL_FIRST_DATA_ROW, labels=second)
        return _rows_from_table(table, 2)
    if suffix == ".csv":
        text = path.read_text(encoding="utf-8-sig")
        table = [[from_spreadsheet(cell) for cell in row]
                 for row in csv.reader(io.StringIO(text))]
        return _rows_from_table(table, 2) if table else ([], HeaderReport())
    if suffix == ".json":
        data = json.loads(path.read_text(encoding="utf-8"))
        records = data.get("records", []) if isinstance(data, dict) else data
        if not isinstance(records, list):
            raise ImportFailed([RowError(0, "", "JSON must be a list of objects or "
                                                "{\"records\": [...]}")])
        headers = sorted({k for r in records if isinstance(r, dict) for k in r})
        table = [headers] + [[r.get(h) if isinstance(r, dict) else None for h in headers]
                             for r in records]
        rows, report = _rows_from_table(table, 1)
        return rows, report
    raise ImportFailed([RowError(0, "", f"unsupported file type {suffix!r}; use .xlsx, "
                                        ".csv or .json")])


# -- converting values ---------------------------------------------------------------

def _code(home: Home, text: str) -> str:
    values = htcds_picklists().get(home.htcds)
    if values is None:  # statuses defined by the model (cas_Status, vic_TraffickingStatus)
        values = [{"code": c, "label": c} for c in _model_codes(home)]
    for value in values:
        if text == value["code"] or text.casefold() in (value["code"].casefold(),
                                                         value["label"].casefold()):
            return value["code"]
    raise ValueError(f"{text!r} is not one of the {home.htcds} codes")


def _model_codes(home: Home) -> list[str]:
    from django.apps import apps

    return [c for c, _ in apps.get_model(home.model)._meta.get_field(home.field).choices]


def convert(home: Home, raw: Any, users: dict[str, Any]) -> Any:
    """Raw cell -> model value; raises ValueError with a reason a person can act on."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return {"codes": [], "countries": [], "user": None, "bool": None, "int": None,
                "float": None, "date": None}.get(home.kind, "")
    text = raw.strip() if isinstance(raw, str) else raw
    if home.kind == "text":
        return str(text)
    if home.kind == "date":
        if isinstance(text, datetime.datetime):
            return text.date()
        if isinstance(text, datetime.date):
            return text
        try:
            return datetime.date.fromisoformat(str(text)[:10])
        except ValueError:
            raise ValueError(f"{text!r} is not a date (YYYY-MM-DD)") from None
    if home.kind in ("int", "float"):
        try:
            number = float(text)
        except (TypeError, ValueError):
            raise ValueError(f"{text!r} is not a number") from None
        if home.kind == "int":
            if number != int(number) or number < 0:
                raise ValueError(f"{text!r} is not a whole number")
            return int(number)
        return number
    if home.kind == "bool":
        if isinstance(text, bool):
            return text
        word = str(text).casefold()
        if word in TRUE | FALSE:
            return word in TRUE
        raise ValueError(f"{text!r} is not yes or no")
    if home.kind == "code":
        return _code(home, str(text))
    if home.kind in ("codes", "countries"):
        parts = text if isinstance(text, list) else \
            [p.strip() for p in str(text).replace(",", ";").split(";")]
        parts = [p for p in parts if p]
        if home.kind == "countries":
            bad = [p for p in parts if not (len(p) in (2, 3) and p.isalpha())]
            if bad:
                raise ValueError(f"{', '.join(bad)}: use ISO 3166 country codes")
            return [p.upper() for p in parts]
        return [_code(home, p) for p in parts]
    if home.kind == "user":
        user = users.get(str(text).casefold())
        if user is None:
            raise ValueError(f"no caseworker {text!r} in this organisation")
        return user
    raise ValueError(f"cannot read kind {home.kind}")


def _fingerprint(row: dict) -> str:
    canonical = json.dumps({k: str(v) for k, v in sorted(row.items()) if v not in (None, "")},
                           sort_keys=True, ensure_ascii=False)
    return "row:" + get_keyring().blind_index("cases.import.row", canonical)[:40]


@dataclass
class Converted:
    row: int
    external_id: str
    case: dict
    person: dict


def convert_rows(rows: Iterable[tuple[int, dict]], users: dict[str, Any]
                 ) -> tuple[list[Converted], list[RowError]]:
    homes = {h.htcds: h for h in row_fields()}
    out, errors, seen = [], [], {}
    for number, row in rows:
        values: dict[str, dict] = {"cases.Case": {}, "cases.Person": {}}
        for name, raw in row.items():
            home = homes.get(name)
            if home is None:
                continue
            if isinstance(raw, str) and CONTROL_CHARACTERS.search(raw):
                errors.append(RowError(number, name, "holds a control character; remove it"))
                continue
            try:
                value = convert(home, raw, users)
            except ValueError as exc:
                errors.append(RowError(number, name, str(exc)))
                continue
            if home.kind == "countries":
                values[home.model]["citizenship"] = value[0] if value else ""
                values[home.model]["other_citizenships"] = value[1:]
            else:
                values[home.model][home.field] = value
        for field_name in ("first_name", "second_name", "middle_name", "email",
                           "mobile_phone", "home_phone"):
            value = values["cases.Person"].get(field_name, "")
            limit = Person._meta.get_field(field_name).max_length
            if value and len(value) > limit:
                errors.append(RowError(number, field_name, f"longer than {limit} characters"))
        external = str(row.get(EXTERNAL_ID) or "").strip() or _fingerprint(row)
        if external in seen:
            errors.append(RowError(number, EXTERNAL_ID,
                                   f"same record as row {seen[external]}"))
        seen[external] = number
        out.append(Converted(number, external, values["cases.Case"], values["cases.Person"]))
    return out, errors


# -- importing --------------------------------------------------------------------

def import_rows(rows: list[tuple[int, dict]], organisation, by=None,
                report: HeaderReport | None = None) -> ImportResult:
    """Import rows into ``organisation``: all or nothing, idempotent by external id.

    Every case created or changed gets its own entry (``create`` / ``update``, naming the
    file's row), so the trail says which records a bulk load touched; then one ``create``
    entry with the counts says the import as a whole happened.
    """
    users = {u.username.casefold(): u
             for u in User.objects.allowed_to(HOLD_ACTION, organisation)}
    converted, errors = convert_rows(rows, users)
    if errors:
        raise ImportFailed(errors, report)
    result = ImportResult(report=report or HeaderReport())
    ids = [c.external_id for c in converted]
    existing = dict(Case.objects.filter(organisation=organisation, external_id__in=ids)
                    .values_list("external_id", "pk"))
    # Cases made in Harborlight export their reference as the external id.
    existing.update({ref: pk for ref, pk in Case.objects.filter(
        organisation=organisation, external_id="", reference__in=ids)
        .values_list("reference", "pk") if ref not in existing})
    with audited():
        fresh = [c for c in converted if c.external_id not in existing]
        for start in range(0, len(fresh), BATCH):
            batch = fresh[start:start + BATCH]
            for case, item in zip(_create_batch(batch, organisation), batch):
                record("create", actor=by, obj=case,
                       details={"import": "htcds", "row": item.row})
        result.created = len(fresh)
        matched = [c for c in converted if c.external_id in existing]
        for start in range(0, len(matched), BATCH):
            chunk = matched[start:start + BATCH]
            cases = Case.objects.prefetch_related("persons").in_bulk(
                [existing[c.external_id] for c in chunk])
            for item in chunk:
                case = cases[existing[item.external_id]]
                if _update(case, item):
                    record("update", actor=by, obj=case,
                           details={"import": "htcds", "row": item.row})
                    result.updated += 1
                else:
                    result.unchanged += 1
        if result.created or result.updated:
            record("create", actor=by, organisation=organisation, object_type="cases.case",
                   details={"import": "htcds", "created": result.created,
                            "updated": result.updated, "unchanged": result.unchanged})
    return result


def _case_defaults(values: dict) -> dict:
    values = dict(values)
    if not values.get("status"):
        values["status"] = CaseStatus.ACTIVE
    if not values.get("trafficking_status"):
        values.pop("trafficking_status", None)
    return values


def _create_batch(batch: list[Converted], organisation) -> list[Case]:
    cases = Case.objects.open_many(organisation, [
        Case(external_id=item.external_id, **_case_defaults(item.case)) for item in batch])
    Person.objects.bulk_create([
        Person(organisation=organisation, case=case, role=PersonRole.VICTIM,
               external_id=item.external_id, **item.person)
        for case, item in zip(cases, batch)])
    return cases


def _update(case: Case, item: Converted) -> bool:
    """Apply a row to its existing case and person; save only what changed."""
    people = list(case.persons.all())  # prefetched
    person = next((p for p in people if p.external_id == item.external_id), None) or next(
        (p for p in people if p.role == PersonRole.VICTIM and p.merged_into_id is None
         and p.erased_at is None), None)
    changed = False
    for obj, values in ((case, _case_defaults(item.case)), (person, item.person)):
        if obj is None:
            continue
        for name, value in values.items():
            if getattr(obj, name) != value:
                setattr(obj, name, value)
                changed = True
    if changed:
        case.save()
        if person is not None:
            person.save()
    return changed


def import_file(path: str | Path, organisation, by=None) -> ImportResult:
    rows, report = read_file(path)
    try:
        return import_rows(rows, organisation, by, report)
    except ImportFailed as exc:
        exc.report = report
        raise


# -- exporting --------------------------------------------------------------------

def export_value(home: Home, obj) -> Any:
    value = getattr(obj, home.field) if obj is not None else None
    if home.kind == "countries":
        return ";".join(c for c in [obj.citizenship, *obj.other_citizenships] if c) \
            if obj is not None else ""
    if home.kind == "user":
        return value.username if value is not None else ""
    if home.kind == "codes":
        return ";".join(value or [])
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    return "" if value is None else value


def export_records(cases, mapping: ExportMapping | None = None) -> Iterator[dict]:
    """One flat record per victim (or per case without one), HTCDS names as keys.

    An organisation's own picklist values are written as the HTCDS value they map to
    (``mapping`` counts each, for the export's report)."""
    homes = row_fields()
    cases = cases.select_related("owner").prefetch_related("persons")
    if mapping is None:
        mapping = ExportMapping.for_organisations(
            cases.values_list("organisation_id", flat=True).distinct())
    for case in cases.iterator(chunk_size=BATCH):
        people = [p for p in case.persons.all() if p.role == PersonRole.VICTIM
                  and p.merged_into_id is None and p.erased_at is None] or [None]
        for person in people:
            record = {CASE_REFERENCE: case.reference,
                      EXTERNAL_ID: (person.external_id if person and person.external_id
                                    else case.external_id or case.reference)}
            for home in homes:
                obj = case if home.model == "cases.Case" else person
                record[home.htcds] = export_value(home, obj)
                if home.kind in ("code", "codes") and home.htcds in EXTENSIBLE \
                        and record[home.htcds]:
                    record[home.htcds] = ";".join(
                        mapping.export(case.organisation_id, home.htcds, code)
                        for code in str(record[home.htcds]).split(";"))
            yield record


# The columns of "HTCDS Excel Spreadsheet v2.0.xlsx", in order, spelled as the standard
# spells them (the toolkit's typo and its blank header are corrected on export).
TOOLKIT_COLUMNS = [
    "cas_CaseOwner", "prs_Salutation", "prs_FirstName", "prs_SecondName", "con_Consent",
    "prs_Birthdate", "prs_Gender", "prs_Citizenship", "prs_Title", "prs_Email",
    "prs_HomePhone", "prs_MobilePhone", "prs_MailingCity", "prs_MailingCountry",
    "prs_MailingState", "prs_MailingStreet", "prs_MailingPostalCode", "vic_TraffickingStatus",
    "vic_TraffickingStatusDecisionMakingOrg", "vic_MethodOfRecruitment",
    "vic_LocationOfRecruitment", "vic_MethodsOfControl", "vic_TypeOfExploitation",
    "vic_ForcedLabourIndustry", "vic_TypeOfSexExploitation", "vic_LocationOfExploitation",
    "cas_Status", "cas_ReferringOrganisation", "cas_IncomingReferralDate",
    "cas_ReferringPrimaryCaseWorker", "cas_ReasonForIncomingReferral",
    "cas_IncomingReferralDetails", "cas_ReferredOrganisation", "cas_ReferredPrimaryCaseWorker",
    "cas_ReasonForOutgoingReferral", "cas_OutgoingReferralDate", "cas_OutgoingReferralDetails",
    "cas_ReasonForCaseClosure",
]


def write_file(path: str | Path, cases, mapping: ExportMapping | None = None) -> int:
    """Write ``cases`` to ``path`` (.xlsx in the toolkit layout, .csv or .json).

    Pass an :class:`~harborlight.cases.vocabulary.ExportMapping` as ``mapping`` to learn
    which of the organisation's own values were written as which HTCDS value.

    A stored control character never stops an export: CSV and XLSX write it as ``\x07``
    (JSON escapes it itself); a value that a spreadsheet would run as a formula is text
    (CSV: an apostrophe in front; XLSX: a text cell). See :mod:`harborlight.formats.text`.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".json", ".csv", ".xlsx"):
        raise ValueError(f"unsupported file type {suffix!r}; use .xlsx, .csv or .json")
    # Written into a file created with mode 600 beside the target, then moved into place:
    # identifying data is never readable by other users, not even for a moment.
    fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=suffix, dir=path.parent)
    os.close(fd)
    try:
        if mapping is None:
            mapping = ExportMapping.for_organisations(
                cases.values_list("organisation_id", flat=True).distinct())
        count = _write(Path(temporary), suffix, export_records(cases, mapping))
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)
    return count


def _write(path: Path, suffix: str, records) -> int:
    count = 0
    if suffix == ".json":
        items = list(records)
        path.write_text(json.dumps({"format": "harborlight-htcds", "version": 1,
                                    "records": items}, ensure_ascii=False, indent=1),
                        encoding="utf-8")
        return len(items)
    if suffix == ".csv":
        columns = [CASE_REFERENCE, EXTERNAL_ID] + [h.htcds for h in row_fields()]
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=columns)
            writer.writeheader()
            for record in records:
                writer.writerow({k: spreadsheet_text(v) for k, v in record.items()})
                count += 1
        return count
    if suffix == ".xlsx":
        import openpyxl

        labels = {f["field"]: f["label"] for f in htcds_fields()}
        workbook = openpyxl.Workbook(write_only=True)
        sheet = workbook.create_sheet("Sheet1")
        sheet.append([None, *TOOLKIT_COLUMNS, EXTERNAL_ID])
        sheet.append([None, *[labels[c] for c in TOOLKIT_COLUMNS], "Harborlight external id"])
        for record in records:
            count += 1
            sheet.append([count, *[_xlsx_cell(sheet, record[c]) for c in TOOLKIT_COLUMNS],
                          _xlsx_cell(sheet, record[EXTERNAL_ID])])
        workbook.save(path)
    return count


def _xlsx_cell(sheet, value):
    """An XLSX cell for ``value``: control characters escaped, text kept as text even
    when it starts like a formula."""
    if not isinstance(value, str):
        return value
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(sheet, value=escaped(value))
    cell.data_type = "s"
    return cell
