"""What Harborlight keeps of each OpenRosa submission: enough to recognise a resubmission
(``instanceID``), the form's HTCDS values and the attachments, all identifying content
encrypted. Both go with their tip: a tip erased or purged by retention takes its
submission, its attachments' rows and their encrypted files with it."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.utils import timezone

from harborlight.security.fields import EncryptedFileField, EncryptedTextField


class FieldSubmission(models.Model):
    """One interview sent by ODK Collect or KoboCollect, once per ``instanceID``."""

    audit_sensitive = True

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.CASCADE,
                                     related_name="field_submissions")
    instance_id = models.CharField(max_length=100,
                                   help_text="The form instance's meta/instanceID (uuid:...)")
    form_id = models.CharField(max_length=100)
    form_version = models.CharField(max_length=100)
    tip = models.OneToOneField("intake.Tip", on_delete=models.CASCADE,
                               related_name="field_submission")
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    received_at = models.DateTimeField(default=timezone.now)
    htcds = EncryptedTextField(blank=True,
                               help_text="The submission's answers under their HTCDS names "
                                         "(JSON)")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organisation", "instance_id"],
                                               name="fieldintake_one_per_instance")]

    def __str__(self) -> str:
        return f"{self.form_id} {self.instance_id}"


def _stored_name(instance: "FieldAttachment", filename: str) -> str:
    """A random storage name: the phone's file name is kept only encrypted."""
    return f"fieldintake/{uuid.uuid4().hex}"


class FieldAttachment(models.Model):
    """A photo, recording or other file sent with a submission, encrypted at rest."""

    audit_sensitive = True

    submission = models.ForeignKey(FieldSubmission, on_delete=models.CASCADE,
                                   related_name="attachments")
    name = EncryptedTextField(help_text="The file's name on the phone")
    file = EncryptedFileField(upload_to=_stored_name)
    size = models.PositiveIntegerField()

    def __str__(self) -> str:
        return f"attachment {self.pk} of {self.submission_id}"


@receiver(post_delete, sender=FieldAttachment, dispatch_uid="fieldintake.attachment_file")
def delete_attachment_file(sender, instance: FieldAttachment, **kwargs) -> None:
    """The encrypted file goes with its row (erasure, retention, a deleted tip)."""
    if instance.file.name:
        instance.file.storage.delete(instance.file.name)
