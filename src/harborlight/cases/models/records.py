"""Survivor-centred records around a case: events, plans, services, tasks, organisation.

Free text is encrypted (plans are written with, and often in the words of, the survivor).
Dates that order a timeline or a task list stay in the clear; places below city level and
coordinates are encrypted.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from harborlight.cases.models.core import Case, OnACase, OrganisationRecord, Person
from harborlight.cases.validators import HtcdsCode
from harborlight.security.audit.log import audited, record
from harborlight.security.fields import EncryptedCharField, EncryptedTextField


class EventType(models.TextChoices):
    """HTCDS hte_Type."""

    RECRUITMENT = "Recruitment", _("Recruitment")
    TRANSIT = "Transit", _("Transit")
    EXPLOITATION = "Exploitation", _("Exploitation")


class GoalStatus(models.TextChoices):
    OPEN = "open", _("Working on it")
    ACHIEVED = "achieved", _("Achieved")
    PAUSED = "paused", _("Paused by the survivor")
    DROPPED = "dropped", _("No longer wanted")


class ServiceKind(models.TextChoices):
    SHELTER = "shelter", _("Shelter")
    MEDICAL = "medical", _("Medical care")
    MENTAL_HEALTH = "mental_health", _("Mental health")
    LEGAL = "legal", _("Legal aid")
    IMMIGRATION = "immigration", _("Immigration relief")
    EDUCATION = "education", _("Education")
    VOCATIONAL = "vocational", _("Vocational training and work")
    FINANCIAL = "financial", _("Financial support")
    SUBSTANCE_USE = "substance_use", _("Substance use support")
    OTHER = "other", _("Other")


class TaskKind(models.TextChoices):
    GENERAL = "general", _("Task")
    SAFETY_REVIEW = "safety_review", _("Safety plan review")


class CaseRecord(OnACase, OrganisationRecord):
    """What every record hanging off a case shares: organisation, case, permissions."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, null=True, blank=True,
                               related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        abstract = True


class OrganisationProfile(models.Model):
    """HTCDS Organisation section (org_), beside accounts.Organisation (which holds org_Name).

    Business details of an organisation, not of a person: stored in the clear.
    """

    organisation = models.OneToOneField("accounts.Organisation", on_delete=models.CASCADE,
                                        related_name="htcds_profile")
    shipping_street = models.CharField(max_length=300, blank=True, default="")
    shipping_city = models.CharField(max_length=120, blank=True, default="")
    shipping_state = models.CharField(max_length=120, blank=True, default="")
    shipping_postal_code = models.CharField(max_length=20, blank=True, default="")
    shipping_country = models.CharField(max_length=3, blank=True, default="")
    shipping_latitude = models.FloatField(null=True, blank=True)
    shipping_longitude = models.FloatField(null=True, blank=True)
    phone = models.CharField(max_length=40, blank=True, default="")
    type = models.CharField(max_length=40, blank=True, default="",
                            validators=[HtcdsCode("org_Type")])

    def __str__(self) -> str:
        return f"profile of {self.organisation}"


class TraffickingEvent(CaseRecord):
    """One historic trafficking event (hte_): recruitment, transit or exploitation."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    type = models.CharField(max_length=20, choices=EventType.choices)
    date = models.DateField(null=True, blank=True, help_text="hte_Date")
    date_is_approximate = models.BooleanField(default=False)
    city = models.CharField(max_length=120, blank=True, default="")
    state = models.CharField(max_length=120, blank=True, default="")
    country = models.CharField(max_length=3, blank=True, default="")
    street = EncryptedCharField(max_length=300, blank=True, default="")
    postal_code = EncryptedCharField(max_length=20, blank=True, default="")
    latitude = EncryptedCharField(max_length=32, blank=True, default="")
    longitude = EncryptedCharField(max_length=32, blank=True, default="")
    description = EncryptedTextField(blank=True, default="")

    class Meta:
        ordering = ["date", "pk"]

    def __str__(self) -> str:
        return f"{self.type} event {self.pk}"

    @property
    def place(self) -> str:
        return ", ".join(p for p in (self.city, self.state, self.country) if p)


class SupportPlan(CaseRecord):
    """A goal and the support towards it (HTCDS Support Plan, spl_)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="support_plans")
    type = models.CharField(max_length=40, validators=[HtcdsCode("spl_Type")],
                            help_text="spl_Type")
    objectives = EncryptedTextField(help_text="spl_Objectives: the survivor's goals")
    action_plan = EncryptedTextField(blank=True, default="", help_text="spl_ActionPlan")
    planned_end_date = models.DateField(null=True, blank=True)
    actual_end_date = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=GoalStatus.choices,
                              default=GoalStatus.OPEN)

    class Meta:
        ordering = ["planned_end_date", "pk"]

    def __str__(self) -> str:
        return f"support plan {self.pk}"


