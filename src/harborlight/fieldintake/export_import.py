"""Import an ODK Central or KoboToolbox export of the HTCDS form (CSV, or Central's ZIP).

Interviews that went to another server first (an ODK Central or KoboToolbox project
running the HTCDS toolkit's form) come into Harborlight as if Collect had sent them here:
each row goes through the submission's own steps (:func:`.submissions.prepare`, then
:func:`.submissions.accept`), so it becomes a tip or a case by the organisation's setting,
with the same mapping of the toolkit's spellings, encrypted, and is skipped when its
``instanceID`` is already here (sent by a phone, or imported before).

The layouts read::

    ODK Central CSV     SubmissionDate, start, ..., grp-prs_First_Name, ...,
                        meta-instanceID, KEY, SubmitterName, ..., FormVersion
    Central ZIP         <form id>.csv (the table above), <form id>-<repeat>.csv, media/
    KoboToolbox CSV     start; ...; grp/prs_First_Name; vic_Methods_of_Control;
                        vic_Methods_of_Control/DebtBondage; ...; meta/instanceID; _uuid
                        (';' or ',' separated; the per-option 0/1 columns are skipped)

A column is the question named by its last group segment (``-`` in Central, ``/`` in
Kobo). The instance id is ``meta-instanceID`` / ``meta/instanceID``, else ``KEY``, else
Kobo's ``_uuid`` (given its ``uuid:`` prefix). A Central ZIP's media file named in a row's
answer is kept as that interview's attachment, encrypted.

Steps of :func:`import_export`:

1. read the table (bounded: at most ``MAX_ROWS`` rows; a ZIP at most ``MAX_UNPACKED``
   bytes unpacked) and map its columns (:class:`Report` lists mapped and ignored ones);
2. check every row as a submission would be checked: an instance id, not twice in the
   file, the answers the tip and the case need; each problem is kept with its row number;
3. a dry run stops here with the report: how many rows would become tips or cases, how
   many were already received, every problem by row;
4. otherwise, if any row has a problem nothing is written; else each new row is accepted
   (its own ``create`` entries, as from a phone), and one ``create`` entry records the
   import as a whole, with its counts.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from harborlight.fieldintake.forms import HTCDS_FORM_ID, htcds_form, is_multiple, standard_name
from harborlight.fieldintake.models import Arrival, FieldSubmission, IntakeSetting
from harborlight.fieldintake.submissions import (TRIAGE_QUESTIONS, Instance, SubmissionError,
                                                 accept, prepare)
from harborlight.formats.text import from_spreadsheet
from harborlight.security.audit.log import audited, record
from harborlight.vocab.loader import htcds_names
from harborlight.vocab.triage import load_rules
from harborlight.vocab.words import field_label

MAX_ROWS = 100_000
MAX_UNPACKED = 500 * 1000 * 1000
OWN_QUESTIONS = {"narrative", *TRIAGE_QUESTIONS}


class ExportUnreadable(Exception):
    """The file is not an export this import reads; the sentence says why."""


@dataclass(frozen=True)
class RowProblem:
    row: int
    message: str

    def __str__(self) -> str:
        return _("row %(row)d: %(message)s") % {"row": self.row, "message": self.message}


@dataclass
class Report:
    """What an import did, or in a dry run would do."""

    dry_run: bool
    arrives_as: str
    rows: int = 0
    outcomes: Counter = field(default_factory=Counter)  # "tip" / "case" / "already here"
    problems: list[RowProblem] = field(default_factory=list)
    mapped: list[tuple[str, str]] = field(default_factory=list)  # (column, question)
    ignored: list[str] = field(default_factory=list)
    attachments: int = 0

    @property
    def written(self) -> bool:
        return not self.dry_run and not self.problems

    def lines(self) -> list[str]:
        """The report in the reader's language (the CLI's is English)."""
        new = self.outcomes[Arrival.TIP] + self.outcomes[Arrival.CASE]
        out = [ngettext("%(count)d row read", "%(count)d rows read", self.rows)
               % {"count": self.rows}]
        out += [_("column “%(column)s” read as %(question)s") % {"column": column,
                                                                   "question": _question_words(name)}
                for column, name in self.mapped if column != name]
        out += [_("column “%(column)s” ignored") % {"column": column} for column in self.ignored]
        if self.dry_run or self.problems:
            becomes = (ngettext("%(count)d would become a tip", "%(count)d would become tips", new)
                       if self.arrives_as == Arrival.TIP else
                       ngettext("%(count)d would become a case", "%(count)d would become cases",
                                new))
        else:
            becomes = (ngettext("%(count)d became a tip", "%(count)d became tips", new)
                       if self.arrives_as == Arrival.TIP else
                       ngettext("%(count)d became a case", "%(count)d became cases", new))
        out.append(becomes % {"count": new} + (
            _(" (with %(count)d attachments)") % {"count": self.attachments}
            if self.attachments else ""))
        out.append(_("%(count)d already received (same instanceID), skipped")
                   % {"count": self.outcomes["already here"]})
        out += [str(problem) for problem in self.problems]
        if self.problems:
            count = len(self.problems)
            out.append((ngettext("%(count)d problem; nothing was imported",
                                 "%(count)d problems; nothing was imported", count)
                        if not self.dry_run else
                        ngettext("%(count)d problem: fix it before importing",
                                 "%(count)d problems: fix them before importing", count))
                       % {"count": count})
        return out


def _question_words(name: str) -> str:
    """What a column was read as, in words: an HTCDS field's label, a triage question's
    wording, else the form's own name for it (the narrative, the instanceID)."""
    if name in htcds_names():
        return field_label(name)
    question = load_rules().question(name)
    return question.words() if question else name


