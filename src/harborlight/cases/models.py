"""Cases and the people in them, named after the HTCDS v2.0 fields they hold.

The foundation keeps the core of the standard: a case (``cas_``), the people in it
(``prs_`` with their role), and encrypted notes. Identifying values are encrypted at rest
(:mod:`harborlight.security.fields`); exact-match lookups go through keyed blind indexes.
HTCDS content: Human Trafficking Case Data Standard v2.0, IOM and partners, CC BY 4.0.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from harborlight.security.fields import (BlindIndexField, EncryptedCharField,
                                         EncryptedDateField, EncryptedTextField)


class CaseStatus(models.TextChoices):
    """HTCDS cas_Status."""

    ACTIVE = "Active", _("Active")
    FOLLOW_UP = "FollowUp", _("Follow up")
    CLOSED = "Closed", _("Closed")
    CLOSED_REFERRED = "ClosedReferred", _("Closed, referred")


class TraffickingStatus(models.TextChoices):
    """HTCDS vic_TraffickingStatus."""

    POSSIBLE = "PossibleVictimOfTrafficking", _("Possible victim of trafficking")
    ACTUAL = "ActualVictimOfTrafficking", _("Actual victim of trafficking")
    NOT_A_VICTIM = "NotAVictimOfTrafficking", _("Not a victim of trafficking")


class CaseQuerySet(models.QuerySet):
    def open(self) -> "CaseQuerySet":
        return self.filter(status__in=[CaseStatus.ACTIVE, CaseStatus.FOLLOW_UP])


class Case(models.Model):
    """One survivor-centred case, owned by one organisation (HTCDS Case section)."""

    audit_sensitive = True
    view_action = "case.view"

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT,
                                     related_name="cases")
    reference = models.CharField(max_length=32, unique=True)
    status = models.CharField(max_length=20, choices=CaseStatus.choices,
                              default=CaseStatus.ACTIVE, db_index=True)
    trafficking_status = models.CharField(max_length=40, choices=TraffickingStatus.choices,
                                          default=TraffickingStatus.POSSIBLE)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                              null=True, blank=True, related_name="owned_cases",
                              help_text="HTCDS cas_CaseOwner")
    restricted = models.BooleanField(
        default=False,
        help_text="Only the case owner may open it; others need break-glass with a reason.")
    summary = EncryptedTextField(blank=True)
    reason_for_closure = EncryptedTextField(blank=True,
                                            help_text="HTCDS cas_ReasonForCaseClosure")
    opened_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    objects = CaseQuerySet.as_manager()

    class Meta:
        ordering = ["-opened_at"]
        indexes = [models.Index(fields=["organisation", "status", "-opened_at"]),
                   models.Index(fields=["organisation", "owner", "status"])]

    def __str__(self) -> str:
        return self.reference

    def is_assigned_to(self, user) -> bool:
        return self.owner_id is not None and self.owner_id == user.pk

    @staticmethod
    def assigned_filter(user) -> Q:
        return Q(owner=user)


class PersonRole(models.TextChoices):
    VICTIM = "victim", _("Victim or survivor")
    PERPETRATOR = "perpetrator", _("Perpetrator")
    CONNECTED = "connected", _("Connected person")


class Person(models.Model):
    """A person in a case (HTCDS Person section). Every identifying field is encrypted."""

    audit_sensitive = True
    view_action = "case.view"

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT,
                                     related_name="persons")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="persons")
    role = models.CharField(max_length=20, choices=PersonRole.choices)
    first_name = EncryptedCharField(max_length=200, blank=True, help_text="prs_FirstName")
    second_name = EncryptedCharField(max_length=200, blank=True, help_text="prs_SecondName")
    birthdate = EncryptedDateField(null=True, blank=True, help_text="prs_Birthdate")
    gender = models.CharField(max_length=30, blank=True, help_text="prs_Gender")
    citizenship = models.CharField(max_length=3, blank=True, help_text="prs_Citizenship ISO-3")
    email = EncryptedCharField(max_length=254, blank=True, help_text="prs_Email")
    mobile_phone = EncryptedCharField(max_length=40, blank=True, help_text="prs_MobilePhone")
    mailing_street = EncryptedCharField(max_length=300, blank=True,
                                        help_text="prs_MailingStreet")
    mailing_city = EncryptedCharField(max_length=120, blank=True, help_text="prs_MailingCity")
    identity_number = EncryptedCharField(max_length=80, blank=True,
                                         help_text="prs_IdentityNumber")
    second_name_index = BlindIndexField(source="second_name", normalizer="name")
    birthdate_index = BlindIndexField(source="birthdate", normalizer="date")
    email_index = BlindIndexField(source="email", normalizer="email")
    mobile_phone_index = BlindIndexField(source="mobile_phone", normalizer="phone")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        # Never a name: this string reaches logs and the audit trail.
        return f"{self.case.reference} person {self.pk}"

    @property
    def restricted(self) -> bool:
        return self.case.restricted

    def is_assigned_to(self, user) -> bool:
        return self.case.is_assigned_to(user)


class CaseNote(models.Model):
    """A free-text note on a case, encrypted at rest."""

    audit_sensitive = True

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True)
    body = EncryptedTextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"note {self.pk} on {self.case.reference}"
