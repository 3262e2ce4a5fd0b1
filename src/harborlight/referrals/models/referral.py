"""Referrals and transfers of a case, with the HTCDS referral fields.

A :class:`Referral` belongs to the organisation that sends it (its ``organisation``), and
is *shared* with the organisation that receives it (``recipient_organisation``), when the
recipient uses Harborlight. The receiver never opens the sender's case. What it sees is
``shared_record``: an encrypted copy of exactly the fields the survivor consented to share
(``Consent.fields_allowed``, HTCDS names), taken when the referral was sent through the
consent gate (:func:`harborlight.consent.disclosure.disclose`). See ``docs/referrals.md``.

Status moves one way: ``sent`` -> ``accepted`` or ``declined``; ``accepted`` ->
``completed``. Inside Harborlight the receiver records the answer; for an outside
provider, the sender records what the provider said (:meth:`Referral.allows`). Sending,
answering and opening a case are services that pages and the API share
(:mod:`..sending`, :mod:`..answering`); this model holds the state, its one conditional
transition (:meth:`Referral.move_to`), the permission hooks and what each side reads.

HTCDS v2.0 referral fields (IOM and partners, CC BY 4.0), on each side:

===============================  ==========================================
cas_ReferringOrganisation         ``organisation``
cas_ReferringPrimaryCaseWorker    ``sent_by``
cas_OutgoingReferralDate          ``sent_at`` (date)
cas_ReasonForOutgoingReferral     ``reason`` (the sender's side)
cas_OutgoingReferralDetails       ``details`` (the sender's side)
cas_ReferredOrganisation          ``recipient_organisation`` or ``recipient_name``
cas_ReferredPrimaryCaseWorker     ``receiver_caseworker``
cas_IncomingReferralDate          ``accepted_at`` (date)
cas_ReasonForIncomingReferral     ``reason`` (the receiver's side)
cas_IncomingReferralDetails       ``details`` (the receiver's side)
===============================  ==========================================
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from harborlight.consent.models import ConsentPurpose
from harborlight.errors import DomainError, InputError
from harborlight.referrals.snapshot import without_sources
from harborlight.security.fields import EncryptedJSONField, EncryptedTextField


class ReferralError(DomainError):
    """A referral cannot be sent or move as asked (wrong state, wrong recipient)."""

    code = "referral"


class ReferralKind(models.TextChoices):
    REFERRAL = "referral", _("Referral for services")
    TRANSFER = "transfer", _("Transfer of the whole case")

    @property
    def consent_purpose(self) -> str:
        """The consent a referral of this kind relies on (the disclosure gate's purpose)."""
        return {ReferralKind.REFERRAL: ConsentPurpose.REFERRAL,
                ReferralKind.TRANSFER: ConsentPurpose.TRANSFER}[self]

    @property
    def send_action(self) -> str:
        """The policy action sending this kind needs."""
        return {ReferralKind.REFERRAL: "referral.send",
                ReferralKind.TRANSFER: "case.transfer"}[self]


class ReferralStatus(models.TextChoices):
    SENT = "sent", _("Sent")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    COMPLETED = "completed", _("Completed")


class ReferralReason(models.TextChoices):
    """HTCDS cas_ReasonForOutgoingReferral and cas_ReasonForIncomingReferral."""

    ADDITIONAL_SERVICES = "AdditionalServicesRequired", _("Additional services required")
    MIGRATION = "MigrationOrChangeOfLocation", _("Migration or change of location")
    OTHER = "Other", _("Other")


# Which answer is allowed from which status; every transition is one conditional UPDATE.
TRANSITIONS = {
    ReferralStatus.ACCEPTED: ReferralStatus.SENT,
    ReferralStatus.DECLINED: ReferralStatus.SENT,
    ReferralStatus.COMPLETED: ReferralStatus.ACCEPTED,
}
# What the receiving organisation may do with a referral shared with it.
RECEIVER_ACTIONS = frozenset({"referral.view", "referral.respond"})
ANSWER_NOTE_MAX = 5000


class ReferralQuerySet(models.QuerySet):
    def outgoing(self, organisation) -> ReferralQuerySet:
        return self.filter(organisation=organisation)

    def incoming(self, organisation) -> ReferralQuerySet:
        return self.filter(recipient_organisation=organisation)

    def open(self) -> ReferralQuerySet:
        return self.filter(status__in=[ReferralStatus.SENT, ReferralStatus.ACCEPTED])


class Referral(models.Model):
    audit_sensitive = True
    view_action = "referral.view"

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT,
                                     related_name="referrals_sent",
                                     help_text="HTCDS cas_ReferringOrganisation")
    reference = models.CharField(max_length=32, unique=True)
    kind = models.CharField(max_length=10, choices=ReferralKind.choices,
                            default=ReferralKind.REFERRAL)
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE,
                             related_name="referrals_out")
    provider = models.ForeignKey("referrals.ServiceProvider", on_delete=models.SET_NULL,
                                 null=True, blank=True, related_name="referrals")
    recipient_name = models.CharField(max_length=200,
                                      help_text="HTCDS cas_ReferredOrganisation, as sent")
    recipient_organisation = models.ForeignKey(
        "accounts.Organisation", on_delete=models.PROTECT, null=True, blank=True,
        related_name="referrals_received",
        help_text="HTCDS cas_ReferredOrganisation when it uses Harborlight")
    status = models.CharField(max_length=10, choices=ReferralStatus.choices,
                              default=ReferralStatus.SENT, db_index=True)
    reason = models.CharField(max_length=40, choices=ReferralReason.choices,
                              help_text="HTCDS cas_ReasonForOutgoingReferral")
    details = EncryptedTextField(blank=True, help_text="HTCDS cas_OutgoingReferralDetails")
    services = models.JSONField(default=list, blank=True)
    fields_shared = models.JSONField(default=list, blank=True,
                                     help_text="HTCDS names of the fields in shared_record")
    shared_record = EncryptedJSONField(default=dict, blank=True)
    consent = models.ForeignKey("consent.Consent", on_delete=models.SET_NULL, null=True,
                                blank=True, related_name="referrals",
                                help_text="The consent the disclosure relied on")
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                related_name="referrals_sent",
                                help_text="HTCDS cas_ReferringPrimaryCaseWorker")
    sent_at = models.DateTimeField(default=timezone.now, db_index=True,
                                   help_text="HTCDS cas_OutgoingReferralDate")
    responded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                     null=True, blank=True, related_name="+")
    responded_at = models.DateTimeField(null=True, blank=True)
    response_note = EncryptedTextField(blank=True)
    receiver_caseworker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="referrals_received", help_text="HTCDS cas_ReferredPrimaryCaseWorker")
    accepted_at = models.DateTimeField(null=True, blank=True,
                                       help_text="HTCDS cas_IncomingReferralDate")
    completed_at = models.DateTimeField(null=True, blank=True)
    received_case = models.OneToOneField(
        "cases.Case", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="transferred_from",
        help_text="For an accepted transfer: the new case in the receiving organisation")

    objects = ReferralQuerySet.as_manager()

    class Meta:
        ordering = ["-sent_at"]
        indexes = [models.Index(fields=["organisation", "-sent_at"]),
                   models.Index(fields=["recipient_organisation", "status", "-sent_at"])]
        constraints = [
            # Two supervisors sending a transfer at once: the database lets one through.
            models.UniqueConstraint(fields=["case"],
                                    condition=Q(kind="transfer", status="sent"),
                                    name="one_waiting_transfer_per_case"),
        ]

    def __str__(self) -> str:
        return self.reference

    def audit_label(self) -> str:
        return f"{self.get_kind_display()} {self.reference}"

    @property
    def notice_subject(self) -> str:
        """What notices about this referral name (harborlight.notifications)."""
        return f"referral:{self.reference}"

    # -- permissions --------------------------------------------------------------

    def is_shared_with(self, organisation, action: str) -> bool:
        """The receiving organisation may read the shared record and answer; nothing else."""
        return (self.recipient_organisation_id is not None
                and organisation is not None
                and self.recipient_organisation_id == organisation.pk
                and action in RECEIVER_ACTIONS)

    @staticmethod
    def shared_with_filter(organisation, action: str) -> Q:
        if action not in RECEIVER_ACTIONS or organisation is None:
            return Q(pk__in=[])
        return Q(recipient_organisation=organisation)

    @property
    def restricted(self) -> bool:
        return self.case.restricted

    def is_assigned_to(self, user) -> bool:
        """The sender's restriction applies to the sender's staff; the receiver was given
        this record by consent, so restriction on the sender's side does not reach it."""
        return (self.case.is_assigned_to(user)
                or (self.recipient_organisation_id is not None
                    and user.organisation_id == self.recipient_organisation_id))

    @staticmethod
    def restricted_filter(user) -> Q:
        return (Q(case__restricted=False) | Q(case__owner=user)
                | Q(recipient_organisation_id=user.organisation_id))

    def allows(self, user, action: str) -> bool:
        """Who answers: inside Harborlight the receiving organisation; for an outside
        provider, the sender, recording what the provider said."""
        if action != "referral.respond":
            return True
        return user.organisation_id == self.answering_organisation_id

    @property
    def answering_organisation_id(self) -> int:
        return self.recipient_organisation_id if self.is_internal else self.organisation_id

    # -- reading ------------------------------------------------------------------

    @property
    def is_internal(self) -> bool:
        return self.recipient_organisation_id is not None

    @property
    def is_transfer(self) -> bool:
        return self.kind == ReferralKind.TRANSFER

    def consent_active(self) -> bool:
        return self.consent is not None and self.consent.is_active()

    def visible_record(self) -> dict:
        """The shared record while the consent it relied on stands; empty once withdrawn.

        Withdrawal cannot unsay what was already disclosed, but Harborlight stops showing
        it. An accepted transfer has become the receiver's own case and is not affected.
        """
        if self.status == ReferralStatus.ACCEPTED and self.is_transfer:
            return without_sources(self.shared_record)
        return without_sources(self.shared_record) if self.consent_active() else {}

    def next_statuses(self) -> list[str]:
        return [target for target, source in TRANSITIONS.items()
                if source == self.status and not (self.is_transfer
                                                  and target == ReferralStatus.COMPLETED)]

    def htcds_outgoing(self) -> dict:
        """The sender's HTCDS referral fields for this referral."""
        return {
            "cas_ReferredOrganisation": self.recipient_name,
            "cas_ReferredPrimaryCaseWorker": _name(self.receiver_caseworker),
            "cas_ReasonForOutgoingReferral": self.reason,
            "cas_OutgoingReferralDate": self.sent_at.date().isoformat(),
            "cas_OutgoingReferralDetails": self.details,
        }

    def htcds_incoming(self) -> dict:
        """The receiver's HTCDS referral fields for this referral."""
        return {
            "cas_ReferringOrganisation": self.organisation.name,
            "cas_ReferringPrimaryCaseWorker": _name(self.sent_by),
            "cas_ReasonForIncomingReferral": self.reason,
            "cas_IncomingReferralDate": (self.accepted_at.date().isoformat()
                                         if self.accepted_at else ""),
            "cas_IncomingReferralDetails": self.details,
        }

    # -- the one transition ----------------------------------------------------------

    def move_to(self, target: str, by, note: str = "", now=None, **extra) -> str:
        """Move to ``target`` from the status it must come from; return that status.

        One conditional UPDATE from the expected status: two people answering at once,
        exactly one wins and the other gets :class:`ReferralError`. Auditing and what an
        answer sets in motion (a transfer's new case) are the caller's act
        (:mod:`harborlight.referrals.answering`), in the same transaction.
        """
        if target not in TRANSITIONS:
            raise InputError("Choose accepted, declined or completed.", field="decision")
        if target == ReferralStatus.COMPLETED and self.is_transfer:
            raise ReferralError("A transfer ends when it is accepted; there is nothing to "
                                "complete.")
        note = (note or "").strip()
        if len(note) > ANSWER_NOTE_MAX:
            raise ReferralError("A note is 5,000 characters at most.", field="note")
        source = TRANSITIONS[target]
        values = {"status": target, "responded_by": by,
                  "responded_at": now or timezone.now(), **extra}
        if note:
            values["response_note"] = note
        changed = Referral.objects.filter(pk=self.pk, status=source).update(**values)
        if changed != 1:
            self.refresh_from_db()
            raise ReferralError(f"This {self.get_kind_display().lower()} is already "
                                f"{self.get_status_display().lower()}.")
        for name, value in values.items():
            setattr(self, name, value)
        return source


def _name(user) -> str:
    return "" if user is None else str(user)
