"""Retention policy and purge; the import/export/purge commands."""

from __future__ import annotations

import csv
import datetime
import json

import pytest
from django.utils import timezone
from typer.testing import CliRunner

from harborlight.cases.models import Case, CaseStatus, Person, Task
from harborlight.cases.retention import parse_rules, purge, retention_rules
from harborlight.cli import app
from harborlight.cli.errors import UsageProblem
from harborlight.security.audit.models import AuditEntry
from harborlight.vocab.loader import VocabularyError


def close_long_ago(case, days: int) -> None:
    Case.objects.filter(pk=case.pk).update(
        status=CaseStatus.CLOSED, closed_at=timezone.now() - datetime.timedelta(days=days))


def test_it_purges_closed_cases_past_retention_with_everything_in_them(cast):
    close_long_ago(cast.own_case, 2556)
    close_long_ago(cast.other_case, 30)
    mark = AuditEntry.objects.order_by("-seq").values_list("seq", flat=True).first()
    report = dict((rule.record, counts) for rule, counts in purge(by=None))
    assert report["cases.Case"]["cases.Case"] == 1
    assert report["cases.Case"]["cases.Person"] == 1 and report["cases.Case"]["cases.CaseNote"] == 1
    assert not Case.objects.filter(pk=cast.own_case.pk).exists()
    assert Case.objects.filter(pk=cast.other_case.pk).exists()
    # One entry for the rule that removed something, not one per row it removed.
    [entry] = AuditEntry.objects.filter(seq__gt=mark)
    assert entry.action == "delete" and entry.details["retention"]
    assert entry.details["removed"]["cases.Case"] == 1


def test_it_reports_without_deleting_on_a_dry_run(cast):
    close_long_ago(cast.own_case, 3000)
    report = dict((rule.record, counts) for rule, counts in purge(dry_run=True))
    assert report["cases.Case"]["cases.Case"] == 1
    assert Case.objects.filter(pk=cast.own_case.pk).exists()


def test_it_keeps_open_cases_and_open_tasks_however_old(cast):
    Case.objects.filter(pk=cast.own_case.pk).update(
        opened_at=timezone.now() - datetime.timedelta(days=9000))
    task = Task.objects.create(organisation=cast.own, case=cast.own_case, title="Old but open",
                               due_on=datetime.date(2001, 1, 1))
    purge()
    assert Case.objects.filter(pk=cast.own_case.pk).exists()
    assert Task.objects.filter(pk=task.pk).exists()


def test_it_ships_a_rule_per_record_type():
    assert {r.record for r in retention_rules()} >= {"cases.Case", "cases.Task", "cases.Person"}


def test_it_rejects_a_rule_naming_a_missing_field():
    text = json.dumps({"format": "harborlight-retention", "version": 1, "rules": [
        {"record": "cases.Case", "after": "vanished_at", "days": 5, "what": "x"}]})
    with pytest.raises(VocabularyError, match="retention rule 0"):
        parse_rules(text)


@pytest.fixture
def runner():
    return CliRunner()


def test_it_imports_and_exports_from_the_command_line(cast, tmp_path, runner):
    source = tmp_path / "in.csv"
    with source.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["prs_First_Name", "prs_SecondName", "cas_Status"])
        writer.writerow(["Kemi", "Adebayo", "Active"])
    result = runner.invoke(app, ["import", "htcds", str(source), "--organisation", "own"])
    assert result.exit_code == 0, result.output
    assert "1 created" in result.output and "prs_First_Name" in result.output
    again = runner.invoke(app, ["import", "htcds", str(source), "--organisation", "own"])
    assert "0 created, 0 updated, 1 unchanged" in again.output
    out = tmp_path / "out.json"
    exported = runner.invoke(app, ["export", "htcds", "--out", str(out), "--organisation", "own",
                                   "--reason", "test"])
    assert exported.exit_code == 0, exported.output
    names = {r["prs_SecondName"] for r in json.loads(out.read_text())["records"]}
    assert "Adebayo" in names and "Quintero-Vance" in names


def test_it_reports_import_errors_and_exits_non_zero(cast, tmp_path, runner):
    source = tmp_path / "bad.csv"
    source.write_text("prs_FirstName,prs_Birthdate\nA,1999-01-01\nB,not-a-date\n")
    before = Person.objects.count()
    result = runner.invoke(app, ["import", "htcds", str(source), "--organisation", "own"])
    # run_app turns UsageProblem into its exit code (65: bad input) and a one-line error
    assert isinstance(result.exception, UsageProblem) and result.exception.exit_code == 65
    assert "row 3, prs_Birthdate" in result.output
    assert Person.objects.count() == before


def test_it_purges_from_the_command_line(cast, runner):
    close_long_ago(cast.own_case, 4000)
    result = runner.invoke(app, ["purge", "--dry-run"])
    # the case's kept versions (issue 17) go with it, and are counted first (sorted)
    assert "would remove 2 audit.RecordVersion, 1 cases.Case" in result.output
    assert Case.objects.filter(pk=cast.own_case.pk).exists()
    result = runner.invoke(app, ["purge"])
    assert "removed 2 audit.RecordVersion, 1 cases.Case" in result.output
    assert not Case.objects.filter(pk=cast.own_case.pk).exists()
