"""De-identified exports started from the web, run in the background with progress.

Steps of one job:

1. :func:`start` refuses a second export while one of the organisation's is running,
   saves the job (queued) and, once that transaction commits, starts a thread;
2. the thread (:func:`run`) calls the same service as ``harborlight share export``
   (:func:`~harborlight.insights.database_export.export_organisation`: the disclosure
   gate, the sharing engine, the one audit entry), writing the step reached onto the job
   as the engine announces it;
3. the job ends "done" with the report's summary and its three files in the data folder,
   or "stopped" with one sentence saying why (never a traceback).

A job whose thread died with its server is shown stopped, with that reason: it is not
running in this process, and it made no progress since this process started (or for
:data:`STALE_AFTER`). Jobs run one at a time per organisation: the machine that
serves the pages also runs the export.
"""

from __future__ import annotations

import logging
import shutil
import threading
from datetime import timedelta
from pathlib import Path

from django.db import connection, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from harborlight.errors import DomainError
from harborlight.insights.database_export import export_organisation
from harborlight.insights.models import EXPORT_STEPS, ExportJob, ExportState
from harborlight.sharing import InputProblems, MissingExtra, ParameterError, SharingError

log = logging.getLogger(__name__)

FILES = {"data.csv": "text/csv", "report.json": "application/json",
         "report.html": "text/html"}
#: The engine's steps (export.py announces each) plus the gate's, for the progress bar.
STEPS = EXPORT_STEPS
_ENGINE_STEPS = (("reading", 1), ("generalising", 2), ("synthesising", 2),
                 ("measuring utility", 3), ("measuring re-identification", 4), ("writing", 5))
STALE_AFTER = timedelta(minutes=30)
MISSING_DP = gettext_lazy("Differential privacy is not installed on this server: whoever "
                          "runs it can add it with pip install 'harborlight[sharing]'.")
#: When this process started, and the jobs its threads are running now.
PROCESS_STARTED = timezone.now()
_alive: set[int] = set()


class ExportRefused(DomainError):
    code = "export_refused"
    status = 409


def folder(job: ExportJob) -> Path:
    """Where a job's files live (:meth:`ExportJob.folder`)."""
    return job.folder()


def running(organisation):
    """The organisation's export still running, if any (a stale one is marked stopped)."""
    for job in ExportJob.objects.filter(organisation=organisation,
                                        state__in=[ExportState.QUEUED, ExportState.RUNNING]):
        if job.pk not in _alive and (job.updated_at < PROCESS_STARTED
                                     or timezone.now() - job.updated_at > STALE_AFTER):
            ExportJob.objects.filter(pk=job.pk, state=job.state).update(
                state=ExportState.FAILED, finished_at=timezone.now(),
                problem=_("The export stopped when the server restarted; start it again."))
            continue
        return job
    return None


def start(organisation, user, *, layout: str, k: int | None = None,
          epsilon: float | None = None, delta: float | None = None,
          background: bool = True) -> ExportJob:
    """Queue an export and start it once the request's transaction commits."""
    busy = running(organisation)
    if busy is not None:
        raise ExportRefused(_("An export is already running (started %(when)s by "
                              "%(who)s); wait for it to finish.") % {
            "when": date_format(timezone.localtime(busy.created_at), "DATETIME_FORMAT"),
            "who": busy.created_by.get_username()})
    job = ExportJob.objects.create(organisation=organisation, created_by=user, layout=layout,
                                   k=k, epsilon=epsilon, delta=delta if epsilon else None,
                                   steps_total=len(STEPS))
    if background:
        transaction.on_commit(lambda: threading.Thread(
            target=run, args=(job.pk,), name=f"export-{job.pk}", daemon=True).start())
    return job


def run(job_id: int) -> None:
    """Run one queued job to its end. In its thread, Django opens the thread's own
    database connection on first use; it is closed here when the job ends."""
    _alive.add(job_id)
    try:
        _run(ExportJob.objects.select_related("organisation", "created_by").get(pk=job_id))
    finally:
        _alive.discard(job_id)
        if threading.current_thread() is not threading.main_thread():
            connection.close()


def _run(job: ExportJob) -> None:
    options = {"layout": job.layout, "k": job.k, "epsilon": job.epsilon,
               "measure_risk": True, "seed": None,
               "on_step": lambda step: _progress(job, _step_number(step), step)}
    if job.epsilon is not None:
        options["delta"] = job.delta
    target = folder(job)
    try:  # from the first write on: whatever fails, the job page ends in a sentence
        _progress(job, 0, "", state=ExportState.RUNNING)
        result = export_organisation(job.organisation, out_dir=target, actor=job.created_by,
                                     **options)
    except MissingExtra:
        _fail(job, str(MISSING_DP))
    except InputProblems as problems:
        _fail(job, _sentence(problems.problems))
    except (ParameterError, SharingError) as problem:
        _fail(job, str(problem))
    except Exception:  # the page must end in a sentence; the log keeps the details
        log.exception("export job %s failed", job.pk)
        _fail(job, _("The export failed on the server; nothing was exported. The error is "
                     "in the server's log."))
        shutil.rmtree(target, ignore_errors=True)
    else:
        _update(job, summary=summary(result.report), state=ExportState.DONE,
                finished_at=timezone.now(), step="", step_number=len(STEPS))


def _step_number(step: str) -> int:
    """Which of :data:`STEPS` the engine's announcement starts."""
    for prefix, number in _ENGINE_STEPS:
        if step.startswith(prefix):
            return number
    return 1


def _update(job: ExportJob, **values) -> None:
    """Write the job's progress (an UPDATE: a job deleted meanwhile is no error)."""
    ExportJob.objects.filter(pk=job.pk).update(updated_at=timezone.now(), **values)


def _progress(job: ExportJob, number: int, step: str, state: str | None = None) -> None:
    _update(job, step=step[:200], step_number=number, **({"state": state} if state else {}))


def _fail(job: ExportJob, sentence: str) -> None:
    _update(job, state=ExportState.FAILED, problem=sentence, finished_at=timezone.now())


def _sentence(problems: list[str]) -> str:
    first = problems[0] if problems else ""
    if first.startswith(("no record has consent", "there are no records")):
        return _("No record may be shared: no case holds a consent to de-identified sharing "
                 "that covers the hub. Caseworkers record it on the case page.")
    return _("The records cannot be exported: %(problems)s") % {
        "problems": "; ".join(problems[:3])}


def summary(report: dict) -> dict:
    """What the job page shows of the report (the full one is report.json)."""
    consent = report.get("consent", {})
    risk = report.get("risk", {})
    return {"method": report.get("method"), "rows_in": report.get("rows_in"),
            "rows_out": report.get("rows_out"),
            "records_read": consent.get("records_in"),
            "records_excluded": consent.get("records_excluded"),
            "control_records_withheld": report.get("control_records_withheld"),
            "suppressed_share": report.get("suppressed_share"),
            "fabricated_share": report.get("fabricated_share"),
            "quasi_identifiers": report.get("quasi_identifiers"),
            "risk_evaluated": risk.get("evaluated", True),
            "risk_reason": risk.get("reason", "")}
