"""What Harborlight keeps of each OpenRosa submission: enough to recognise a resubmission
(``instanceID``) and the form's HTCDS values, encrypted; the tip holds the rest."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from harborlight.security.fields import EncryptedTextField


class FieldSubmission(models.Model):
    """One interview sent by ODK Collect or KoboCollect, once per ``instanceID``."""

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.CASCADE,
                                     related_name="field_submissions")
    instance_id = models.CharField(max_length=100,
                                   help_text="The form instance's meta/instanceID (uuid:...)")
    form_id = models.CharField(max_length=100)
    form_version = models.CharField(max_length=100)
    tip = models.OneToOneField("intake.Tip", null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="field_submission")
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    received_at = models.DateTimeField(default=timezone.now)
    htcds = EncryptedTextField(blank=True,
                               help_text="The submission's values under their HTCDS names "
                                         "(JSON), and the names of its attachments")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organisation", "instance_id"],
                                               name="fieldintake_one_per_instance")]

    def __str__(self) -> str:
        return f"{self.form_id} {self.instance_id}"