class ServiceReceived(CaseRecord):
    """A service the survivor received, from us or from a partner."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="services")
    kind = models.CharField(max_length=20, choices=ServiceKind.choices)
    provider = models.CharField(max_length=200, blank=True, default="")
    started_on = models.DateField(default=datetime.date.today)
    ended_on = models.DateField(null=True, blank=True)
    notes = EncryptedTextField(blank=True, default="")

    class Meta:
        ordering = ["-started_on", "-pk"]

    def __str__(self) -> str:
        return f"service {self.pk} ({self.kind})"


class SafetyPlan(CaseRecord):
    """A safety plan made with the survivor, in their own words where they choose.

    Saving a plan keeps one open reminder task due on its review date (see
    :meth:`sync_review_task`), so reviews show up in the caseworker's task list.
    """

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="safety_plans")
    safe_contacts = EncryptedTextField(blank=True, default="",
                                       help_text="People to call, and how to reach them safely.")
    safe_places = EncryptedTextField(blank=True, default="")
    code_words = EncryptedTextField(blank=True, default="",
                                    help_text="Words or signals that mean 'I need help'.")
    risk_reduction_steps = EncryptedTextField(blank=True, default="")
    in_own_words = models.BooleanField(
        default=False, help_text="Written in the survivor's own words, as they chose.")
    review_on = models.DateField(help_text="When to review the plan together.")
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                   null=True, blank=True, related_name="+")
    # Versions kept beside the audit trail (security/audit/versions.py), deleted with the row.
    versions = GenericRelation("audit.RecordVersion")

    keeps_versions = True
    workflow_fields = ("person", "created_by", "created_at", "updated_by")

    class Meta:
        ordering = ["-updated_at"]

    def __str__(self) -> str:
        return f"safety plan {self.pk}"

    def is_due(self, today: datetime.date | None = None) -> bool:
        return self.review_on <= (today or timezone.localdate())

    def save_by(self, by) -> None:
        """Save the plan and its review task: one act, audited once on the plan."""
        created = self.pk is None
        with audited():
            if created:
                self.created_by = by
            self.updated_by = by
            self.save()
            task = self.sync_review_task(by)
            record("create" if created else "update", actor=by, obj=self,
                   details={"review_task": task.pk, "review_on": self.review_on.isoformat()})

    def history_restored(self, by) -> None:
        """After a restore from the history (cases/history.py): the review task follows."""
        self.sync_review_task(by)

    def sync_review_task(self, by) -> "Task":
        """Keep exactly one open "review the safety plan" task, due on ``review_on``."""
        task = Task.objects.filter(safety_plan=self, done_at__isnull=True).first()
        if task is None:
            task = Task(organisation=self.organisation, case=self.case, safety_plan=self,
                        title="Review the safety plan together", created_by=by,
                        assigned_to=self.case.owner, kind=TaskKind.SAFETY_REVIEW)
        task.due_on = self.review_on
        task.save()
        return task


class TaskQuerySet(models.QuerySet):
    def open(self) -> "TaskQuerySet":
        return self.filter(done_at__isnull=True)

    def due_by(self, day: datetime.date) -> "TaskQuerySet":
        return self.open().filter(due_on__lte=day)


class Task(CaseRecord):
    """Something to do on a case by a date."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="tasks")
    title = EncryptedCharField(max_length=300)
    kind = models.CharField(max_length=20, choices=TaskKind.choices, default=TaskKind.GENERAL)
    due_on = models.DateField(db_index=True)
    assigned_to = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                    null=True, blank=True, related_name="case_tasks")
    safety_plan = models.ForeignKey(SafetyPlan, on_delete=models.CASCADE, null=True,
                                    blank=True, related_name="tasks")
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                null=True, blank=True, related_name="+")

    objects = TaskQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "pk"]
        indexes = [models.Index(fields=["organisation", "assigned_to", "done_at", "due_on"])]

    def __str__(self) -> str:
        return f"task {self.pk}"

    def is_overdue(self, today: datetime.date | None = None) -> bool:
        return self.done_at is None and self.due_on < (today or timezone.localdate())

    def complete(self, by, now=None) -> None:
        """Mark the task done, audited once; a task already done stays as it was."""
        if self.done_at is not None:
            return
        with audited():
            self.done_at = now or timezone.now()
            self.done_by = by
            self.save(update_fields=["done_at", "done_by"])
            record("update", actor=by, obj=self, details={"change": "done"})
