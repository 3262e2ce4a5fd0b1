"""Tips and contacts received by the hotline, and what happens to them.

A :class:`Tip` is one contact: a public web report or a call, text, chat, e-mail or walk-in
logged by an operator. Its triage level comes from the rules in ``vocab/triage_rules.json``
applied to its structured answers and indicators, assembled by :mod:`.triage`, which
also logs tips and records the steps that change triage; the reasons are stored with it.
Narrative, place, people and contact details are encrypted at rest.

Every step on a tip is one act, audited once by the method that performs it.

Public reporters are anonymous: no IP address, user agent or cookie is kept. They hold the
tip reference and a passphrase, of which only an Argon2 hash is stored
(:mod:`harborlight.intake.passphrases`), and use them to read replies
(:class:`TipMessage`) and add information. Internal notes (:class:`TipNote`) never reach
them.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import caches
from django.db import models
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from harborlight.cases.models import Case
from harborlight.consent.disclosure import DisclosureBasis, disclose
from harborlight.consent.models import Consent, ConsentPurpose
from harborlight.errors import DomainError
from harborlight.intake import passphrases
from harborlight.notifications.models import Notice, NoticeKind
from harborlight.security.audit.log import audited, record
from harborlight.security.fields import EncryptedJSONField, EncryptedTextField
from harborlight.security import throttle
from harborlight.security.policy import role_allows
from harborlight.vocab.triage import load_rules

# Wrong passphrases for one reference from one client block that client for the reference
# (counted in memory by a keyed digest of its address, see security.throttle); far more
# from any clients block the reference everywhere. Either block lasts FOLLOWUP_BLOCK.
FOLLOWUP_CLIENT_FAILURES = 5
FOLLOWUP_MAX_FAILURES = 50
FOLLOWUP_BLOCK = timedelta(minutes=15)
# How apply_triage stores the releases that decided a level (one string: audit trail, API),
# and how a page reads them back.
TRIAGE_RELEASE_FORMAT = "rules {rules}; catalog {catalog}"
TRIAGE_RELEASES = re.compile(r"rules (?P<rules>\S+); catalog (?P<catalog>\S+)")


class FollowUpRefused(Exception):
    """Reference and passphrase do not open a follow-up (one message for every cause)."""


class TipStateError(DomainError):
    """The step does not apply to the tip as it is (closed, merged, already a case...)."""

    code = "tip_state"


class Channel(models.TextChoices):
    CALL = "call", _("Call")
    TEXT = "text", _("Text")
    CHAT = "chat", _("Chat")
    EMAIL = "email", _("Email")
    WEB = "web", _("Web")
    WALK_IN = "walk_in", _("Walk-in")
    FIELD = "field", _("Field interview")  # outreach, sent from ODK/KoboCollect


class TriageLevel(models.TextChoices):
    """Labels for the levels of ``vocab/triage_rules.json``, which holds the levels and
    their order; a start-up check and a test refuse any drift between the two."""

    EMERGENCY = "emergency", _("Emergency")
    HIGH = "high", _("High")
    STANDARD = "standard", _("Standard")
    INFORMATION = "information", _("Information only")


class MessageDirection(models.TextChoices):
    FROM_REPORTER = "from_reporter", _("From the reporter")
    TO_REPORTER = "to_reporter", _("Reply from the hotline")


def levels_by_urgency() -> tuple[str, ...]:
    """Triage levels, most urgent first, as the rules file orders them."""
    return load_rules().levels


class TipStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("tip status", "Open")
    ASSIGNED = "assigned", _("Assigned")
    CLOSED = "closed", _("Closed")


class CallerType(models.TextChoices):
    """Who is contacting the hotline (HTCDS has no field for this; hotline practice)."""

    POTENTIAL_VICTIM = "potential_victim", _("Potential victim")
    COMMUNITY_MEMBER = "community_member", _("Community member")
    FAMILY = "family", _("Family member or friend")
    PROFESSIONAL = "professional", _("Professional (health, school, social services)")
    LAW_ENFORCEMENT = "law_enforcement", _("Law enforcement")
    UNKNOWN = "unknown", _("Not said")


class CloseReason(models.TextChoices):
    CONVERTED = "converted_to_case", _("Converted to a case")
    REFERRED = "referred", _("Referred to another service")
    INFORMATION_GIVEN = "information_given", _("Information given")
    DUPLICATE = "duplicate", _("Duplicate of another tip")
    NOT_TRAFFICKING = "not_trafficking", _("Not trafficking")
    INSUFFICIENT = "insufficient_information", _("Not enough information to act on")
    LAW_ENFORCEMENT = "law_enforcement", _("Passed to law enforcement")
    OTHER = "other", _("Other")


class SuggestionDecision(models.TextChoices):
    CONFIRMED = "confirmed", _("Confirmed")
    REJECTED = "rejected", _("Rejected")


class TipQuerySet(models.QuerySet):
    def open(self) -> "TipQuerySet":
        return self.exclude(status=TipStatus.CLOSED)

    def by_urgency(self) -> "TipQuerySet":
        """Most urgent level first, then oldest first (the queue's order)."""
        levels = levels_by_urgency()
        urgency = models.Case(*[models.When(triage_level=level, then=number)
                                for number, level in enumerate(levels)],
                              default=len(levels), output_field=models.IntegerField())
        return self.annotate(urgency=urgency).order_by("urgency", "received_at")


class Tip(models.Model):
    audit_sensitive = True
    view_action = "tip.view"

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT,
                                     related_name="tips")
    reference = models.CharField(max_length=32, unique=True)
    channel = models.CharField(max_length=20, choices=Channel.choices)
    received_at = models.DateTimeField(default=timezone.now, db_index=True)
    triage_level = models.CharField(max_length=20, choices=TriageLevel.choices,
                                    default=TriageLevel.INFORMATION)
    status = models.CharField(max_length=20, choices=TipStatus.choices,
                              default=TipStatus.OPEN, db_index=True)
    assigned_to = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                    null=True, blank=True, related_name="assigned_tips")
    narrative = EncryptedTextField()
    location = EncryptedTextField(blank=True)
    reporter_contact = EncryptedTextField(blank=True)
    case = models.ForeignKey("cases.Case", on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="tips")
    caller_type = models.CharField(max_length=30, choices=CallerType.choices,
                                   default=CallerType.UNKNOWN)
    people_involved = EncryptedTextField(blank=True)
    answers = models.JSONField(default=dict, blank=True,
                               help_text="Structured answers by question id (HTCDS field "
                                         "names where the standard has them).")
    # Encrypted: a reason's evidence quotes the narrative's own words.
    triage_reasons = EncryptedJSONField(default=list, blank=True)
    triage_release = models.CharField(max_length=80, blank=True,
                                      help_text="Rules and catalog releases that decided.")
    submitted_publicly = models.BooleanField(default=False)
    language = models.CharField(max_length=8, blank=True)
    passphrase_hash = models.CharField(max_length=200, blank=True)
    followup_failures = models.PositiveIntegerField(default=0)
    followup_blocked_until = models.DateTimeField(null=True, blank=True)
    logged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                  null=True, blank=True, related_name="logged_tips")
    merged_into = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="duplicates")
    close_reason = models.CharField(max_length=30, choices=CloseReason.choices, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    handed_off_at = models.DateTimeField(null=True, blank=True)
    handoff_basis = EncryptedTextField(blank=True)

    objects = TipQuerySet.as_manager()

    class Meta:
        ordering = ["-received_at"]
        indexes = [models.Index(fields=["organisation", "status", "triage_level"])]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_closed(self) -> bool:
        return self.status == TipStatus.CLOSED

    @property
    def is_emergency(self) -> bool:
        return self.triage_level == TriageLevel.EMERGENCY

    def reviews_by_key(self) -> dict[str, str]:
        """The operator's decisions on narrative-assist suggestions, by suggestion key."""
        if self.pk is None:
            return {}
        return dict(self.reviews.values_list("key", "decision"))

    @property
    def triage_releases(self) -> dict[str, str]:
        """The rules' and the catalog's releases that decided the level, read back from
        ``triage_release`` (kept as one string for the audit trail and the API), so a page
        can say them in the reader's language; {} for any other form."""
        match = TRIAGE_RELEASES.fullmatch(self.triage_release or "")
        return match.groupdict() if match else {}

    def apply_triage(self, decision, rules_release: str, catalog_release: str) -> None:
        """Store a triage decision (level, every reason, the releases that decided)."""
        self.triage_level = decision.level
        self.triage_reasons = [reason.to_dict() for reason in decision.reasons]
        self.triage_release = TRIAGE_RELEASE_FORMAT.format(rules=rules_release,
                                                           catalog=catalog_release)

    # -- queue steps: each one act, audited once -------------------------------------

    def _require_open(self) -> None:
        if self.is_closed:
            raise TipStateError(f"Tip {self.reference} is closed.")

    def _act(self, by, fields: list[str], **details) -> None:
        """Save ``fields`` and record the one ``update`` entry of this step."""
        self.save(update_fields=fields)
        record("update", actor=by, obj=self, details=details)

    @property
    def audit_label(self) -> str:
        """How the audit trail names the tip: its reference."""
        return self.reference

    @property
    def notice_subject(self) -> str:
        """What notices about this tip name (harborlight.notifications)."""
        return f"tip:{self.reference}"

    def assign(self, assignee, by):
        """Give the tip to a colleague who may triage it (they get a notice); return them."""
        self._require_open()
        if assignee.organisation_id != self.organisation_id \
                or not role_allows(assignee.role, "tip.update"):
            raise TipStateError(gettext("Tips can be assigned only to colleagues who may "
                                        "triage them."))
        with audited():
            self.assigned_to = assignee
            self.status = TipStatus.ASSIGNED
            self._act(by, ["assigned_to", "status"], change="assign", assignee=assignee.pk)
            Notice.objects.settle(self.notice_subject, kinds=[NoticeKind.TIP_ASSIGNED])
            Notice.objects.send([assignee], NoticeKind.TIP_ASSIGNED, self.notice_subject,
                                ("intake:detail", [self.reference]), exclude=by,
                                reference=self.reference, by=by,
                                level=self.get_triage_level_display())
        return assignee

    def add_note(self, author, body: str) -> "TipNote":
        with audited():
            note = TipNote.objects.create(tip=self, author=author, body=body)
            record("create", actor=author, obj=note, details={"tip": self.reference})
        return note

    def reply_to_reporter(self, author, body: str) -> "TipMessage":
        if not self.submitted_publicly:
            raise TipStateError("Only web reports have a follow-up page to reply to.")
        with audited():
            message = TipMessage.objects.create(tip=self, author=author, body=body,
                                                direction=MessageDirection.TO_REPORTER)
            record("create", actor=author, obj=message, details={"tip": self.reference})
        return message

    def add_reporter_message(self, body: str) -> "TipMessage":
        """The reporter adds information; staff read it under the tip's follow-up."""
        with audited():
            message = TipMessage.objects.create(tip=self, body=body,
                                                direction=MessageDirection.FROM_REPORTER)
            record("create", obj=message, organisation=self.organisation_id,
                   details={"tip": self.reference, "from_reporter": True})
        return message

    def close(self, reason: str, by, note: str = "") -> None:
        self._require_open()
        if reason not in CloseReason.values:
            raise TipStateError(f"Choose a reason: {', '.join(CloseReason.values)}.")
        with audited():
            self.status = TipStatus.CLOSED
            self.close_reason = reason
            self.closed_at = timezone.now()
            if note:
                TipNote.objects.create(tip=self, author=by, body=note)
            self._act(by, ["status", "close_reason", "closed_at"], change="closed",
                      reason=reason, note=bool(note))
            Notice.objects.settle(self.notice_subject)

    def merge_into(self, keeper: "Tip", by) -> None:
        """Close this tip as a duplicate of ``keeper``; its notes and messages move there.

        Both must belong to the same organisation and be open; a chain of merges is
        followed to the tip that was kept, so a merge never points at a closed duplicate.
        """
        self._require_open()
        if keeper.pk == self.pk or keeper.organisation_id != self.organisation_id:
            raise TipStateError("Choose another open tip of your organisation to keep.")
        keeper._require_open()
        with audited():
            TipNote.objects.filter(tip=self).update(tip=keeper)
            TipMessage.objects.filter(tip=self).update(tip=keeper)
            TipNote.objects.create(tip=keeper, author=by,
                                   body=f"Merged duplicate tip {self.reference} into this one.")
            self.merged_into = keeper
            self.status = TipStatus.CLOSED
            self.close_reason = CloseReason.DUPLICATE
            self.closed_at = timezone.now()
            self._act(by, ["merged_into", "status", "close_reason", "closed_at"],
                      change="merged", into=keeper.reference)
            Notice.objects.settle(self.notice_subject)

    def convert_to_case(self, by, owner=None, unassigned: bool = False,
                        victim: dict | None = None, fields: dict | None = None) -> Case:
        """Open a case from this tip (:meth:`~harborlight.cases.models.CaseManager.open_new`,
        which links the tip), and close the tip as converted. Audited once on each: the
        case's ``create`` names the tip, the tip's ``update`` names the case.

        ``owner`` is the caseworker chosen for the case (who may hold cases, the policy's
        ``case.hold``); ``unassigned`` leaves it on the supervisors' queue. With neither,
        open_new's rule applies: the person converting owns it only if their role holds
        cases, so a hotline operator's conversion waits for a supervisor. ``victim`` and
        ``fields`` (a field interview's HTCDS answers) go to open_new as they are.
        """
        self._require_open()
        if self.case_id is not None:
            raise TipStateError(gettext("Tip %(reference)s is already linked to a case.")
                                % {"reference": self.reference})
        with audited():
            case = Case.objects.open_new(
                self.organisation, by, tip=self, owner=owner, unassigned=unassigned,
                victim=victim, **(fields or {}),
                summary=f"Opened from tip {self.reference} ({self.get_triage_level_display()}"
                        f" priority).")
            self.status = TipStatus.CLOSED
            self.close_reason = CloseReason.CONVERTED
            self.closed_at = timezone.now()
            self._act(by, ["status", "close_reason", "closed_at"], change="converted",
                      case=case.reference)
            Notice.objects.settle(self.notice_subject)
        return case

    def hand_off(self, by, recipient: str, *, mandatory_reason: str = "",
                 consent_now: dict | None = None) -> DisclosureBasis:
        """Pass the tip to law enforcement through the disclosure gate (consent or duty).

        ``consent_now`` records the caller's consent given during this call first (its
        own ``create`` entry); then the gate writes the hand-off's ``disclose`` entry. Both
        or neither: a refused hand-off keeps no consent recorded for it. Raises
        :class:`~harborlight.consent.disclosure.ConsentRequired` when there is neither an
        active consent on the tip nor a recorded mandatory-report reason.
        """
        with audited():
            if consent_now is not None:
                Consent.objects.record(by=by, tip=self, purpose=ConsentPurpose.LAW_ENFORCEMENT,
                                       recipient=recipient, **consent_now)
            basis = disclose(by, self, ConsentPurpose.LAW_ENFORCEMENT, tip=self,
                             recipient=recipient, mandatory_reason=mandatory_reason,
                             details={"reference": self.reference})
            self.handed_off_at = timezone.now()
            self.handoff_basis = f"{recipient}: {basis.describe()}"
            self.save(update_fields=["handed_off_at", "handoff_basis"])
        return basis

    # -- anonymous follow-up --------------------------------------------------------

    @classmethod
    def for_followup(cls, reference: str, passphrase: str, client: str = "",
                     now: datetime | None = None) -> "Tip":
        """The public tip these credentials open, or :class:`FollowUpRefused`.

        ``client`` is the keyed digest of the caller's address
        (:func:`harborlight.security.throttle.client_key`; no address is kept).
        FOLLOWUP_CLIENT_FAILURES wrong passphrases for a reference from one client block
        that client, and FOLLOWUP_MAX_FAILURES from any clients block the reference, for
        every attempt, right or wrong, for FOLLOWUP_BLOCK: someone who knows a reference
        cannot block the reporter's follow-up alone. An unknown reference costs the same
        hash time as a wrong passphrase.
        """
        now = now or timezone.now()
        reference = (reference or "").strip().upper()
        guesses = f"intake:followup:{reference}:{client}"
        if throttle.peek(caches["default"], guesses) >= FOLLOWUP_CLIENT_FAILURES:
            raise FollowUpRefused("blocked")
        tip = cls.objects.filter(reference=reference, submitted_publicly=True).first()
        if tip is None:
            passphrases.burn_time(passphrase)
            raise FollowUpRefused("unknown")
        if tip.followup_blocked_until and tip.followup_blocked_until > now:
            raise FollowUpRefused("blocked")
        if passphrases.matches(passphrase, tip.passphrase_hash):
            if tip.followup_failures:
                cls.objects.filter(pk=tip.pk).update(followup_failures=0)
            return tip
        throttle.count(caches["default"], guesses, int(FOLLOWUP_BLOCK.total_seconds()))
        cls.objects.filter(pk=tip.pk).update(followup_failures=F("followup_failures") + 1)
        cls.objects.filter(pk=tip.pk, followup_failures__gte=FOLLOWUP_MAX_FAILURES).update(
            followup_failures=0, followup_blocked_until=now + FOLLOWUP_BLOCK)
        raise FollowUpRefused("mismatch")

    def public_messages(self):
        """What the reporter may read: their own messages and replies. Never notes."""
        return self.messages.all()


class TipNote(models.Model):
    """An internal note by staff. Never shown to the reporter."""

    audit_sensitive = True

    tip = models.ForeignKey(Tip, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True)
    body = EncryptedTextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"note {self.pk} on {self.tip.reference}"


class TipMessage(models.Model):
    """Follow-up between the anonymous reporter and the hotline, readable by both."""

    audit_sensitive = True

    tip = models.ForeignKey(Tip, on_delete=models.CASCADE, related_name="messages")
    direction = models.CharField(max_length=20, choices=MessageDirection.choices)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                               blank=True)
    body = EncryptedTextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"message {self.pk} on {self.tip.reference}"


