"""Ad-screening runs and the leads they found, kept per organisation.

The ads themselves are never stored: an uploaded batch is screened and discarded. What
is kept is the run's counts and each lead (ranked network) as the screening engine
describes it: masked identifiers, template, places, time span and reasons. Leads name
people who may be victims (stated names in ads), so a lead's details are encrypted.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from harborlight.intake import triage
from harborlight.intake.models import CallerType, Channel
from harborlight.security.audit.log import audited
from harborlight.security.fields import EncryptedJSONField


class ScreeningRun(models.Model):
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT,
                                     related_name="screening_runs")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    source_name = models.CharField(max_length=200)
    ads_screened = models.PositiveIntegerField(default=0)
    records_skipped = models.PositiveIntegerField(default=0)
    networks_found = models.PositiveIntegerField(default=0)
    # Line numbers and reasons only; never the text of a skipped line.
    problems = models.JSONField(default=list, blank=True)
    summary = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"screening run {self.pk} ({self.source_name})"


class Lead(models.Model):
    """One ranked network from a screening run."""

    audit_sensitive = True
    view_action = "screening.run"

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT,
                                     related_name="leads")
    run = models.ForeignKey(ScreeningRun, on_delete=models.CASCADE, related_name="leads")
    rank = models.PositiveIntegerField()
    network_id = models.CharField(max_length=64)
    score = models.FloatField()
    size = models.PositiveIntegerField()
    details = EncryptedJSONField()
    tip = models.ForeignKey("intake.Tip", on_delete=models.SET_NULL, null=True, blank=True,
                            related_name="+")

    class Meta:
        ordering = ["run", "rank"]
        constraints = [models.UniqueConstraint(fields=["run", "rank"], name="lead_rank_in_run")]

    def __str__(self) -> str:
        return f"lead {self.network_id}"

    @property
    def cities(self) -> list[str]:
        return [entry["place"] for entry in self.details.get("cities", [])]

    @property
    def template_text(self) -> str:
        return (self.details.get("template") or {}).get("text", "")

    def narrative(self) -> str:
        """A tip narrative from the lead: what links the ads, never a raw contact value."""
        details = self.details
        lines = [f"Ad-screening lead {self.network_id}: {self.size} linked ads, "
                 f"score {self.score:.1f}."]
        lines += [f"- {reason}" for reason in details.get("reasons", [])[:15]]
        lines.append(f"Seen from {details.get('first_seen', '?')} to "
                     f"{details.get('last_seen', '?')} in: {', '.join(self.cities[:10])}.")
        if self.template_text:
            lines.append(f"Template: {self.template_text[:500]}")
        return "\n".join(lines)

    def to_tip(self, by):
        """Open an intake tip from this lead (once); return the tip. One act: the tip's
        ``create`` entry says it was logged; the lead's link to it is part of that act."""
        if self.tip_id is not None:
            return self.tip
        with audited():
            tip, _ = triage.create_tip(
                self.organisation, narrative=self.narrative(), channel=Channel.WEB,
                location=", ".join(self.cities[:10]), caller_type=CallerType.PROFESSIONAL,
                logged_by=by)
            self.tip = tip
            self.save(update_fields=["tip"])
        return tip


#: The steps of an export as the page names them: the gate's, then the engine's.
EXPORT_STEPS = (_("Checking consent to de-identified sharing"),
                _("Reading the consented records"),
                _("Protecting the records"),
                _("Measuring what the release keeps (utility)"),
                _("Measuring re-identification risk"),
                _("Writing data.csv, report.json and report.html"))


class ExportLayout(models.TextChoices):
    CTDC_2024 = "ctdc-2024", _("CTDC 2024 (the current global layout)")
    CTDC_2021 = "ctdc-2021", _("CTDC 2021 (the earlier layout)")


class ExportState(models.TextChoices):
    QUEUED = "queued", _("Waiting to start")
    RUNNING = "running", _("Running")
    DONE = "done", _("Ready to download")
    FAILED = "failed", _("Stopped")


