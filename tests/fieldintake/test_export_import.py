"""ODK Central and KoboToolbox exports of the HTCDS form come in as field interviews:
the same mapping as a phone's submission, a dry run that says what each row would
become, every problem by row, nothing half-written, idempotent by instanceID."""

from __future__ import annotations

import csv
import json
import zipfile

import pytest
from typer.testing import CliRunner

from harborlight.cases.htcds_io import write_file
from harborlight.cases.models import Case
from harborlight.cli import app
from harborlight.cli.errors import UsageProblem
from harborlight.fieldintake.export_import import ExportUnreadable, import_export
from harborlight.fieldintake.models import Arrival, FieldSubmission, IntakeSetting
from harborlight.intake.models import Channel, Tip
from tests_support import assert_trail, audit_mark

CENTRAL_HEADER = ["SubmissionDate", "start", "end", "con_Consent", "narrative", "danger_now",
                  "minor_involved", "prs_First_Name", "prs_Second_Name", "prs_Gender",
                  "vic_TypeOfExploitation", "vic_Methods_of_Control",
                  "vic_LocationOfExploitation", "photo", "meta-instanceID", "KEY",
                  "SubmitterID", "SubmitterName", "Status", "FormVersion"]


def central_row(key: str, first: str = "Rosa", gender: str = "Feminine",
                narrative: str = "The crew boss keeps their passports.", photo: str = ""):
    return ["2026-12-01T10:00:00.000Z", "", "", "TRUE", narrative, "no", "no", first,
            "Example", gender, "ForcedLabour", "DebtBondage WithholdsDocuments",
            "Farm near Salinas", photo, key, key, "7", "ana", "", "2026120601"]


def write_csv(path, header, rows, delimiter=","):
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, delimiter=delimiter)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def test_a_dry_run_reports_what_rows_would_become_and_writes_nothing(cast, tmp_path):
    path = write_csv(tmp_path / "htcds_intake.csv", CENTRAL_HEADER,
                     [central_row("uuid:a1"), central_row("uuid:a2", first="Lia")])
    mark = audit_mark()
    report = import_export(path, cast.own, dry_run=True)
    assert report.rows == 2 and report.outcomes[Arrival.TIP] == 2 and not report.problems
    lines = report.lines()
    assert "2 would become tips" in lines
    assert "column “prs_First_Name” read as First name" in lines
    assert "column “SubmitterName” ignored" in lines
    assert not Tip.objects.filter(channel=Channel.FIELD).exists()
    assert_trail(mark)


def test_a_central_export_becomes_cases_carrying_the_values_and_again_nothing(
        cast, tmp_path):
    IntakeSetting.objects.create(organisation=cast.own, arrives_as=Arrival.CASE)
    caseworker = cast.role("caseworker")
    path = tmp_path / "htcds_intake.zip"
    with zipfile.ZipFile(path, "w") as archive:
        rows = [central_row("uuid:c1", photo="1733.jpg"), central_row("uuid:c2", first="Lia")]
        table = tmp_path / "table.csv"
        write_csv(table, CENTRAL_HEADER, rows)
        archive.write(table, "htcds_intake.csv")
        archive.writestr("media/1733.jpg", b"\xff\xd8 photo")
    before = set(Case.objects.values_list("pk", flat=True))
    mark = audit_mark()
    report = import_export(path, cast.own, caseworker)
    assert report.written and report.outcomes[Arrival.CASE] == 2 and report.attachments == 1
    new = Case.objects.exclude(pk__in=before)
    assert new.count() == 2 and {c.owner for c in new} == {caseworker}
    tips = list(Tip.objects.filter(case__in=new))
    entries = [("create", tip) for tip in tips] + [("update", tip) for tip in tips]
    entries += [("create", case) for case in new]
    assert_trail(mark, *entries, ("create", "fieldintake.fieldsubmission"))
    photo = FieldSubmission.objects.get(instance_id="uuid:c1").attachments.get()
    assert photo.name == "1733.jpg" and photo.file.read() == b"\xff\xd8 photo"
    out = tmp_path / "out.json"
    write_file(out, new)
    records = {r["prs_FirstName"]: r for r in json.loads(out.read_text())["records"]}
    assert records["Rosa"]["vic_MethodsOfControl"] == "DebtBondage;WithholdsDocuments"
    assert records["Lia"]["prs_Gender"] == "Feminine"

    mark = audit_mark()
    again = import_export(path, cast.own, caseworker)
    assert again.outcomes["already here"] == 2 and again.outcomes[Arrival.CASE] == 0
    assert Case.objects.exclude(pk__in=before).count() == 2
    assert_trail(mark)


