"""Ad-screening runs and the leads they found, kept per organisation.

The ads themselves are never stored: an uploaded batch is screened and discarded. What
is kept is the run's counts and each lead (ranked network) as the screening engine
describes it: masked identifiers, template, places, time span and reasons. Leads name
people who may be victims (stated names in ads), so a lead's details are encrypted.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

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