class ExportJobQuerySet(models.QuerySet):
    def delete(self):
        """Delete the jobs and, once the deletion commits, their files: a job's files
        never outlive its row (the retention policy deletes jobs this way)."""
        folders = [job.folder() for job in self.only("pk", "organisation_id")]
        deleted = super().delete()
        transaction.on_commit(lambda: [shutil.rmtree(path, ignore_errors=True)
                                       for path in folders])
        return deleted


class ExportJob(models.Model):
    """One de-identified export started from the web, run in the background.

    The files (data.csv, report.json, report.html) live in the data folder
    (:meth:`folder`) and go with the row when it is deleted (the retention policy,
    ``cases/data/retention.json``, deletes finished jobs after 30 days); the row keeps
    the settings, the step reached and, when done, the report's summary. The release
    itself is audited once, by
    :func:`harborlight.insights.database_export.export_organisation`.
    """

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT,
                                     related_name="export_jobs")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    layout = models.CharField(max_length=20, choices=ExportLayout.choices)
    k = models.PositiveIntegerField(null=True, blank=True)
    epsilon = models.FloatField(null=True, blank=True)
    delta = models.FloatField(null=True, blank=True)
    state = models.CharField(max_length=10, choices=ExportState.choices,
                             default=ExportState.QUEUED)
    step = models.CharField(max_length=200, blank=True)
    step_number = models.PositiveSmallIntegerField(default=0)
    steps_total = models.PositiveSmallIntegerField(default=6)
    problem = models.TextField(blank=True)
    summary = models.JSONField(default=dict, blank=True)

    objects = ExportJobQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"export {self.pk} ({self.layout})"

    def folder(self) -> Path:
        """Where the job's files live: its organisation's exports folder."""
        return (Path(settings.DATA_DIR) / "exports" / f"org-{self.organisation_id}"
                / f"job-{self.pk}")

    def delete(self, *args, **kwargs):
        return ExportJob.objects.filter(pk=self.pk).delete()

    @property
    def method_label(self) -> str:
        if self.k is not None:
            return _("k-anonymity, k = %(k)d") % {"k": self.k}
        return _("differential privacy, ε = %(epsilon)g, δ = %(delta)g") % {
            "epsilon": self.epsilon, "delta": self.delta}

    @property
    def finished(self) -> bool:
        return self.state in (ExportState.DONE, ExportState.FAILED)

    @property
    def step_label(self) -> str:
        """The step reached, in words: "Step 3 of 6: Protecting the records"."""
        return _("Step %(n)d of %(total)d: %(step)s") % {
            "n": self.step_number + 1, "total": self.steps_total,
            "step": EXPORT_STEPS[min(self.step_number, len(EXPORT_STEPS) - 1)]}

    @property
    def percent(self) -> int:
        if self.state == ExportState.DONE:
            return 100
        return int(100 * self.step_number / max(self.steps_total, 1))


class NoisyRelease(models.Model):
    """One differentially private release of the dashboard's counts: an entry of the
    organisation's privacy ledger for dashboards.

    A viewer who may not see exact counts (no ``insights.exact``) sees noisy ones
    (:mod:`harborlight.insights.noisy`). Each set of filters is released once per period
    (calendar month, UTC) and kept here; later loads, downloads and other viewers reuse it,
    so reloading spends nothing. The ``epsilon`` of a period's rows adds up to no more than
    the period's budget. ``counts`` holds only noisy figures, never exact ones.
    """

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT,
                                     related_name="noisy_releases")
    period = models.CharField(max_length=7)  # "2026-12"
    filters_key = models.CharField(max_length=300)
    epsilon = models.FloatField()
    counts = models.JSONField(default=dict)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["organisation", "period", "filters_key"],
                                               name="noisy_release_once_per_period")]

    def __str__(self) -> str:
        return f"noisy release {self.pk} ({self.period})"
