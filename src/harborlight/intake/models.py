"""Tips and contacts received by the hotline, and what happens to them.

A :class:`Tip` is one contact: a public web report or a call, text, chat, e-mail or walk-in
logged by an operator. Its triage level comes from the rules in ``vocab/triage_rules.json``
applied to its structured answers and indicators (see :meth:`Tip.retriage`); the reasons
are stored with it. Narrative, place, people and contact details are encrypted at rest.

Public reporters are anonymous: no IP address, user agent or cookie is kept. They hold the
tip reference and a passphrase, of which only an Argon2 hash is stored
(:mod:`harborlight.intake.passphrases`), and use them to read replies
(:class:`TipMessage`) and add information. Internal notes (:class:`TipNote`) never reach
them.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import models, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from harborlight.intake import passphrases
from harborlight.security.fields import EncryptedTextField

FOLLOWUP_MAX_FAILURES = 5
FOLLOWUP_BLOCK = timedelta(minutes=15)
LEVEL_ORDER = ["emergency", "high", "standard", "information"]


class FollowUpRefused(Exception):
    """Reference and passphrase do not open a follow-up (one message for every cause)."""


class TipStateError(Exception):
    """The step does not apply to the tip as it is (closed, merged, already a case...)."""


class Channel(models.TextChoices):
    CALL = "call", _("Call")
    TEXT = "text", _("Text")
    CHAT = "chat", _("Chat")
    EMAIL = "email", _("Email")
    WEB = "web", _("Web")
    WALK_IN = "walk_in", _("Walk-in")


class TriageLevel(models.TextChoices):
    EMERGENCY = "emergency", _("Emergency")
    HIGH = "high", _("High")
    STANDARD = "standard", _("Standard")
    INFORMATION = "information", _("Information only")


class TipStatus(models.TextChoices):
    OPEN = "open", _("Open")
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
        urgency = models.Case(*[models.When(triage_level=level, then=number)
                                for number, level in enumerate(LEVEL_ORDER)],
                              default=len(LEVEL_ORDER), output_field=models.IntegerField())
        return self.annotate(urgency=urgency).order_by("urgency", "received_at")


class TipManager(models.Manager.from_queryset(TipQuerySet)):
    def create_tip(self, organisation, *, narrative: str, channel: str, location: str = "",
                   reporter_contact: str = "", people_involved: str = "",
                   caller_type: str = "unknown", answers: dict | None = None,
                   logged_by=None, public: bool = False, language: str = "",
                   ) -> tuple["Tip", str]:
        """Create a tip, triaged, in one transaction; return it and its follow-up passphrase.

        Public tips get a passphrase (only its hash is stored); tips logged by staff get
        none ("" is returned).
        """
        from harborlight.cases.references import next_tip_reference

        passphrase = passphrases.generate() if public else ""
        tip = self.model(organisation=organisation, reference=next_tip_reference(),
                         channel=channel, narrative=narrative, location=location,
                         reporter_contact=reporter_contact, people_involved=people_involved,
                         caller_type=caller_type, answers=dict(answers or {}),
                         logged_by=logged_by, submitted_publicly=public, language=language,
                         passphrase_hash=passphrases.make_hash(passphrase) if public else "")
        tip.retriage(save=False)
        with transaction.atomic():
            tip.save()  # audited by the audit trail's post_save receiver
        return tip, passphrase


class Tip(models.Model):
    audit_sensitive = True
    view_action = "tip.view"

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT,
                                     related_name="tips")
    reference = models.CharField(max_length=32, unique=True)
    channel = models.CharField(max_length=20, choices=Channel.choices)
    received_at = models.DateTimeField(default=timezone.now, db_index=True)
    triage_level = models.CharField(max_length=20, choices=TriageLevel.choices,
                                    default=TriageLevel.STANDARD)
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
    triage_reasons = models.JSONField(default=list, blank=True)
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

    objects = TipManager()

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

    # -- triage --------------------------------------------------------------------

    def reviews_by_key(self) -> dict[str, str]:
        if self.pk is None:
            return {}
        return dict(self.reviews.values_list("key", "decision"))

    def suggestions(self, catalog=None) -> list:
        from harborlight.intake.assist import suggest
        from harborlight.intake.catalog import current_catalog

        return suggest(self.narrative, catalog or current_catalog())

    def triage_evidence(self, catalog=None, suggestions=None):
        """Answers plus the indicators in play: suggested and not rejected, or selected.

        A rejected coding suggestion removes that coding from every indicator here, so an
        operator's "no, this is not sexual exploitation" changes the decision.
        """
        from harborlight.intake.catalog import current_catalog
        from harborlight.vocab.triage import Evidence

        catalog = catalog or current_catalog()
        suggestions = suggestions if suggestions is not None else self.suggestions(catalog)
        reviews = self.reviews_by_key()
        rejected_codings = {key for key, decision in reviews.items()
                            if key.startswith("coding:") and decision == "rejected"}
        indicators: dict[str, dict] = {}

        def add(indicator, origin: str, span_text: str = "") -> None:
            codings = {name: [v for v in values
                              if f"coding:{name}:{v}" not in rejected_codings]
                       for name, values in indicator.codings.items()}
            indicators[indicator.id] = {"category": indicator.category,
                                        "codings": {k: v for k, v in codings.items() if v},
                                        "origin": origin, "span_text": span_text}

        for suggestion in suggestions:
            if suggestion.kind != "indicator":
                continue
            decision = reviews.get(suggestion.key)
            if decision == SuggestionDecision.REJECTED:
                continue
            indicator = catalog.get(suggestion.indicator_ids[0])
            origin = "confirmed" if decision == SuggestionDecision.CONFIRMED else "suggested"
            add(indicator, origin, suggestion.text)
        for ident in self.answers.get("indicators", []):
            indicator = catalog.get(ident)
            if indicator is not None and ident not in indicators:
                add(indicator, "selected by operator")
        answers = {k: v for k, v in self.answers.items() if k != "indicators"}
        return Evidence(answers, indicators)

    def retriage(self, save: bool = True, catalog=None):
        """Apply the triage rules; store the level, every reason and the releases used."""
        from harborlight.intake.catalog import current_catalog, current_rules
        from harborlight.vocab.triage import decide_level

        catalog = catalog or current_catalog()
        rules = current_rules()
        decision = decide_level(self.triage_evidence(catalog), rules, catalog.release)
        self.triage_level = decision.level
        self.triage_reasons = [reason.to_dict() for reason in decision.reasons]
        self.triage_release = f"rules {rules.release}; catalog {catalog.release}"
        if save:
            self.save(update_fields=["triage_level", "triage_reasons", "triage_release"])
        return decision

    def review_suggestion(self, key: str, decision: str, by) -> None:
        """Record an operator's confirm or reject, then triage again."""
        if decision not in SuggestionDecision.values:
            raise ValueError(f"decision must be one of {SuggestionDecision.values}")
        known = {suggestion.key for suggestion in self.suggestions()}
        if key not in known:
            raise TipStateError("That suggestion is not (or no longer) made for this tip.")
        with transaction.atomic():
            SuggestionReview.objects.update_or_create(
                tip=self, key=key, defaults={"decision": decision, "reviewed_by": by,
                                             "reviewed_at": timezone.now()})
            self.retriage()

    def set_answers(self, answers: dict, by) -> None:
        with transaction.atomic():
            self.answers = dict(answers)
            self.save(update_fields=["answers"])
            self.retriage()

    # -- queue steps -----------------------------------------------------------------

    def _require_open(self) -> None:
        if self.is_closed:
            raise TipStateError(f"Tip {self.reference} is closed.")

    def assign(self, assignee, by) -> None:
        from harborlight.security.permissions import can

        self._require_open()
        if assignee.organisation_id != self.organisation_id or not can(assignee, "tip.update"):
            raise TipStateError("Tips can be assigned only to colleagues who may triage them.")
        with transaction.atomic():
            self.assigned_to = assignee
            self.status = TipStatus.ASSIGNED
            self.save(update_fields=["assigned_to", "status"])

    def add_note(self, author, body: str) -> "TipNote":
        return TipNote.objects.create(tip=self, author=author, body=body)

    def reply_to_reporter(self, author, body: str) -> "TipMessage":
        if not self.submitted_publicly:
            raise TipStateError("Only web reports have a follow-up page to reply to.")
        return TipMessage.objects.create(tip=self, author=author, body=body,
                                         direction=MessageDirection.TO_REPORTER)

    def add_reporter_message(self, body: str) -> "TipMessage":
        """The reporter adds information; staff read it under the tip's follow-up."""
        return TipMessage.objects.create(tip=self, body=body,
                                         direction=MessageDirection.FROM_REPORTER)

    def close(self, reason: str, by, note: str = "") -> None:
        self._require_open()
        if reason not in CloseReason.values:
            raise ValueError(f"reason must be one of {CloseReason.values}")
        with transaction.atomic():
            self.status = TipStatus.CLOSED
            self.close_reason = reason
            self.closed_at = timezone.now()
            self.save(update_fields=["status", "close_reason", "closed_at"])
            if note:
                self.add_note(by, note)

    def merge_into(self, keeper: "Tip", by) -> None:
        """Close this tip as a duplicate of ``keeper``; its notes and messages move there.

        Both must belong to the same organisation and be open; a chain of merges is
        followed to the tip that was kept, so a merge never points at a closed duplicate.
        """
        self._require_open()
        if keeper.pk == self.pk or keeper.organisation_id != self.organisation_id:
            raise TipStateError("Choose another open tip of your organisation to keep.")
        keeper._require_open()
        with transaction.atomic():
            TipNote.objects.filter(tip=self).update(tip=keeper)
            TipMessage.objects.filter(tip=self).update(tip=keeper)
            keeper.add_note(by, f"Merged duplicate tip {self.reference} into this one.")
            self.merged_into = keeper
            self.status = TipStatus.CLOSED
            self.close_reason = CloseReason.DUPLICATE
            self.closed_at = timezone.now()
            self.save(update_fields=["merged_into", "status", "close_reason", "closed_at"])

    def convert_to_case(self, by):
        """Open a case from this tip, keep the link both ways (tip.case), close the tip."""
        from harborlight.cases.models import Case
        from harborlight.cases.references import next_case_reference

        self._require_open()
        if self.case_id is not None:
            raise TipStateError(f"Tip {self.reference} is already linked to a case.")
        with transaction.atomic():
            case = Case.objects.create(
                organisation=self.organisation, reference=next_case_reference(), owner=by,
                summary=f"Opened from tip {self.reference} ({self.get_triage_level_display()}"
                        f" priority).")
            self.case = case
            self.status = TipStatus.CLOSED
            self.close_reason = CloseReason.CONVERTED
            self.closed_at = timezone.now()
            self.save(update_fields=["case", "status", "close_reason", "closed_at"])
        return case

    def hand_off_to_law_enforcement(self, by, recipient: str, mandatory_reason: str = ""):
        """Pass the tip to law enforcement through the disclosure gate (consent or duty).

        Raises :class:`~harborlight.security.disclosure.ConsentRequired` when there is
        neither an active consent on the tip nor a recorded mandatory-report reason.
        """
        from harborlight.cases.models import ConsentPurpose
        from harborlight.security.disclosure import disclose

        with transaction.atomic():
            basis = disclose(by, self, ConsentPurpose.LAW_ENFORCEMENT, tip=self,
                             recipient=recipient, mandatory_reason=mandatory_reason,
                             details={"reference": self.reference})
            self.handed_off_at = timezone.now()
            self.handoff_basis = f"{recipient}: {basis.describe()}"
            self.save(update_fields=["handed_off_at", "handoff_basis"])
        return basis

    # -- anonymous follow-up --------------------------------------------------------

    @classmethod
    def for_followup(cls, reference: str, passphrase: str,
                     now: datetime | None = None) -> "Tip":
        """The public tip these credentials open, or :class:`FollowUpRefused`.

        Wrong passphrases are counted per tip (never per address: none is kept). After
        FOLLOWUP_MAX_FAILURES the tip refuses every attempt, right or wrong, for
        FOLLOWUP_BLOCK. An unknown reference costs the same hash time as a wrong passphrase.
        """
        now = now or timezone.now()
        reference = (reference or "").strip().upper()
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


class MessageDirection(models.TextChoices):
    FROM_REPORTER = "from_reporter", _("From the reporter")
    TO_REPORTER = "to_reporter", _("Reply from the hotline")


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
