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
from django.utils.translation import gettext_lazy as _

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


class Arrival(models.TextChoices):
    """What a field interview becomes when it arrives."""

    TIP = "tip", _("A tip, for the hotline to triage")
    CASE = "case", _("A case, with the interviewed person's HTCDS values")


class IntakeSetting(models.Model):
    """An organisation's choice for its field interviews (one row, made on first change)."""

    organisation = models.OneToOneField("accounts.Organisation", on_delete=models.CASCADE,
                                        related_name="field_intake")
    arrives_as = models.CharField(max_length=10, choices=Arrival.choices,
                                  default=Arrival.TIP)

    @classmethod
    def arrival_for(cls, organisation) -> str:
        row = cls.objects.filter(organisation=organisation).first()
        return row.arrives_as if row is not None else Arrival.TIP

    def __str__(self) -> str:
        return f"{self.organisation} field interviews arrive as {self.arrives_as}"


class OrganisationForm(models.Model):
    """One version of an XLSForm an administrator uploaded, converted by pyxform.

    Every version is kept: the form list serves the newest of each form id, and a
    submission made with any kept version is taken (a phone may still hold an older one).
    The form holds questions, not answers, so it is not encrypted."""

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.CASCADE,
                                     related_name="field_forms")
    form_id = models.CharField(max_length=100)
    version = models.CharField(max_length=100)
    title = models.CharField(max_length=200)
    xform = models.TextField(help_text="The XForm pyxform made of the upload")
    source_name = models.CharField(max_length=200, help_text="The uploaded file's name")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organisation", "form_id", "version"],
                                               name="fieldintake_one_per_form_version")]
        ordering = ["form_id", "-uploaded_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.form_id} version {self.version}"
