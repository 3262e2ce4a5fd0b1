"""The directory of service providers that survivors can be referred to.

Provider details are public business information, so they are stored in the clear. Each
organisation keeps its own directory. An entry may stand for another organisation that
uses this Harborlight (``partner``): a referral to it travels inside Harborlight, and
the partner accepts or declines it; any other entry gets a printable referral letter.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.db.models import Q

from harborlight.referrals.geocoding import KM_PER_MILE, Place, bounding_box, haversine_km
from harborlight.security.audit.log import audited, record


@dataclass(frozen=True)
class SearchHit:
    provider: ServiceProvider
    distance_km: float | None

    @property
    def distance_miles(self) -> float | None:
        return None if self.distance_km is None else self.distance_km / KM_PER_MILE


class ServiceProviderQuerySet(models.QuerySet):
    def offering(self, service: str = "", language: str = "", population: str = ""
                 ) -> ServiceProviderQuerySet:
        """Entries that list every given code.

        JSON list containment has no portable lookup (SQLite lacks ``contains`` on JSON),
        so the lists are read and tested here; a directory is one organisation's, small
        enough for that.
        """
        wanted = [("services", service), ("languages", language), ("populations", population)]
        wanted = [(name, code) for name, code in wanted if code]
        if not wanted:
            return self
        ids = [pk for pk, *lists in self.values_list("pk", *[name for name, _ in wanted])
               if all(code in (values or []) for (_, code), values in zip(wanted, lists))]
        return self.filter(pk__in=ids)

    def search(self, *, service: str = "", language: str = "", population: str = "",
               near: Place | None = None, radius_km: float | None = None,
               open_24_7: bool = False, limit: int = 200) -> list[SearchHit]:
        """Providers matching every criterion, nearest first when ``near`` is given.

        Distance is great-circle (haversine) from the place's centroid to the provider's
        coordinates; a bounding box narrows the query first. Entries without coordinates
        are left out of a distance search, since their distance is unknown.
        """
        queryset = self.offering(service, language, population)
        if open_24_7:
            queryset = queryset.filter(open_24_7=True)
        if near is None:
            return [SearchHit(p, None) for p in queryset.order_by("name")[:limit]]
        queryset = queryset.filter(latitude__isnull=False, longitude__isnull=False)
        if radius_km is not None:
            min_lat, max_lat, min_lon, max_lon = bounding_box(near.latitude, near.longitude,
                                                              radius_km)
            queryset = queryset.filter(latitude__gte=min_lat, latitude__lte=max_lat)
            if max_lon - min_lon < 360:
                queryset = queryset.filter(longitude__gte=min_lon, longitude__lte=max_lon)
        hits = []
        for provider in queryset:
            distance = haversine_km(near.latitude, near.longitude, provider.latitude,
                                    provider.longitude)
            if radius_km is None or distance <= radius_km:
                hits.append(SearchHit(provider, distance))
        hits.sort(key=lambda hit: (hit.distance_km, hit.provider.name))
        return hits[:limit]


class ServiceProvider(models.Model):
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT,
                                     related_name="providers",
                                     help_text="The organisation that keeps this entry.")
    name = models.CharField(max_length=200)
    external_id = models.CharField(
        max_length=64, blank=True,
        help_text="The entry's id in the file it was imported from; re-importing the same "
                  "file updates entries instead of adding duplicates.")
    partner = models.ForeignKey(
        "accounts.Organisation", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="directory_entries",
        help_text="The Harborlight organisation this entry stands for, if it uses "
                  "Harborlight: referrals then travel inside Harborlight.")
    services = models.JSONField(default=list)
    populations = models.JSONField(default=list)
    languages = models.JSONField(default=list)
    open_24_7 = models.BooleanField(default=False)
    hours = models.CharField(max_length=200, blank=True)
    street = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=120, blank=True)
    state = models.CharField(max_length=60, blank=True)
    postal_code = models.CharField(max_length=20, blank=True)
    country = models.CharField(max_length=3, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    contact_name = models.CharField(max_length=150, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ServiceProviderQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "external_id"],
                                    condition=~Q(external_id=""),
                                    name="provider_external_id_unique_per_organisation"),
        ]
        indexes = [models.Index(fields=["organisation", "latitude", "longitude"])]

    def __str__(self) -> str:
        return self.name

    @property
    def is_partner(self) -> bool:
        return self.partner_id is not None

    def save_by(self, by) -> None:
        """Save an entry of the directory, audited once (``create`` or ``update``)."""
        created = self.pk is None
        with audited():
            self.save()
            record("create" if created else "update", actor=by, obj=self,
                   details={"directory": True})

    def delete_by(self, by) -> None:
        """Remove the entry; referrals already sent keep the name they were sent to."""
        with audited():
            record("delete", actor=by, obj=self, details={"directory": True})
            self.delete()

    def address_lines(self) -> list[str]:
        locality = " ".join(part for part in [self.city + ("," if self.city and self.state
                                                           else ""), self.state,
                                              self.postal_code] if part)
        return [line for line in [self.street, locality] if line]
