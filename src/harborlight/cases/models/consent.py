"""Consent as records: what a person agreed to, for which purpose, and its withdrawal."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from harborlight.cases.models.core import Case, Person
from harborlight.security.fields import EncryptedTextField


class ConsentPurpose(models.TextChoices):
    """The disclosures a survivor can agree to; each one is gated separately."""

    REFERRAL = "referral", _("Referral to another service")
    TRANSFER = "transfer", _("Transfer of the case to another organisation")
    LAW_ENFORCEMENT = "law_enforcement", _("Passing information to law enforcement")
    DEIDENTIFIED_SHARING = "deidentified_sharing", _("De-identified data sharing (e.g. CTDC)")


class ConsentMethod(models.TextChoices):
    VERBAL = "verbal", _("Verbal, recorded by staff")
    WRITTEN = "written", _("Written and signed")
    ELECTRONIC = "electronic", _("Electronic")


class ConsentQuerySet(models.QuerySet):
    def active(self, now=None) -> "ConsentQuerySet":
        now = now or timezone.now()
        return self.filter(withdrawn_at__isnull=True, given_at__lte=now).filter(
            Q(expires_at__isnull=True) | Q(expires_at__gt=now))


class Consent(models.Model):
    """What a person agreed to, for which purpose, when, told what, and recorded by whom.

    Consent is a record, not a checkbox: withdrawing it is recorded on the same row (never
    deleted), and every disclosure names the consent it relied on in the audit trail
    (see :mod:`harborlight.security.disclosure`). A consent belongs to a case, or to a tip
    before a case exists.
    """

    audit_sensitive = True
    view_action = "case.view"

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT,
                                     related_name="consents")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, null=True, blank=True,
                             related_name="consents")
    tip = models.ForeignKey("intake.Tip", on_delete=models.CASCADE, null=True, blank=True,
                            related_name="consents")
    person = models.ForeignKey(Person, on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="consents", help_text="Who gave the consent.")
    purpose = models.CharField(max_length=30, choices=ConsentPurpose.choices)
    recipient = models.CharField(max_length=200, blank=True,
                                 help_text="Who may receive it; empty means any recipient "
                                           "for this purpose.")
    fields_allowed = models.JSONField(default=list, blank=True,
                                      help_text="HTCDS field names that may be disclosed; "
                                                "empty means only the minimum necessary.")
    method = models.CharField(max_length=20, choices=ConsentMethod.choices)
    retention_explained = models.BooleanField()
    withdrawal_explained = models.BooleanField()
    wording = EncryptedTextField(blank=True,
                                 help_text="What was agreed, in the person's own words where "
                                           "they chose.")
    given_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+")
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                     null=True, blank=True, related_name="+")
    withdrawal_note = EncryptedTextField(blank=True)

    objects = ConsentQuerySet.as_manager()

    class Meta:
        ordering = ["-given_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(case__isnull=False) | Q(tip__isnull=False),
                name="consent_belongs_to_case_or_tip"),
        ]

    def __str__(self) -> str:
        return f"consent {self.pk} ({self.purpose})"

    @property
    def restricted(self) -> bool:
        return bool(self.case_id and self.case.restricted)

    def is_assigned_to(self, user) -> bool:
        return bool(self.case_id and self.case.is_assigned_to(user))

    def is_active(self, now=None) -> bool:
        now = now or timezone.now()
        return (self.withdrawn_at is None and self.given_at <= now
                and (self.expires_at is None or self.expires_at > now))

    def covers(self, purpose: str, recipient: str = "", now=None) -> bool:
        return (self.purpose == purpose and self.is_active(now)
                and (not self.recipient or not recipient or self.recipient == recipient))

    def withdraw(self, by, note: str = "", now=None) -> None:
        if self.withdrawn_at is not None:
            return
        self.withdrawn_at = now or timezone.now()
        self.withdrawn_by = by
        self.withdrawal_note = note
        self.save(update_fields=["withdrawn_at", "withdrawn_by", "withdrawal_note"])
