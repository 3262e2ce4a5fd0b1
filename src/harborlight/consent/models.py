"""Consent as records: what a person agreed to, for which purpose, and its withdrawal.

A consent names who may receive the information (:class:`RecipientKind`): an entry of the
organisation's service directory (which may stand for a partner organisation on
Harborlight), a name typed by hand when the person names someone outside the directory,
or, as an explicit choice, any recipient. :meth:`Consent.judge` is the one rule that says
whether a consent covers a disclosure, and why (a sentence a caseworker can act on): the
gate (:mod:`.disclosure`) decides with it and the referral page explains with it.

The table keeps the name it had when consent lived in the cases app (``cases_consent``),
so moving the model here moved no rows (migration ``consent.0001``).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext
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


class RecipientKind(models.TextChoices):
    """Who a consent lets the information go to."""

    DIRECTORY = "directory", _("Chosen from the service directory")
    NAMED = "named", _("Named by hand (not in the directory)")
    ANY = "any", _("Any recipient for this purpose")


@dataclass(frozen=True)
class Recipient:
    """Who a disclosure goes to (or a consent names), as the gate compares them.

    ``provider_id`` is a service directory entry, ``organisation_id`` the Harborlight
    organisation it stands for (a partner); a name alone is someone outside the directory.
    ``anyone`` is a consent's explicit "any recipient".
    """

    name: str = ""
    provider_id: int | None = None
    organisation_id: int | None = None
    anyone: bool = False

    @classmethod
    def of(cls, value: "Recipient | str | None") -> "Recipient | None":
        """A recipient from what callers pass: a Recipient, a name, or nothing."""
        if value is None or isinstance(value, Recipient):
            return value
        name = " ".join(str(value).split())
        return cls(name) if name else None


ANYONE = Recipient(anyone=True)


def same_name(first: str, second: str) -> bool:
    """Names typed by hand match ignoring case and spacing, nothing else."""
    return " ".join(first.split()).casefold() == " ".join(second.split()).casefold()


@dataclass(frozen=True)
class Coverage:
    """Whether a consent covers a disclosure, and why, in a sentence for the person acting."""

    covers: bool
    reason: str

    def __bool__(self) -> bool:
        return self.covers


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

    def covering(self, purpose: str, *, case=None, tip=None,
                 recipient: "Recipient | str | None" = None, now=None) -> "Consent | None":
        """The latest active consent that covers ``purpose`` to ``recipient``, if any."""
        consents = self.active(now).about(case=case, tip=tip).filter(purpose=purpose)
        for consent in consents.order_by("-given_at"):
            if consent.judge(purpose, recipient, now):
                return consent
        return None

    def explain(self, purpose: str, *, case=None, tip=None,
                recipient: "Recipient | str | None" = None, now=None, limit: int = 10
                ) -> list[tuple["Consent", Coverage]]:
        """Every recent consent for ``purpose`` with the gate's verdict on ``recipient``,
        newest first: what the referral page shows, decided by the same rule."""
        consents = self.about(case=case, tip=tip).filter(purpose=purpose)
        return [(consent, consent.judge(purpose, recipient, now))
                for consent in consents.select_related("recipient_provider",
                                                       "recipient_organisation")
                .order_by("-given_at")[:limit]]


class ConsentManager(models.Manager.from_queryset(ConsentQuerySet)):  # type: ignore[misc]
    def record(self, *, by, purpose: str, method: str, retention_explained: bool,
               withdrawal_explained: bool, case=None, tip=None, person=None,
               recipient: "Recipient | str | None" = None, fields_allowed=(),
               wording: str = "", expires_at=None, now=None) -> "Consent":
        """Record a consent given now, audited once (``create``).

        Consent is informed only once retention and withdrawal were explained; a consent
        belongs to a case or to a tip of the organisation of the person recording it; it
        names its recipient (a directory entry of that organisation, a name, or
        :data:`ANYONE` chosen on purpose). De-identified sharing names nobody: its data
        leaves without identities.
        """
        for name, explained in (("retention_explained", retention_explained),
                                ("withdrawal_explained", withdrawal_explained)):
            if not explained:
                raise ConsentError(gettext("Consent is only informed once how long we keep "
                                           "the data and how to withdraw were explained."),
                                   field=name)
        subject = case if case is not None else tip
        if subject is None or subject.organisation_id != by.organisation_id:
            raise ConsentError(gettext("A consent belongs to a case or a tip of your "
                                       "organisation."))
        named = _recipient_fields(Recipient.of(recipient), purpose, subject.organisation_id)
        with audited():
            consent = self.create(
                organisation_id=subject.organisation_id, case=case, tip=tip, person=person,
                purpose=purpose, fields_allowed=list(fields_allowed or []), method=method,
                retention_explained=True, withdrawal_explained=True, wording=wording,
                given_at=now or timezone.now(), expires_at=expires_at, recorded_by=by,
                **named)
            record("create", actor=by, obj=consent,
                   details={"purpose": purpose, "about": str(subject),
                            "fields": len(consent.fields_allowed),
                            "recipient": consent.recipient_kind})
        return consent


def _recipient_fields(recipient: Recipient | None, purpose: str, organisation_id: int
                      ) -> dict:
    """The consent's recipient columns for ``recipient``; refuse an unnamed one."""
    if recipient is None and purpose == ConsentPurpose.DEIDENTIFIED_SHARING:
        recipient = ANYONE
    if recipient is None:
        raise ConsentError(gettext("Say who may receive the information: choose from the "
                                   "directory, type a name, or choose any recipient."),
                           field="recipient")
    if recipient.anyone:
        return {"recipient_kind": RecipientKind.ANY, "recipient": ""}
    if recipient.provider_id is None:
        return {"recipient_kind": RecipientKind.NAMED, "recipient": recipient.name[:200]}
    provider = (apps.get_model("referrals", "ServiceProvider").objects
                .filter(pk=recipient.provider_id, organisation_id=organisation_id).first())
    if provider is None:
        raise ConsentError(gettext("Choose an entry of your organisation's service "
                                   "directory."), field="recipient")
    name = provider.partner.name if provider.partner_id else provider.name
    return {"recipient_kind": RecipientKind.DIRECTORY, "recipient": name[:200],
            "recipient_provider": provider, "recipient_organisation_id": provider.partner_id}