def test_a_kobo_export_with_groups_and_option_columns_is_read(cast, tmp_path):
    header = ["start", "interview/narrative", "interview/danger_now", "person/prs_First_Name",
              "vic_Methods_of_Control", "vic_Methods_of_Control/DebtBondage",
              "vic_Methods_of_Control/FalsePromises", "meta/instanceID", "_id", "_uuid",
              "_submission_time", "__version__"]
    rows = [["", "Paid nothing for months.", "yes", "Ines", "DebtBondage", "1", "0",
             "uuid:k1", "12", "k1", "2026-12-01", "vX"],
            ["", "Recruited online.", "no", "Ana", "FalsePromises", "0", "1", "", "13",
             "k2", "2026-12-01", "vX"]]
    path = write_csv(tmp_path / "kobo.csv", header, rows, delimiter=";")
    report = import_export(path, cast.own)
    assert report.written and report.outcomes[Arrival.TIP] == 2, report.lines()
    assert "column “vic_Methods_of_Control/DebtBondage” ignored" in report.lines()
    kept = json.loads(FieldSubmission.objects.get(instance_id="uuid:k2").htcds)
    assert kept == {"prs_FirstName": "Ana", "vic_MethodsOfControl": ["FalsePromises"]}
    tip = FieldSubmission.objects.get(instance_id="uuid:k1").tip
    assert tip.narrative == "Paid nothing for months." and tip.answers["danger_now"] == "yes"


def test_every_problem_is_reported_by_row_and_nothing_is_imported(cast, tmp_path):
    IntakeSetting.objects.create(organisation=cast.own, arrives_as=Arrival.CASE)
    path = write_csv(tmp_path / "bad.csv", CENTRAL_HEADER, [
        central_row("uuid:ok"),
        central_row("uuid:b1", gender="Martian"),
        central_row("", narrative="No key here."),
        central_row("uuid:ok"),
        central_row("uuid:b2", narrative="")])
    mark = audit_mark()
    report = import_export(path, cast.own)
    assert [p.row for p in report.problems] == [3, 4, 5, 6]
    text = "\n".join(report.lines())
    assert "row 3: The answer for prs_Gender: 'Martian' is not one of" in text
    assert "row 4: no instanceID" in text and "row 5: the same interview as row 2" in text
    assert "row 6: The submission has no answer" in text
    assert "4 problems; nothing was imported" in text
    assert not FieldSubmission.objects.exists()
    assert_trail(mark)
    latin = tmp_path / "latin.csv"
    latin.write_bytes("narrative,KEY\nPagó la deuda,uuid:l1\n".encode("latin-1"))
    with pytest.raises(ExportUnreadable, match="not UTF-8 text"):
        import_export(latin, cast.own)
    with pytest.raises(ExportUnreadable, match="not a readable ZIP"):
        broken = tmp_path / "broken.zip"
        broken.write_bytes(b"PK not really")
        import_export(broken, cast.own)
    with pytest.raises(ExportUnreadable, match="no narrative column"):
        import_export(write_csv(tmp_path / "labels.csv", ["What did you see?"], [["x"]]),
                      cast.own)


def test_the_command_runs_a_dry_run_then_imports(cast, tmp_path):
    path = write_csv(tmp_path / "htcds_intake.csv", CENTRAL_HEADER, [central_row("uuid:x1")])
    runner = CliRunner()
    dry = runner.invoke(app, ["import", "odk", str(path), "--organisation", "own",
                              "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "1 would become a tip" in dry.output and not FieldSubmission.objects.exists()
    done = runner.invoke(app, ["import", "odk", str(path), "--organisation", "own",
                               "--by", "own-hotline_operator"])
    assert done.exit_code == 0, done.output
    assert "1 became a tip" in done.output
    assert FieldSubmission.objects.get().tip.logged_by == cast.role("hotline_operator")
    bad = runner.invoke(app, ["import", "odk", str(path), "--organisation", "own",
                              "--by", "nobody"])
    assert isinstance(bad.exception, UsageProblem)
