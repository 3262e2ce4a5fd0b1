"""HTCDS import and export: Excel toolkit layout, CSV, JSON; atomic, idempotent, reported."""

from __future__ import annotations

import csv
import json

import openpyxl
import pytest

from harborlight.accounts.models import Role
from harborlight.cases import htcds_io
from harborlight.cases.htcds_io import ImportFailed, import_file, write_file
from harborlight.cases.models import Case, Person
from harborlight.security.audit.models import AuditEntry

ROW = {"prs_FirstName": "Lucía", "prs_SecondName": "Ferreira-Soto",
       "prs_Birthdate": "1999-04-02", "prs_Gender": "Feminine", "prs_Citizenship": "MEX;GTM",
       "prs_MobilePhone": "+1 312-555-0123", "vic_TraffickingStatus": "Possible victim of trafficking",
       "vic_MethodsOfControl": "DebtBondage; Withholds documents", "cas_Status": "Active",
       "con_Consent": "yes"}


def write_csv(path, rows):
    columns = sorted({k for r in rows for k in r})
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)
    return path


def test_it_imports_a_csv_with_labels_or_codes_and_encrypts_names(cast, tmp_path):
    result = import_file(write_csv(tmp_path / "in.csv", [ROW]), cast.own)
    assert result.created == 1
    person = Person.objects.get(case__organisation=cast.own, external_id__startswith="row:")
    assert person.second_name == "Ferreira-Soto"
    assert person.citizenship == "MEX" and person.other_citizenships == ["GTM"]
    assert person.methods_of_control == ["DebtBondage", "WithholdsDocuments"]
    assert person.htcds_consent is True
    assert person.case.trafficking_status == "PossibleVictimOfTrafficking"
    from django.db import connection
    with connection.cursor() as cursor:
        cursor.execute("SELECT second_name FROM cases_person WHERE id = %s", [person.pk])
        assert "Ferreira" not in cursor.fetchone()[0]


def test_it_changes_nothing_when_the_same_file_is_imported_again(cast, tmp_path):
    path = write_csv(tmp_path / "in.csv", [ROW, {**ROW, "prs_FirstName": "Ana"}])
    first = import_file(path, cast.own)
    before = (Case.objects.count(), Person.objects.count())
    again = import_file(path, cast.own)
    assert (first.created, again.created, again.unchanged) == (2, 0, 2)
    assert (Case.objects.count(), Person.objects.count()) == before


def test_it_updates_a_row_matched_by_external_id(cast, tmp_path):
    import_file(write_csv(tmp_path / "a.csv", [{**ROW, "hl_ExternalId": "src-7"}]), cast.own)
    result = import_file(write_csv(tmp_path / "b.csv", [{**ROW, "hl_ExternalId": "src-7",
                                                          "cas_Status": "FollowUp"}]), cast.own)
    assert (result.created, result.updated) == (0, 1)
    assert Case.objects.get(organisation=cast.own, external_id="src-7").status == "FollowUp"


def test_it_imports_nothing_and_names_row_field_and_reason_on_errors(cast, tmp_path):
    rows = [ROW, {**ROW, "prs_FirstName": "B", "prs_Birthdate": "02/04/1999"},
            {**ROW, "prs_FirstName": "C", "vic_MethodsOfControl": "Telepathy"},
            {**ROW, "prs_FirstName": "D", "cas_CaseOwner": "nobody-here"}]
    before = Case.objects.count()
    with pytest.raises(ImportFailed) as failed:
        import_file(write_csv(tmp_path / "bad.csv", rows), cast.own)
    found = {(e.row, e.field) for e in failed.value.errors}
    assert found == {(3, "prs_Birthdate"), (4, "vic_MethodsOfControl"), (5, "cas_CaseOwner")}
    assert "Telepathy" in str(failed.value.errors[1])
    assert Case.objects.count() == before


def test_it_assigns_the_case_owner_by_username(cast, tmp_path):
    caseworker = cast.role(Role.CASEWORKER)
    import_file(write_csv(tmp_path / "in.csv", [{**ROW, "cas_CaseOwner": caseworker.username}]),
                cast.own)
    assert Case.objects.get(organisation=cast.own, external_id__startswith="row:").owner == caseworker