class Consent(models.Model):
    """What a person agreed to, for which purpose, when, told what, and recorded by whom.

    Consent is a record, not a checkbox: withdrawing it is recorded on the same row (never
    deleted), and every disclosure names the consent it relied on in the audit trail
    (see :mod:`harborlight.consent.disclosure`). A consent belongs to a case, or to a tip
    before a case exists, and follows that case's restriction.
    """

    audit_sensitive = True
    view_action = "case.view"
    keeps_versions = True
    # A consent is never changed after it is given: its history is shown, never restored.
    restorable = False

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
    recipient_kind = models.CharField(
        max_length=10, choices=RecipientKind.choices, blank=True,
        help_text="Who may receive it. Blank only on rows stored before recipients were "
                  "named: then an empty recipient reads as any (the old rule).")
    recipient = models.CharField(max_length=200, blank=True,
                                 help_text="The recipient's name as consented (a directory "
                                           "entry's name, or typed by hand).")
    recipient_provider = models.ForeignKey(
        "referrals.ServiceProvider", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="consents", help_text="The directory entry consented to.")
    recipient_organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+", help_text="The partner organisation that entry stands for.")
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
    # Versions kept beside the audit trail (security/audit/versions.py), deleted with the row.
    versions = GenericRelation("audit.RecordVersion")

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

    @property
    def effective_recipient_kind(self) -> str:
        if self.recipient_kind:
            return self.recipient_kind
        return RecipientKind.NAMED if self.recipient else RecipientKind.ANY

    @property
    def recipient_display(self) -> str:
        """Who may receive it, in words."""
        if self.effective_recipient_kind == RecipientKind.ANY:
            return gettext("Any recipient")
        return self.recipient

    def covers(self, purpose: str, recipient: "Recipient | str | None" = None,
               now=None) -> bool:
        return self.judge(purpose, recipient, now).covers

    def judge(self, purpose: str, recipient: "Recipient | str | None" = None,
              now=None) -> Coverage:
        """Whether this consent covers disclosing for ``purpose`` to ``recipient``, and
        why: the one rule the gate decides with and the pages explain with."""
        now = now or timezone.now()
        if self.purpose != purpose:
            return Coverage(False, gettext("It is for %(purpose)s.") % {
                "purpose": self.get_purpose_display().lower()})
        if self.withdrawn_at is not None:
            return Coverage(False, gettext("It was withdrawn on %(date)s.") % {
                "date": date_format(timezone.localtime(self.withdrawn_at))})
        if self.given_at > now:
            return Coverage(False, gettext("It starts on %(date)s.") % {
                "date": date_format(timezone.localtime(self.given_at))})
        if self.expires_at is not None and self.expires_at <= now:
            return Coverage(False, gettext("It expired on %(date)s.") % {
                "date": date_format(timezone.localtime(self.expires_at))})
        return self._judge_recipient(Recipient.of(recipient))

    def _judge_recipient(self, recipient: Recipient | None) -> Coverage:
        kind = self.effective_recipient_kind
        if kind == RecipientKind.ANY:
            return Coverage(True, gettext("It allows any recipient for this purpose."))
        if recipient is None:
            return Coverage(True, gettext("This disclosure names no recipient."))
        names = {"consented": self.recipient, "recipient": recipient.name}
        if kind == RecipientKind.DIRECTORY:
            if self.recipient_provider_id is None and self.recipient_organisation_id is None:
                return Coverage(False, gettext(
                    "It named %(consented)s, an entry since removed from the directory; "
                    "record the person's consent again.") % names)
            if recipient.provider_id and recipient.provider_id == self.recipient_provider_id:
                return Coverage(True, gettext("It names %(consented)s, chosen from the "
                                              "directory.") % names)
            if recipient.organisation_id and \
                    recipient.organisation_id == self.recipient_organisation_id:
                return Coverage(True, gettext("It names %(consented)s, the organisation "
                                              "this directory entry stands for.") % names)
            return Coverage(False, gettext("It names %(consented)s, not %(recipient)s.")
                            % names)
        if same_name(self.recipient, recipient.name):
            return Coverage(True, gettext("It names %(consented)s.") % names)
        return Coverage(False, gettext(
            "It names “%(consented)s”, typed by hand, not %(recipient)s. A name "
            "typed by hand covers only that exact name: record the consent again, choosing "
            "%(recipient)s from the directory.") % names)

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
