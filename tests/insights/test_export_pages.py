"""The analysts' de-identified export page: validation, the background job, the files,
the disclosure gate and its one audit entry."""

from __future__ import annotations

import csv
import datetime
import io
import json
import sys

import pytest
from django.db import transaction
from django.utils import timezone

from harborlight.accounts.models import Role
from harborlight.cases.models import Case, Person, PersonRole
from harborlight.cases.retention import purge
from harborlight.consent.disclosure import HUB
from harborlight.consent.models import Consent, ConsentMethod, ConsentPurpose
from harborlight.insights import exports
from harborlight.insights.models import ExportJob, ExportState
from harborlight.security.audit.models import AuditEntry
from tests_support import audit_mark, audited_entries




def shared_case(cast, victims: int, recipient_kind: str = "any", recipient: str = "") -> Case:
    case = Case.objects.create(organisation=cast.own,
                               reference=f"C-EXP{Case.objects.count():04d}-0001")
    for index in range(victims):
        Person.objects.create(organisation=cast.own, case=case, role=PersonRole.VICTIM,
                              gender="Feminine" if index % 3 else "Masculine",
                              citizenship="MDA", types_of_exploitation=["SexualExploitation"])
    Consent.objects.create(organisation=cast.own, case=case,
                           purpose=ConsentPurpose.DEIDENTIFIED_SHARING,
                           method=ConsentMethod.WRITTEN, retention_explained=True,
                           withdrawal_explained=True, recipient_kind=recipient_kind,
                           recipient=recipient, recorded_by=cast.role(Role.CASEWORKER))
    return case


def start(client, **fields):
    data = {"layout": "ctdc-2024", "method": "k", "k": "2", "epsilon": "", "delta": ""}
    data.update(fields)
    return client.post("/insights/export/", data)


def test_it_shows_the_form_with_k_11_and_how_many_cases_may_be_shared(cast, analyst):
    shared_case(cast, 3)
    page = analyst.get("/insights/export/").content.decode()
    total = Case.objects.filter(organisation=cast.own).count()
    assert 'value="11"' in page
    assert f"1 of {total} cases hold a consent" in page
    assert "Start the export" in page


@pytest.mark.parametrize("fields, field, message", [
    ({"k": "1"}, "k", "greater than or equal to 2"),
    ({"k": ""}, "k", "Give k"),
    ({"k": "eleven"}, "k", "Enter a whole number"),
    ({"method": "dp", "epsilon": "0"}, "epsilon", "ε must be greater than 0"),
    ({"method": "dp", "epsilon": "-3"}, "epsilon", "ε must be greater than 0"),
    ({"method": "dp", "epsilon": "80"}, "epsilon", "no meaningful privacy"),
    ({"method": "dp", "epsilon": ""}, "epsilon", "Give ε"),
    ({"method": "dp", "epsilon": "4", "delta": "0.5"}, "delta", "below 0.001"),
    ({"method": "dp", "epsilon": "4", "delta": "0"}, "delta", "greater than 0"),
    ({"layout": "ctdc-1999"}, "layout", "Select a valid choice"),
])
def test_it_refuses_bad_values_beside_the_field_and_starts_nothing(cast, analyst, fields,
                                                                    field, message):
    response = start(analyst, **fields)
    page = response.content.decode()
    assert response.status_code == 400
    assert message in page
    assert f'id="id_{field}_error"' in page or f'id="id_{field}_0_error"' in page
    assert not ExportJob.objects.exists()


def test_it_says_what_to_install_when_differential_privacy_is_missing(cast, analyst,
                                                                      monkeypatch):
    # as on a server without the sharing extra (JAX hidden too, so this process does not
    # load it: its import upsets the in-process CLI tests that follow)
    for name in ("jax", "mbi", "opendp", "opendp.prelude"):
        monkeypatch.setitem(sys.modules, name, None)
    response = start(analyst, method="dp", epsilon="4")
    assert response.status_code == 400
    assert "pip install &#x27;harborlight[sharing]&#x27;" in response.content.decode()
    assert not ExportJob.objects.exists()


