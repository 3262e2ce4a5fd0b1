"""Picklist values an organisation adds to the HTCDS ones (part of issue 17).

Indicators an organisation adds to the catalog are values too (field ``"indicator"``,
:mod:`harborlight.intake.catalog`), so they are versioned and retired the same way.

The HTCDS asks for values it does not have yet (forced criminality in scam compounds, for
one); an administrator adds them without a code change. Each value belongs to one
organisation and one picklist of the person record, has words in English and Spanish, and
names the nearest HTCDS value, which exports write in its place (the export report says
which values were mapped). A value in use is retired, never deleted: it stays readable on
the records that hold it and is no longer offered. Every change is a new version
(:class:`LocalValueVersion`: who, when, what the value said); services in
:mod:`harborlight.cases.vocabulary`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class LocalValueQuerySet(models.QuerySet):
    def of(self, organisation, field: str | None = None) -> "LocalValueQuerySet":
        """The organisation's values of one picklist, or of all its picklists (not its
        indicators, field "indicator", which the catalog's pages show)."""
        rows = self.filter(organisation=organisation)
        return rows.filter(field=field) if field else rows.exclude(field="indicator")

    def offered(self) -> "LocalValueQuerySet":
        return self.filter(retired_at__isnull=True)


class LocalValue(models.Model):
    """One value an organisation added to an HTCDS picklist."""

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.CASCADE,
                                     related_name="local_values")
    field = models.CharField(max_length=60, help_text="The HTCDS picklist (field name)")
    code = models.CharField(max_length=20, help_text="Stored on records; starts with x-")
    label_en = models.CharField(max_length=120)
    label_es = models.CharField(max_length=120)
    maps_to = models.CharField(max_length=60,
                               help_text="The nearest HTCDS value, written by exports")
    version = models.PositiveIntegerField(default=1)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    added_at = models.DateTimeField(default=timezone.now)
    retired_at = models.DateTimeField(null=True, blank=True)
    # An indicator (field "indicator") keeps its catalog entry here: id, category, grade,
    # source, cues; its words are label_en/label_es, the HTCDS value it stands for maps_to.
    entry = models.JSONField(default=dict, blank=True)

    objects = LocalValueQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organisation", "field", "code"],
                                               name="cases_local_value_once")]
        ordering = ["field", "label_en"]

    def __str__(self) -> str:
        return f"{self.field} {self.code}"

    def label(self, language: str) -> str:
        return self.label_es if language.startswith("es") and self.label_es else self.label_en


class LocalValueVersion(models.Model):
    """What a local value said at one version, and who made it so."""

    value = models.ForeignKey(LocalValue, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveIntegerField()
    label_en = models.CharField(max_length=120)
    label_es = models.CharField(max_length=120)
    maps_to = models.CharField(max_length=60)
    retired = models.BooleanField(default=False)
    entry = models.JSONField(default=dict, blank=True)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["value", "version"],
                                               name="cases_local_value_version_once")]
        ordering = ["value", "-version"]