class SuggestionReview(models.Model):
    """An operator's decision on one narrative-assist suggestion (by its stable key)."""

    tip = models.ForeignKey(Tip, on_delete=models.CASCADE, related_name="reviews")
    key = models.CharField(max_length=200)
    decision = models.CharField(max_length=20, choices=SuggestionDecision.choices)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                    null=True)
    reviewed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tip", "key"],
                                               name="one_review_per_suggestion")]

    def __str__(self) -> str:
        return f"{self.key} {self.decision}"


class CatalogExtension(models.Model):
    """An indicator an administrator added to the shipped catalog (same shape as the file).

    Extensions apply to every organisation on this Harborlight; who added each is kept.
    """

    indicator_id = models.CharField(max_length=100, unique=True)
    category = models.CharField(max_length=60)
    description = models.TextField()
    evidence_grade = models.CharField(max_length=1)
    source = models.CharField(max_length=300)
    cues = models.JSONField(default=list)
    codings = models.JSONField(default=dict, blank=True)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                 related_name="+")
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["indicator_id"]

    def __str__(self) -> str:
        return self.indicator_id

    def as_catalog_entry(self) -> dict:
        return {"id": self.indicator_id, "category": self.category,
                "description": self.description, "evidence_grade": self.evidence_grade,
                "source": self.source, "cues": list(self.cues), "codings": dict(self.codings)}
