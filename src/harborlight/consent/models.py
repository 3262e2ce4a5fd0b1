"""Consent as records: what a person agreed to, for which purpose, and its withdrawal.

The table keeps the name it had when consent lived in the cases app (``cases_consent``),
so moving the model here moved no rows (migration ``consent.0001``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from harborlight.errors import DomainError
from harborlight.security.audit.log import audited, record
from harborlight.security.fields import EncryptedTextField


class ConsentError(DomainError):
    """A consent cannot be recorded as given (not informed, or belonging nowhere)."""

    code = "consent"
    status = 400


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

    def about(self, *, case=None, tip=None) -> "ConsentQuerySet":
        """Consents of a case, or of a tip before a case exists."""
        if case is None and tip is None:
            raise ValueError("a consent concerns a case or a tip")
        return self.filter(case=case) if case is not None else self.filter(tip=tip)

    def covering(self, purpose: str, *, case=None, tip=None, recipient: str = "",
                 now=None) -> "Consent | None":
        """The latest active consent that covers ``purpose`` to ``recipient``, if any."""
        consents = self.active(now).about(case=case, tip=tip).filter(purpose=purpose)
        for consent in consents.order_by("-given_at"):
            if consent.covers(purpose, recipient, now):
                return consent
        return None


class ConsentManager(models.Manager.from_queryset(ConsentQuerySet)):  # type: ignore[misc]
    def record(self, *, by, purpose: str, method: str, retention_explained: bool,
               withdrawal_explained: bool, case=None, tip=None, person=None,
               recipient: str = "", fields_allowed=(), wording: str = "",
               expires_at=None, now=None) -> "Consent":
        """Record a consent given now, audited once (``create``).

        Consent is informed only once retention and withdrawal were explained; a consent
        belongs to a case or to a tip of the organisation of the person recording it.
        """
        for name, explained in (("retention_explained", retention_explained),
                                ("withdrawal_explained", withdrawal_explained)):
            if not explained:
                raise ConsentError("Consent is only informed once how long we keep the "
                                   "data and how to withdraw were explained.", field=name)
        subject = case if case is not None else tip
        if subject is None or subject.organisation_id != by.organisation_id:
            raise ConsentError("A consent belongs to a case or a tip of your organisation.")
        with audited():
            consent = self.create(
                organisation_id=subject.organisation_id, case=case, tip=tip, person=person,
                purpose=purpose, recipient=(recipient or "").strip(),
                fields_allowed=list(fields_allowed or []), method=method,
                retention_explained=True, withdrawal_explained=True, wording=wording,
                given_at=now or timezone.now(), expires_at=expires_at, recorded_by=by)
            record("create", actor=by, obj=consent,
                   details={"purpose": purpose, "about": str(subject),
                            "fields": len(consent.fields_allowed)})
        return consent


class Consent(models.Model):
    """What a person agreed to, for which purpose, when, told what, and recorded by whom.

    Consent is a record, not a checkbox: withdrawing it is recorded on the same row (never
    deleted), and every disclosure names the consent it relied on in the audit trail
    (see :mod:`harborlight.consent.disclosure`). A consent belongs to a case, or to a tip
    before a case exists, and follows that case's restriction.
    """

    audit_sensitive = True
    view_action = "case.view"

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT,
                                     related_name="consents")
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, null=True, blank=True,
                             related_name="consents")
    tip = models.ForeignKey("intake.Tip", on_delete=models.CASCADE, null=True, blank=True,
                            related_name="consents")
    person = models.ForeignKey("cases.Person", on_delete=models.SET_NULL, null=True,
                               blank=True, related_name="consents",
                               help_text="Who gave the consent.")
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

    objects = ConsentManager()

    class Meta:
        db_table = "cases_consent"
        ordering = ["-given_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(case__isnull=False) | Q(tip__isnull=False),
                name="consent_belongs_to_case_or_tip"),
        ]

    def __str__(self) -> str:
        return f"consent {self.pk} ({self.purpose})"

    # -- permissions: a consent follows its case's restriction --------------------------

    @property
    def restricted(self) -> bool:
        return bool(self.case_id and self.case.restricted)

    def is_assigned_to(self, user) -> bool:
        return bool(self.case_id and self.case.is_assigned_to(user))

    @staticmethod
    def restricted_filter(user) -> Q:
        return Q(case__isnull=True) | Q(case__restricted=False) | Q(case__owner=user)

    # -- reading and withdrawing --------------------------------------------------------

    def is_active(self, now=None) -> bool:
        now = now or timezone.now()
        return (self.withdrawn_at is None and self.given_at <= now
                and (self.expires_at is None or self.expires_at > now))

    def covers(self, purpose: str, recipient: str = "", now=None) -> bool:
        return (self.purpose == purpose and self.is_active(now)
                and (not self.recipient or not recipient or self.recipient == recipient))

    def withdraw(self, by, note: str = "", now=None) -> None:
        """Withdraw, audited once; disclosures that relied on this consent stop now."""
        if self.withdrawn_at is not None:
            return
        with audited():
            self.withdrawn_at = now or timezone.now()
            self.withdrawn_by = by
            self.withdrawal_note = note
            self.save(update_fields=["withdrawn_at", "withdrawn_by", "withdrawal_note"])
            record("update", actor=by, obj=self, details={"change": "withdrawn"})