@dataclass
class Row:
    number: int
    instance: Instance
    files: list[tuple[str, bytes]] = field(default_factory=list)


def read_export(path: str | Path) -> tuple[list[Row], list[tuple[str, str]], list[str]]:
    """The rows of an export (file row numbers), the mapped columns and the ignored ones."""
    path = Path(path)
    media: dict[str, bytes] = {}
    try:
        if path.suffix.lower() == ".zip":
            text, media = _from_zip(path)
        elif path.suffix.lower() == ".csv":
            text = path.read_text(encoding="utf-8-sig")
        else:
            raise ExportUnreadable(f"{path.name}: use the CSV or the ZIP that ODK Central or "
                                   "KoboToolbox exports")
    except UnicodeDecodeError:
        raise ExportUnreadable(f"{path.name} is not UTF-8 text; export it again as UTF-8 "
                               "(ODK Central and KoboToolbox do by default)") from None
    if "\x00" in text:
        raise ExportUnreadable(f"{path.name} holds NUL characters: it is not a CSV export")
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    table = csv.reader(io.StringIO(text), delimiter=delimiter)
    header = next(table, None)
    if not header:
        raise ExportUnreadable(f"{path.name} is empty")
    columns, mapped, ignored = _map(header)
    if not any(name == "narrative" for name in columns.values()):
        raise ExportUnreadable(f"{path.name} has no narrative column: is it an export of "
                               "the HTCDS form, with question names (not labels) as headers?")
    rows = []
    for number, values in enumerate(table, start=2):
        if number - 1 > MAX_ROWS:
            raise ExportUnreadable(f"more than {MAX_ROWS:,} rows; split the export")
        if not any(cell.strip() for cell in values):
            continue
        answers = {name: from_spreadsheet(values[index]).strip()
                   for index, name in columns.items() if index < len(values)}
        rows.append(Row(number, Instance(form_id=HTCDS_FORM_ID,
                                         version=answers.pop("FormVersion", ""),
                                         instance_id=_instance_id(answers),
                                         values=answers),
                        [(cell, media[cell]) for cell in dict.fromkeys(values)
                         if cell in media]))
    return rows, mapped, ignored


