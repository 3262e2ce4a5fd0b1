"""Tips and contacts received by the hotline.

The foundation holds the record itself; triage rules, indicator catalogs and the public
report form come with the intake issue.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from harborlight.security.fields import EncryptedTextField


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

    class Meta:
        ordering = ["-received_at"]
        indexes = [models.Index(fields=["organisation", "status", "triage_level"])]

    def __str__(self) -> str:
        return self.reference
