"""CTDC export from the database: consented records only, one audited disclosure."""

from __future__ import annotations

import csv
import json

from harborlight.accounts.models import Role
from harborlight.cli.errors import UsageProblem
from harborlight.cases.models import Case, Person, PersonRole
from harborlight.consent.disclosure import HUB, id_ranges
from harborlight.consent.models import Consent, ConsentMethod, ConsentPurpose, RecipientKind
from harborlight.insights.database_export import export_organisation
from harborlight.security.audit.models import AuditEntry


def case_with_victims(cast, organisation, count: int, consent: bool, **fields) -> Case:
    case = Case.objects.create(organisation=organisation,
                               reference=f"C-DBX{Case.objects.count():04d}-0001")
    for _ in range(count):
        Person.objects.create(organisation=organisation, case=case, role=PersonRole.VICTIM,
                              gender="Feminine", citizenship="MDA",
                              types_of_exploitation=["SexualExploitation"], **fields)
    if consent:
        Consent.objects.create(organisation=organisation, case=case,
                               purpose=ConsentPurpose.DEIDENTIFIED_SHARING,
                               method=ConsentMethod.WRITTEN, retention_explained=True,
                               withdrawal_explained=True,
                               recorded_by=cast.role(Role.CASEWORKER))
    return case


def test_it_exports_only_consented_records_and_audits_the_consents(cast, tmp_path):
    shared = [case_with_victims(cast, cast.own, 6, consent=True) for _ in range(3)]
    case_with_victims(cast, cast.own, 5, consent=False)
    case_with_victims(cast, cast.other, 30, consent=True)
    result = export_organisation(cast.own, out_dir=tmp_path, actor=cast.role(Role.SUPERVISOR),
                                 layout="ctdc-2024", k=2, measure_risk=False)
    report = json.loads((tmp_path / "report.json").read_text())
    # 18 consented victims; 5 unconsented plus the cast's own victim are left out.
    assert report["consent"]["records_excluded"] == 6
    assert report["rows_in"] == 18 and report == result.report
    with (tmp_path / "data.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    assert 0 < len(rows) <= 18
    entry = AuditEntry.objects.get(action="export", object_type="sharing.ctdc")
    consent_ids = sorted(Consent.objects.filter(case__in=shared).values_list("pk", flat=True))
    assert entry.details["consents"] == id_ranges(consent_ids)
    assert entry.details["recipient"] == HUB.name and entry.details["k"] == 2
    assert entry.organisation_id == cast.own.pk


def test_it_leaves_out_records_whose_consent_was_withdrawn(cast, tmp_path):
    case = case_with_victims(cast, cast.own, 12, consent=True)
    case_with_victims(cast, cast.own, 12, consent=True)
    case.consents.get().withdraw(by=cast.role(Role.CASEWORKER), note="Withdrawn by phone")
    export_organisation(cast.own, out_dir=tmp_path, layout="ctdc-2024", k=2,
                        measure_risk=False)
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["rows_in"] == 12


def test_it_asks_which_organisation_when_there_are_several(cast, tmp_path):
    from typer.testing import CliRunner

    from harborlight.cli import app

    runner = CliRunner()
    result = runner.invoke(app, ["share", "export", "--layout", "ctdc-2024", "--k", "2",
                                 "--out", str(tmp_path)])
    # In-process the one-line error arrives as the exception main() turns into exit code 2.
    assert isinstance(result.exception, UsageProblem) and result.exception.exit_code == 2
    assert "choose one with --organisation (other (Other Shelter), own (Own Hotline))" \
        in str(result.exception)
    case_with_victims(cast, cast.own, 12, consent=True)
    result = runner.invoke(app, ["share", "export", "--layout", "ctdc-2024", "--k", "2",
                                 "--no-risk", "--organisation", "own", "--out", str(tmp_path),
                                 "--reason", "quarterly CTDC contribution"])
    assert result.exit_code == 0, result.output
    assert "exported" in result.output and (tmp_path / "data.csv").is_file()


def test_a_database_export_from_the_command_line_needs_a_reason_and_is_kept_private(
        cast, tmp_path):
    from typer.testing import CliRunner

    from harborlight.cli import app

    case_with_victims(cast, cast.own, 12, consent=True)
    command = ["share", "export", "--layout", "ctdc-2024", "--k", "2", "--no-risk",
               "--organisation", "own", "--out", str(tmp_path / "out")]
    refused = CliRunner().invoke(app, command + ["--reason", "   "])
    assert isinstance(refused.exception, UsageProblem) and refused.exception.exit_code == 2
    assert "--reason" in str(refused.exception)
    assert not (tmp_path / "out").exists()
    assert not AuditEntry.objects.filter(action="export").exists()

    result = CliRunner().invoke(app, command + ["--reason", "quarterly CTDC contribution"])
    assert result.exit_code == 0, result.output
    for name in ("data.csv", "report.json", "report.html"):
        assert (tmp_path / "out" / name).stat().st_mode & 0o777 == 0o600, name
    entry = AuditEntry.objects.get(action="export", object_type="sharing.ctdc")
    assert entry.reason.startswith("quarterly CTDC contribution; de-identified sharing with")
    assert entry.details["os_user"] and entry.actor_id is None



def test_it_leaves_out_a_sharing_consent_that_names_someone_else(cast, tmp_path):
    case_with_victims(cast, cast.own, 12, consent=True)
    named = case_with_victims(cast, cast.own, 12, consent=True)
    named.consents.update(recipient_kind=RecipientKind.NAMED, recipient="A university")
    export_organisation(cast.own, out_dir=tmp_path, layout="ctdc-2024", k=2,
                        measure_risk=False)
    assert json.loads((tmp_path / "report.json").read_text())["rows_in"] == 12


def test_it_writes_consent_ids_as_ranges():
    assert id_ranges([7, 3, 4, 5, 12, 4]) == "3-5,7,12"
    assert id_ranges([]) == ""
