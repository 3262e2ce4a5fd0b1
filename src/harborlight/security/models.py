"""Security records that live in the database: break-glass grants.

Keys never live here (see :mod:`harborlight.security.crypto`); the audit trail has its own
app, :mod:`harborlight.security.audit`.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone

from harborlight.notifications.models import Notice
from harborlight.security.audit.log import audited, record

BREAK_GLASS_MINUTES = 60


class BreakGlassGrantQuerySet(models.QuerySet):
    def for_object(self, obj: models.Model) -> "BreakGlassGrantQuerySet":
        content_type = ContentType.objects.get_for_model(obj, for_concrete_model=True)
        return self.filter(content_type=content_type, object_id=str(obj.pk))

    def active(self, now=None) -> "BreakGlassGrantQuerySet":
        return self.filter(expires_at__gt=now or timezone.now())

    def awaiting_review(self) -> "BreakGlassGrantQuerySet":
        return self.filter(reviewed_at__isnull=True)

    def active_for(self, user, obj: models.Model, now=None) -> "BreakGlassGrant | None":
        """The grant that opens ``obj`` to ``user`` now, if any (the latest to expire)."""
        return (self.for_object(obj).active(now).filter(user=user)
                .order_by("-expires_at").first())


class BreakGlassGrant(models.Model):
    """Emergency access to one restricted record, granted to one user, for a short time.

    A grant exists only because someone typed a reason. It expires on its own, and stays
    listed for review until a supervisor, administrator or auditor has looked at it.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                             related_name="break_glass_grants")
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    object_id = models.CharField(max_length=64)
    object_label = models.CharField(max_length=200)
    reason = models.TextField()
    granted_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    null=True, blank=True, related_name="+")
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.TextField(blank=True)

    objects = BreakGlassGrantQuerySet.as_manager()

    class Meta:
        ordering = ["-granted_at"]
        indexes = [models.Index(fields=["content_type", "object_id", "user", "expires_at"])]

    def __str__(self) -> str:
        return f"{self.user} -> {self.object_label}"

    @classmethod
    def open(cls, user, obj: models.Model, reason: str, now=None) -> "BreakGlassGrant":
        now = now or timezone.now()
        return cls.objects.create(
            user=user, organisation=user.organisation,
            content_type=ContentType.objects.get_for_model(obj, for_concrete_model=True),
            object_id=str(obj.pk), object_label=str(obj)[:200], reason=reason,
            granted_at=now, expires_at=now + timedelta(minutes=BREAK_GLASS_MINUTES),
        )

    def allows(self, user, action: str) -> bool:
        """Someone else reviews a grant: never the person who used it."""
        return action != "breakglass.review" or user.pk != self.user_id

    @property
    def notice_subject(self) -> str:
        """What the reviewers' notices about this grant name (harborlight.notifications)."""
        return f"break-glass:{self.pk}"

    def mark_reviewed(self, reviewer, note: str = "", now=None) -> None:
        """Sign the grant off, audited once (the review, naming the record it opened); the
        reviewers' notices about it are settled."""
        with audited():
            Notice.objects.settle(self.notice_subject, now=now)
            self.reviewed_by = reviewer
            self.reviewed_at = now or timezone.now()
            self.review_note = note
            self.save(update_fields=["reviewed_by", "reviewed_at", "review_note"])
            record("break_glass_review", actor=reviewer,
                   object_type=f"{self.content_type.app_label}.{self.content_type.model}",
                   object_id=self.object_id, details={"grant": self.pk})


class KeyCanary(models.Model):
    """A known value encrypted under one key, proving the keyring's key is the right one.

    One row per key id that has encrypted data here. At start-up
    :func:`harborlight.security.checks.verify_keyring` decrypts each canary: a key id
    the keyring lacks, or a key that does not decrypt its canary, stops Harborlight
    before it can write data that could never be read back. The canary holds no secret:
    its plaintext is a fixed, public string.
    """

    key_id = models.CharField(max_length=16, unique=True)
    token = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["key_id"]

    def __str__(self) -> str:
        return f"key canary {self.key_id}"