def test_it_reads_the_toolkit_spreadsheet_with_its_typo_and_blank_header(cast, tmp_path,
                                                                          shared_data):
    source = shared_data / "htcds" / "Toolkit" / "HTCDS Excel Spreadsheet v2.0.xlsx"
    workbook = openpyxl.load_workbook(source)
    sheet = workbook.worksheets[0]
    header = [c.value for c in sheet[1]]
    values = {"prs_FirstName": "Rosa", "prs_SecondName": "Ibarra",
              "vic_TraffickinStatusDecisionMakingOrg": "NGO",
              "vic_TraffickingStatus": "ActualVictimOfTrafficking"}
    for column, name in enumerate(header, start=1):
        if name in values:
            sheet.cell(row=3, column=column, value=values[name])
        if name is None and column > 1:
            sheet.cell(row=3, column=column, value="Other")
    path = tmp_path / "toolkit.xlsx"
    workbook.save(path)
    result = import_file(path, cast.own)
    assert result.created == 1
    lines = "\n".join(result.report.lines())
    assert "vic_TraffickinStatusDecisionMakingOrg' -> vic_TraffickingStatusDecisionMakingOrg" in lines
    assert "-> cas_ReasonForOutgoingReferral (blank header" in lines
    case = Case.objects.get(organisation=cast.own, external_id__startswith="row:")
    assert case.trafficking_status_decision_org == "NGO"
    assert case.reason_for_outgoing_referral == "Other"


@pytest.mark.parametrize("suffix", [".xlsx", ".csv", ".json"])
def test_it_round_trips_an_export_without_changing_anything(cast, tmp_path, suffix):
    import_file(write_csv(tmp_path / "in.csv", [ROW]), cast.own)
    path = tmp_path / f"out{suffix}"
    count = write_file(path, Case.objects.filter(organisation=cast.own))
    assert count == 3  # the cast's two cases (one without a victim) and the import
    before = Case.objects.count()
    result = import_file(path, cast.own)
    assert Case.objects.count() == before
    assert result.created == 0 and result.unchanged >= 1


def test_it_exports_the_toolkit_columns_with_standard_spellings(cast, tmp_path):
    path = tmp_path / "out.xlsx"
    write_file(path, Case.objects.filter(organisation=cast.own))
    header = [c.value for c in openpyxl.load_workbook(path).worksheets[0][1]]
    assert header[1:] == htcds_io.TOOLKIT_COLUMNS + ["hl_ExternalId"]


def test_it_accepts_json_in_records_form_with_a_variant_spelling(cast, tmp_path):
    path = tmp_path / "in.json"
    path.write_text(json.dumps({"records": [{"prs_First_Name": "Noa",
                                             "prs_Second_Name": "Kim"}]}))
    result = import_file(path, cast.own)
    assert result.created == 1
    assert "prs_First_Name' -> prs_FirstName (known upstream spelling)" in \
        "\n".join(result.report.lines())


def test_it_writes_an_entry_per_record_and_one_summary_per_import(cast, tmp_path):
    before = AuditEntry.objects.count()
    first = {**ROW, "hl_ExternalId": "src-1"}
    import_file(write_csv(tmp_path / "in.csv", [first, {**ROW, "prs_FirstName": "Z"}]),
                cast.own)
    entries = list(AuditEntry.objects.filter(seq__gt=before).order_by("seq"))
    assert [e.action for e in entries] == ["create", "create", "create"]
    assert [e.details.get("row") for e in entries[:2]] == [2, 3]
    assert {e.object_type for e in entries[:2]} == {"cases.case"} and entries[0].object_id
    assert entries[-1].details["created"] == 2
    changed = dict(first, prs_Gender="Masculine")
    import_file(write_csv(tmp_path / "again.csv", [changed]), cast.own)  # updates one case
    entries = list(AuditEntry.objects.filter(seq__gt=entries[-1].seq).order_by("seq"))
    assert [e.action for e in entries] == ["update", "create"]
    assert entries[0].object_id == AuditEntry.objects.get(seq=before + 1).object_id
    assert entries[-1].details["updated"] == 1