def test_it_runs_the_export_in_the_background_and_offers_the_three_files(
        cast, analyst, django_capture_on_commit_callbacks):
    shared = [shared_case(cast, 6) for _ in range(3)]
    shared_case(cast, 4, recipient_kind="named", recipient="Someone else")  # not the hub
    Case.objects.create(organisation=cast.own, reference="C-EXPN-0001")  # no consent
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = start(analyst, k="2")
    job = ExportJob.objects.get()
    assert response.status_code == 302 and response.url == f"/insights/export/{job.pk}/"
    assert job.state == ExportState.QUEUED and len(callbacks) == 1
    page = analyst.get(response.url).content.decode()
    assert "Step 1 of 6" in page and "export_progress.js" in page and "Check again" in page

    mark = audit_mark()
    exports.run(job.pk)  # what the thread the callback starts does, here in the test
    job.refresh_from_db()
    assert job.state == ExportState.DONE, job.problem
    page = analyst.get(f"/insights/export/{job.pk}/").content.decode()
    assert "Ready to download" in page and "export_progress.js" not in page
    for name in ("data.csv", "report.json", "report.html"):
        response = analyst.get(f"/insights/export/{job.pk}/{name}")
        assert response.status_code == 200
        assert f"harborlight-export-{job.pk}-{name}" in response["Content-Disposition"]
    report = json.loads(b"".join(analyst.get(
        f"/insights/export/{job.pk}/report.json").streaming_content))
    assert report["k"] == 2 and report["rows_in"] == 18  # the hand-named consent is out
    rows = list(csv.DictReader(io.StringIO(b"".join(analyst.get(
        f"/insights/export/{job.pk}/data.csv").streaming_content).decode())))
    assert 0 < len(rows) <= 18

    assert [(e.action, e.object_type) for e in audited_entries(since=mark)] == [
        ("export", "sharing.ctdc")]  # one entry for the whole release, nothing else
    entry = audited_entries(since=mark).get()
    consents = sorted(Consent.objects.filter(case__in=shared).values_list("pk", flat=True))
    assert entry.details["consent_count"] == 3 and entry.details["records"] == 18
    assert entry.details["recipient"] == HUB.name
    assert entry.actor_username == cast.role(Role.ANALYST).username
    assert str(consents[0]) in entry.details["consents"]


def test_it_stops_with_a_sentence_when_no_case_may_be_shared(cast, analyst):
    shared_case(cast, 4, recipient_kind="named", recipient="Someone else")
    start(analyst)
    job = ExportJob.objects.get()
    exports.run(job.pk)
    job.refresh_from_db()
    assert job.state == ExportState.FAILED
    page = analyst.get(f"/insights/export/{job.pk}/").content.decode()
    assert "No record may be shared" in page and "Traceback" not in page
    assert analyst.get(f"/insights/export/{job.pk}/data.csv").status_code == 404
    assert not AuditEntry.objects.filter(action="export").exists()


def test_it_ends_in_a_sentence_when_its_first_write_fails(cast, analyst, monkeypatch):
    """A job whose very first progress write fails (CI once saw "database table is
    locked" there) is marked failed at once instead of waiting half an hour as queued."""
    from django.db import OperationalError

    shared_case(cast, 3)
    start(analyst)
    job = ExportJob.objects.get()

    def locked(*args, **kwargs):
        raise OperationalError("database table is locked")

    monkeypatch.setattr(exports, "_progress", locked)
    exports.run(job.pk)
    job.refresh_from_db()
    assert job.state == ExportState.FAILED and job.finished_at is not None
    page = analyst.get(f"/insights/export/{job.pk}/").content.decode()
    assert "The export failed on the server; nothing was exported." in page
    assert not AuditEntry.objects.filter(action="export").exists()
    assert exports.running(cast.own) is None, "a new export may start"


def test_it_runs_one_export_at_a_time(cast, analyst):
    shared_case(cast, 3)
    start(analyst)
    response = start(analyst)
    assert response.status_code == 400
    assert "An export is already running" in response.content.decode()
    assert ExportJob.objects.count() == 1


