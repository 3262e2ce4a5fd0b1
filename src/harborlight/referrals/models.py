"""The directory of service providers that survivors can be referred to.

Provider details are public business information, so they are stored in the clear.
"""

from __future__ import annotations

from django.db import models


class ServiceProvider(models.Model):
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT,
                                     related_name="providers",
                                     help_text="The organisation that keeps this entry.")
    name = models.CharField(max_length=200)
    services = models.JSONField(default=list)
    populations = models.JSONField(default=list)
    languages = models.JSONField(default=list)
    open_24_7 = models.BooleanField(default=False)
    hours = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=120, blank=True)
    postal_code = models.CharField(max_length=20, blank=True)
    country = models.CharField(max_length=3, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