def import_export(path: str | Path, organisation, by=None, *, dry_run: bool = False,
                  details: dict | None = None) -> Report:
    """Import (or with ``dry_run`` only report) an export into ``organisation``."""
    report = Report(dry_run=dry_run, arrives_as=IntakeSetting.arrival_for(organisation))
    rows, report.mapped, report.ignored = read_export(path)
    report.rows = len(rows)
    known = set(FieldSubmission.objects.filter(
        organisation=organisation, instance_id__in=[r.instance.instance_id for r in rows])
        .values_list("instance_id", flat=True))
    seen: dict[str, int] = {}
    ready = []
    for row in rows:
        instance_id = row.instance.instance_id
        if not instance_id:
            report.problems.append(RowProblem(row.number, "no instanceID (KEY, "
                                              "meta-instanceID or _uuid column)"))
            continue
        if instance_id in seen:
            report.problems.append(RowProblem(row.number, f"the same interview as row "
                                              f"{seen[instance_id]} ({instance_id})"))
            continue
        seen[instance_id] = row.number
        if instance_id in known:
            report.outcomes["already here"] += 1
            continue
        try:
            prepared = prepare(organisation, row.instance.values, by)
        except SubmissionError as error:
            report.problems.append(RowProblem(row.number, error.message))
            continue
        report.outcomes[Arrival.CASE if prepared.as_case else Arrival.TIP] += 1
        report.attachments += len(row.files)
        ready.append((row, prepared))
    if dry_run or report.problems:
        return report
    version = htcds_form().version
    with audited():
        for row, prepared in ready:
            files = [(name, ContentFile(data, name=name)) for name, data in row.files]
            accept(organisation, prepared, row.instance, HTCDS_FORM_ID,
                   row.instance.version or version, files, by)
        if ready:
            record("create", actor=by, organisation=organisation,
                   object_type="fieldintake.fieldsubmission",
                   details={"import": "odk-export", "file": Path(path).name[:100],
                            "created": len(ready), "as": report.arrives_as,
                            "already_here": report.outcomes["already here"],
                            **(details or {})})
    return report


def _map(header: list[str]) -> tuple[dict[int, str], list[tuple[str, str]], list[str]]:
    columns: dict[int, str] = {}
    mapped, ignored = [], []
    for index, column in enumerate(header):
        column = column.strip()
        parts = column.split("/")
        if len(parts) > 1 and is_multiple(standard_name(parts[-2].rsplit("-", 1)[-1]) or ""):
            ignored.append(column)  # Kobo's 0/1 column per option; the list column is read
            continue
        name = parts[-1]
        if name.rsplit("-", 1)[-1] == "instanceID":
            columns[index] = "instanceID"
            continue
        if column in ("KEY", "_uuid", "FormVersion"):
            columns[index] = column
            continue
        if standard_name(name) is None and name not in OWN_QUESTIONS:
            name = name.rsplit("-", 1)[-1]  # Central joins groups with "-"
        if standard_name(name) is not None or name in OWN_QUESTIONS:
            columns[index] = name
            mapped.append((column, standard_name(name) or name))
        else:
            ignored.append(column)
    return columns, mapped, ignored


def _instance_id(answers: dict[str, str]) -> str:
    found = answers.pop("instanceID", "")
    key = answers.pop("KEY", "")
    uuid = answers.pop("_uuid", "")
    value = found or key or uuid
    return value if not value or value.startswith("uuid:") else f"uuid:{value}"


def _from_zip(path: Path) -> tuple[str, dict[str, bytes]]:
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError):
        raise ExportUnreadable(f"{path.name} is not a readable ZIP file") from None
    with archive:
        members = archive.infolist()
        if sum(member.file_size for member in members) > MAX_UNPACKED:
            raise ExportUnreadable(f"{path.name} unpacks to more than "
                                   f"{MAX_UNPACKED / 1e6:,.0f} MB; export without media")
        tables = sorted((m for m in members if m.filename.lower().endswith(".csv")
                         and "/" not in m.filename.strip("/")),
                        key=lambda m: len(m.filename))
        if not tables:
            raise ExportUnreadable(f"{path.name} holds no CSV table")
        text = archive.read(tables[0]).decode("utf-8-sig")
        media = {Path(m.filename).name: archive.read(m) for m in members
                 if not m.is_dir() and "/media/" in f"/{m.filename}"}
    return text, media
