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

    # Sharing with other organisations (referrals accepted with consent, transfers) is
    # decided by the referrals app; the permission layer asks through these two hooks.
    def is_shared_with(self, organisation, action: str) -> bool:
        from harborlight.referrals.sharing import case_is_shared_with

        return case_is_shared_with(self, organisation, action)

    @staticmethod
    def shared_with_filter(organisation, action: str) -> Q:
        from harborlight.referrals.sharing import cases_shared_with

        return cases_shared_with(organisation, action)


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