def test_it_shows_a_job_whose_server_restarted_as_stopped(cast, analyst):
    shared_case(cast, 3)
    start(analyst)
    ExportJob.objects.update(updated_at=ExportJob.objects.get().updated_at
                             - exports.STALE_AFTER * 2, state=ExportState.RUNNING)
    page = analyst.get(f"/insights/export/{ExportJob.objects.get().pk}/").content.decode()
    assert "stopped when the server restarted" in page
    assert start(analyst).status_code == 302  # a new one may start


def test_it_never_stops_a_job_this_process_is_running(cast, analyst):
    shared_case(cast, 3)
    start(analyst)
    job = ExportJob.objects.get()
    ExportJob.objects.update(updated_at=job.updated_at - exports.STALE_AFTER * 2,
                             state=ExportState.RUNNING)
    exports._alive.add(job.pk)  # as while run() works on it in a thread of this process
    try:
        assert exports.running(cast.own).pk == job.pk
    finally:
        exports._alive.discard(job.pk)
    assert exports.running(cast.own) is None  # once its thread is gone, it is stopped


def test_it_keeps_other_organisations_exports_and_files_out_of_reach(cast, analyst,
                                                                     signed_in_client):
    shared_case(cast, 3)
    start(analyst)
    job = ExportJob.objects.get()
    ExportJob.objects.filter(pk=job.pk).update(organisation=cast.other)
    assert analyst.get(f"/insights/export/{job.pk}/").status_code == 404
    assert analyst.get(f"/insights/export/{job.pk}/data.csv").status_code == 404
    caseworker = signed_in_client(cast.role(Role.CASEWORKER))
    assert caseworker.get("/insights/export/").status_code == 403


def test_it_refuses_a_file_name_that_is_not_one_of_the_three(cast, analyst):
    shared_case(cast, 3)
    start(analyst)
    job = ExportJob.objects.get()
    exports.run(job.pk)
    assert analyst.get(f"/insights/export/{job.pk}/..%2Fkeys.json").status_code == 404
    assert analyst.get(f"/insights/export/{job.pk}/other.csv").status_code == 404


def finished_export(analyst) -> ExportJob:
    start(analyst)
    job = ExportJob.objects.get(state=ExportState.QUEUED)
    exports.run(job.pk)
    job.refresh_from_db()
    assert job.state == ExportState.DONE and (job.folder() / "data.csv").is_file()
    return job


def test_it_deletes_finished_exports_with_their_files_after_30_days(
        cast, analyst, django_capture_on_commit_callbacks):
    shared_case(cast, 3)
    old, recent = finished_export(analyst), finished_export(analyst)
    ExportJob.objects.filter(pk=old.pk).update(
        finished_at=timezone.now() - datetime.timedelta(days=31))
    ExportJob.objects.filter(pk=recent.pk).update(
        finished_at=timezone.now() - datetime.timedelta(days=29))

    with django_capture_on_commit_callbacks(execute=True):
        assert old.folder().is_dir(), "a dry run deletes nothing"
        counts = dict((rule.record, removed) for rule, removed in purge(dry_run=True))
        assert counts["insights.ExportJob"] == {"insights.ExportJob": 1}
        assert old.folder().is_dir() and ExportJob.objects.count() == 2
        mark = audit_mark()
        counts = dict((rule.record, removed) for rule, removed in purge())

    assert counts["insights.ExportJob"] == {"insights.ExportJob": 1}
    assert list(ExportJob.objects.values_list("pk", flat=True)) == [recent.pk]
    assert not old.folder().exists(), "the files went with the row"
    assert (recent.folder() / "data.csv").is_file()
    assert analyst.get(f"/insights/export/{old.pk}/data.csv").status_code == 404
    entry = audited_entries(since=mark).get()
    assert entry.action == "delete" and "de-identified exports" in entry.reason


def test_it_keeps_the_files_when_the_deletion_rolls_back(
        cast, analyst, django_capture_on_commit_callbacks):
    shared_case(cast, 3)
    job = finished_export(analyst)
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError), transaction.atomic():
            job.delete()
            raise RuntimeError("something later in the same transaction failed")
    assert ExportJob.objects.filter(pk=job.pk).exists()
    assert (job.folder() / "data.csv").is_file()
