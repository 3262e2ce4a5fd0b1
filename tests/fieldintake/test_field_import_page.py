"""Intake staff import an ODK Central / KoboToolbox export on a page: check first (nothing
written, every row's fate and problem), then import, logged by them; others may not."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from harborlight.fieldintake.models import FieldSubmission
from tests_support import audit_mark, audited_entries

PAGE = "/field-intake/import/"
HEADER = "narrative,danger_now,prs_First_Name,vic_Methods_of_Control,meta-instanceID,KEY\n"


def _csv(*rows: str) -> SimpleUploadedFile:
    return SimpleUploadedFile("htcds_intake.csv", (HEADER + "".join(rows)).encode())


GOOD = "The boss keeps their passports.,no,Rosa,DebtBondage,uuid:p1,uuid:p1\n"


def test_it_checks_then_imports_as_the_person_importing(cast, signed_in_client):
    operator = cast.role("hotline_operator")
    client = signed_in_client(operator)
    assert client.get(PAGE).status_code == 200
    mark = audit_mark()
    checked = client.post(PAGE, {"file": _csv(GOOD), "dry_run": "check"})
    text = checked.content.decode()
    assert checked.status_code == 200 and "Ready to import" in text
    assert "1 would become a tip" in text and not FieldSubmission.objects.exists()
    assert not list(audited_entries(since=mark))
    done = client.post(PAGE, {"file": _csv(GOOD), "dry_run": "import"})
    assert done.status_code == 200 and "1 became a tip" in done.content.decode()
    assert FieldSubmission.objects.get().tip.logged_by == operator
    again = client.post(PAGE, {"file": _csv(GOOD), "dry_run": "import"}).content.decode()
    assert "1 already received" in again and FieldSubmission.objects.count() == 1


def test_it_lists_problems_and_imports_nothing(cast, signed_in_client):
    client = signed_in_client(cast.role("hotline_operator"))
    bad = client.post(PAGE, {"file": _csv(GOOD, ",no,Ana,,uuid:p2,uuid:p2\n"),
                             "dry_run": "import"})
    text = bad.content.decode()
    assert bad.status_code == 400 and "nothing was imported" in text
    assert "row 3: The submission has no answer" in text
    unreadable = client.post(PAGE, {"file": SimpleUploadedFile("x.pdf", b"%PDF"),
                                    "dry_run": "check"})
    assert unreadable.status_code == 400 and "use the CSV or the ZIP" in \
        unreadable.content.decode()
    assert not FieldSubmission.objects.exists()


def test_roles_that_do_not_log_tips_are_refused(cast, signed_in_client):
    for role in ("administrator", "caseworker", "analyst", "auditor"):
        client = signed_in_client(cast.role(role))
        assert client.get(PAGE).status_code == 403
        assert client.post(PAGE, {"file": _csv(GOOD), "dry_run": "import"}).status_code == 403
    assert not FieldSubmission.objects.exists()


def test_a_spanish_reader_reads_the_check_in_spanish_and_in_words(cast, signed_in_client):
    """The report says each column by its words (never ``prs_FirstName``) and in the
    reader's language."""
    client = signed_in_client(cast.role("hotline_operator"))
    client.post("/accounts/language/", {"language": "es"})
    text = client.post(PAGE, {"file": _csv(GOOD), "dry_run": "check"}).content.decode()
    assert "1 pasaría a ser un reporte" in text and "1 fila leída" in text
    assert "leída como" in text and "prs_FirstName" not in text
    assert "would become" not in text and "rows read" not in text
