"""Import directory entries from CSV: all rows or none, errors by row, field and reason.

Format: UTF-8 (a byte-order mark is accepted), comma-separated, a header row. Columns::

    name*, external_id, services, populations, languages, open_24_7, hours, street, city,
    state, postal_code, country, latitude, longitude, contact_name, phone, email

Lists (services, populations, languages) are separated by ``;`` and use the codes of
``data/directory_vocabulary.json`` (labels are accepted too, in any case). ``open_24_7``
is yes/no, true/false or 1/0. Without coordinates, an entry is placed at its ZIP code's
centroid, or its city's, offline (:mod:`harborlight.referrals.geocoding`). A row with an
``external_id`` already in the directory updates that entry, so importing the same file
twice changes nothing.

Steps: read and check every row, collecting every problem; if there is any, raise
:class:`ImportFailed` with all of them and save nothing; otherwise save every row in one
transaction.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from harborlight.referrals import vocabulary
from harborlight.referrals.geocoding import UnknownPlace, locate
from harborlight.referrals.models import ServiceProvider
from harborlight.security.audit.log import audited, record

MAX_ROWS = 5000
MAX_BYTES = 5 * 1024 * 1024
COLUMNS = ["name", "external_id", "services", "populations", "languages", "open_24_7",
           "hours", "street", "city", "state", "postal_code", "country", "latitude",
           "longitude", "contact_name", "phone", "email"]
TEXT_LIMITS = {"name": 200, "external_id": 64, "hours": 200, "street": 200, "city": 120,
               "state": 60, "postal_code": 20, "country": 3, "contact_name": 150,
               "phone": 40, "email": 254}
TRUE = {"yes", "y", "true", "1", "24/7"}
FALSE = {"no", "n", "false", "0", ""}


@dataclass(frozen=True)
class RowError:
    row: int          # the line in the file, the header being line 1
    field: str
    reason: str

    def __str__(self) -> str:
        return f"row {self.row}, {self.field or 'file'}: {self.reason}"


class ImportFailed(Exception):
    """The file has problems; nothing was imported. ``errors`` lists every one."""

    def __init__(self, errors: list[RowError]):
        super().__init__(f"{len(errors)} problem(s); nothing was imported")
        self.errors = errors


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    geocoded: int = 0
    warnings: list[str] = field(default_factory=list)


def import_providers(organisation, data: bytes, by=None) -> ImportResult:
    """Import ``data`` (CSV bytes) into ``organisation``'s directory; see the module doc.

    The import is one act: one ``create`` entry with the counts.
    """
    rows = list(_read(data))
    errors: list[RowError] = []
    parsed: list[tuple[int, dict]] = []
    seen_ids: dict[str, int] = {}
    for line, raw in rows:
        values, row_errors = _parse_row(line, raw)
        external_id = values.get("external_id", "")
        if external_id:
            if external_id in seen_ids:
                row_errors.append(RowError(line, "external_id", f"also used on row "
                                                               f"{seen_ids[external_id]}"))
            seen_ids.setdefault(external_id, line)
        errors.extend(row_errors)
        parsed.append((line, values))
    if not parsed and not errors:
        errors.append(RowError(2, "", "the file has a header but no rows"))
    if errors:
        raise ImportFailed(errors)
    result = ImportResult()
    with audited():
        for line, values in parsed:
            result.geocoded += values.pop("_geocoded", 0)
            external_id = values.get("external_id", "")
            existing = (ServiceProvider.objects.filter(organisation=organisation,
                                                       external_id=external_id).first()
                        if external_id else None)
            if existing is None:
                ServiceProvider.objects.create(organisation=organisation, **values)
                result.created += 1
            else:
                for name, value in values.items():
                    setattr(existing, name, value)
                existing.save()
                result.updated += 1
        record("create", actor=by, organisation=organisation,
               object_type="referrals.serviceprovider",
               details={"import": True, "created": result.created, "updated": result.updated})
    return result


def _read(data: bytes):
    if len(data) > MAX_BYTES:
        raise ImportFailed([RowError(1, "", f"the file is larger than "
                                            f"{MAX_BYTES // (1024 * 1024)} MB")])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportFailed([RowError(1, "", f"the file is not UTF-8 text (byte "
                                            f"{exc.start})")]) from None
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [name.strip().lower() for name in (reader.fieldnames or [])]
    if not header:
        raise ImportFailed([RowError(1, "", "the file is empty; it needs a header row")])
    unknown = [name for name in header if name not in COLUMNS]
    problems = [RowError(1, name, "unknown column; expected some of: " + ", ".join(COLUMNS))
                for name in unknown]
    if "name" not in header:
        problems.append(RowError(1, "name", "the required column is missing"))
    if len(set(header)) != len(header):
        problems.append(RowError(1, "", "a column appears twice"))
    if problems:
        raise ImportFailed(problems)
    reader.fieldnames = header
    for index, row in enumerate(reader):
        if index >= MAX_ROWS:
            raise ImportFailed([RowError(index + 2, "", f"more than {MAX_ROWS} rows; split "
                                                        "the file")])
        if None in row:
            raise ImportFailed([RowError(reader.line_num, "", "more values than columns")])
        if not any((value or "").strip() for value in row.values()):
            continue
        yield reader.line_num, row


def _parse_row(line: int, raw: dict) -> tuple[dict, list[RowError]]:
    errors: list[RowError] = []
    text = {name: (raw.get(name) or "").strip() for name in COLUMNS}
    for name, limit in TEXT_LIMITS.items():
        if len(text[name]) > limit:
            errors.append(RowError(line, name, f"at most {limit} characters"))
    if not text["name"]:
        errors.append(RowError(line, "name", "a name is required"))
    values: dict = {name: text[name] for name in TEXT_LIMITS}
    values["country"] = values["country"].upper()
    for kind in ("services", "populations", "languages"):
        codes, bad = _codes(kind, text[kind])
        values[kind] = codes
        for item in bad:
            errors.append(RowError(line, kind, f"unknown value {item!r}; use one of: "
                                               + ", ".join(getattr(vocabulary, kind)())))
    flag = text["open_24_7"].lower()
    if flag not in TRUE | FALSE:
        errors.append(RowError(line, "open_24_7", "use yes or no"))
    values["open_24_7"] = flag in TRUE
    if text["email"]:
        try:
            validate_email(text["email"])
        except ValidationError:
            errors.append(RowError(line, "email", "not an email address"))
    values["latitude"], values["longitude"] = None, None
    for name, bound in (("latitude", 90), ("longitude", 180)):
        if text[name]:
            try:
                number = float(text[name])
            except ValueError:
                errors.append(RowError(line, name, "not a number"))
                continue
            if not -bound <= number <= bound:
                errors.append(RowError(line, name, f"must be between -{bound} and {bound}"))
                continue
            values[name] = number
    if bool(text["latitude"]) != bool(text["longitude"]):
        errors.append(RowError(line, "latitude" if not text["latitude"] else "longitude",
                               "give both latitude and longitude, or neither"))
    if values["latitude"] is None and not errors:
        place = _place_for(text)
        if place is not None:
            values["latitude"], values["longitude"] = place.latitude, place.longitude
            values["_geocoded"] = 1
    return values, errors


def _place_for(text: dict):
    """The offline centroid of the row's ZIP code, else its city; None if neither is known
    (the entry is kept, and simply has no distance in searches)."""
    candidates = [text["postal_code"]]
    if text["city"]:
        candidates.append(f"{text['city']}, {text['state']}" if len(text["state"]) == 2
                          else text["city"])
    for candidate in candidates:
        if not candidate:
            continue
        try:
            return locate(candidate)
        except UnknownPlace:
            continue
    return None


def _codes(kind: str, text: str) -> tuple[list[str], list[str]]:
    table = getattr(vocabulary, kind)()
    by_label = vocabulary.codes_by_label(kind)
    codes, bad = [], []
    for item in (part.strip() for part in text.split(";")):
        if not item:
            continue
        code = item if item in table else by_label.get(item.casefold(),
                                                        item.lower() if item.lower() in table
                                                        else None)
        if code is None:
            bad.append(item)
        elif code not in codes:
            codes.append(code)
    return sorted(codes), bad
