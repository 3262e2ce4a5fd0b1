"""The audit trail's tables: one row per audited event, chained by SHA-256.

An :class:`AuditEntry` row (``version`` 1) holds::

    seq            1, 2, 3, ... with no gaps (primary key; the chain position)
    created_at     when it happened (UTC, microseconds)
    actor_id       snapshot of the user (id, username, role), not a foreign key, so that
    actor_username   deleting or renaming a user never changes a stored entry; empty for
    actor_role       anonymous, public and system events
    organisation   whose event it is (null for system events and unknown usernames)
    action         one of :class:`AuditAction`
    object_type    "app_label.model", object_id its primary key, object_label a
    object_id        non-identifying reference (never a person's name)
    object_label
    reason         why, where a reason is required (break-glass, disclosure)
    details        small JSON object: names and flags, never record values
    prev_hash      the previous entry's ``hash`` (64 zeros for entry 1)
    hash           SHA-256 over the canonical form of all the fields above (see chain.py)

:class:`AuditChainHead` is a single row (pk 1) holding the last sequence number and hash.
Appending locks it first, which serialises writers on SQLite and PostgreSQL alike, and
it lets verification notice entries deleted from the end of the chain.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from harborlight.security.audit.chain import GENESIS_HASH, HEAD_PK
from harborlight.security.fields import EncryptedJSONField


class AuditAction(models.TextChoices):
    """Every action the audit trail accepts; :func:`log.record` rejects anything else."""

    LOGIN = "login", _("Signed in")
    LOGIN_FAILED = "login_failed", _("Failed sign-in")
    LOGOUT = "logout", _("Signed out")
    SESSION_TIMEOUT = "session_timeout", _("Session timed out")
    LOCKOUT = "lockout", _("Locked out")
    CREATE = "create", _("Created")
    READ = "read", _("Read")
    UPDATE = "update", _("Updated")
    DELETE = "delete", _("Deleted")
    EXPORT = "export", _("Exported")
    BREAK_GLASS = "break_glass", _("Break-glass access")
    BREAK_GLASS_REVIEW = "break_glass_review", _("Break-glass reviewed")
    DISCLOSE = "disclose", _("Disclosed")
    TWO_FACTOR_ENROL = "2fa_enrol", _("Two-factor enrolled")
    TWO_FACTOR_RESET = "2fa_reset", _("Two-factor reset")
    USER_CREATE = "user_create", _("User created")
    ACCESS_REQUEST = "access_request", _("Access requested")
    ACCESS_APPROVE = "access_approve", _("Access approved")
    ACCESS_REFUSE = "access_refuse", _("Access refused")
    ACCOUNT_SETUP = "account_setup", _("Account set up")
    TOKEN_CREATE = "token_create", _("API token created")
    TOKEN_REVOKE = "token_revoke", _("API token revoked")
    KEYS_ROTATE = "keys_rotate", _("Keys rotated")
    CHECKPOINT = "checkpoint", _("Checkpoint signed")
    BACKUP_CREATE = "backup_create", _("Backup made")
    BACKUP_RESTORE = "backup_restore", _("Backup restored")
    SEARCH = "search", _("Searched")


class AuditEntry(models.Model):
    seq = models.BigIntegerField(primary_key=True)
    version = models.PositiveSmallIntegerField(default=1)
    created_at = models.DateTimeField(db_index=True)
    actor_id = models.BigIntegerField(null=True, blank=True)
    actor_username = models.CharField(max_length=150, blank=True, db_index=True)
    actor_role = models.CharField(max_length=32, blank=True)
    # PROTECT: an organisation with an audit history is never deleted from under it,
    # and the stored organisation id (part of the hash) never changes.
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT,
                                     null=True, blank=True, related_name="+")
    action = models.CharField(max_length=32, choices=AuditAction.choices, db_index=True)
    object_type = models.CharField(max_length=100, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    object_label = models.CharField(max_length=200, blank=True)
    reason = models.TextField(blank=True)
    details = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["seq"]
        verbose_name_plural = "audit entries"
        indexes = [
            models.Index(fields=["organisation", "-seq"]),
            models.Index(fields=["object_type", "object_id"]),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.object_type}:{self.object_id}".rstrip(":")

    @property
    def actor_display(self) -> str:
        return self.actor_username or "(no user)"

    @property
    def details_display(self) -> list[tuple[str, str]]:
        """``details`` as (name, text) pairs for the audit page; lists joined by commas."""
        return [(key, ", ".join(map(str, value)) if isinstance(value, list) else str(value))
                for key, value in sorted(self.details.items())]


class AuditChainHead(models.Model):
    """The single row that says where the chain ends (``pk`` is always ``HEAD_PK``)."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=HEAD_PK)
    last_seq = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default=GENESIS_HASH)

    def __str__(self) -> str:
        return f"{self.last_seq}:{self.last_hash}"


class RecordVersion(models.Model):
    """One encrypted copy of a record (a case, a person, a safety plan, a consent) as it
    stood after an audited act, so that its history can be shown and restored.

    The audit trail says that a record changed and which fields; a version says what they
    held. Written by :func:`harborlight.security.audit.log.record` for records that keep
    versions (``keeps_versions = True``), one per act, beside the act's entry
    (``entry_seq``). The values live in one encrypted JSON document
    (:class:`~harborlight.security.fields.EncryptedJSONField`, so ``keys rotate`` and
    ``keys check`` cover it like every other encrypted column); who acted, when and the
    act itself are in the clear, as they are in the trail. Unlike the trail, versions are
    deleted: with their record (retention, a deleted case), and when a person is erased.
    """

    content_type = models.ForeignKey("contenttypes.ContentType", on_delete=models.CASCADE,
                                     related_name="+")
    object_id = models.BigIntegerField()
    number = models.PositiveIntegerField(help_text="1, 2, 3... per record")
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT,
                                     related_name="+")
    entry_seq = models.BigIntegerField(help_text="The audit entry of the act (its seq).")
    created_at = models.DateTimeField()
    actor_id = models.BigIntegerField(null=True, blank=True)
    actor_username = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=32, choices=AuditAction.choices)
    change = models.CharField(max_length=40, blank=True,
                              help_text="The act's kind, from its entry's details.")
    values = EncryptedJSONField(help_text="The record's fields after the act.")

    class Meta:
        ordering = ["content_type", "object_id", "number"]
        constraints = [models.UniqueConstraint(fields=["content_type", "object_id", "number"],
                                               name="audit_recordversion_unique_number")]

    def __str__(self) -> str:
        return f"version {self.number} of {self.content_type_id}:{self.object_id}"
