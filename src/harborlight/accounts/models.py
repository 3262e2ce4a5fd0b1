"""Organisations and the people who work in them.

Every record in Harborlight belongs to exactly one organisation, and every user works for
exactly one organisation in exactly one role. What a role may do is not decided here: it
is data in ``harborlight/security/policy.toml``, read by ``harborlight.security.policy``.
The roles themselves come from that file too (:data:`Role`), and "who may hold a case" or
"who may triage a tip" is asked of it (:meth:`HarborlightUserManager.allowed_to`), never
written out as a list of role names.
"""

from __future__ import annotations

import time
from base64 import b32encode
from binascii import unhexlify
from urllib.parse import quote, urlencode

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_otp.models import Device, ThrottlingMixin, TimestampMixin
from django_otp.oath import TOTP
from django_otp.util import random_hex

from harborlight.security.fields import EncryptedCharField
from harborlight.security.policy import load_policy, roles_allowed


class Organisation(models.Model):
    """A hotline, shelter, advocacy service or analysis team using this Harborlight."""

    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=60, unique=True)
    # HTCDS org_ fields that describe the organisation itself (not people).
    country = models.CharField(max_length=3, blank=True, help_text="ISO 3166-1 alpha-3")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


# The roles of policy.toml, in its order, with its labels (``Role.CASEWORKER`` and so on).
Role = models.TextChoices("Role", [(name.upper(), (name, _(label)))
                                   for name, label in load_policy().role_labels.items()])


class HarborlightUserManager(UserManager):
    def create_staff_user(self, username: str, password: str, organisation: Organisation,
                          role: str, **extra) -> "User":
        """Create a user who must enrol a TOTP device at first login."""
        if role not in Role.values:
            raise ValueError(f"unknown role {role!r}; choose one of {', '.join(Role.values)}")
        return self.create_user(username=username, password=password,
                                organisation=organisation, role=role, **extra)

    def allowed_to(self, action: str, organisation) -> models.QuerySet:
        """Active users of ``organisation`` whose role the policy grants ``action``."""
        return self.filter(organisation=organisation, is_active=True,
                           role__in=roles_allowed(action)).order_by("username")


class User(AbstractUser):
    """A member of staff. Everyone who logs in is staff and needs two-factor login."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT,
                                     related_name="users", null=True)
    role = models.CharField(max_length=32, choices=Role.choices)
    display_name = models.CharField(max_length=150, blank=True)

    objects = HarborlightUserManager()

    REQUIRED_FIELDS = ["email"]

    def __str__(self) -> str:
        return self.display_name or self.username

    @property
    def role_label(self) -> str:
        return Role(self.role).label if self.role in Role.values else self.role


class ApiTokenQuerySet(models.QuerySet):
    def active(self) -> "ApiTokenQuerySet":
        return self.filter(revoked_at__isnull=True, user__is_active=True)


class ApiToken(models.Model):
    """A bearer token for the HTTP API, stored as a public prefix plus an HMAC digest.

    The full token is shown once, when created (``harborlight token create``). Only its
    keyed digest is kept, so a copy of the database does not hand out working tokens.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    prefix = models.CharField(max_length=12, unique=True)
    digest = models.CharField(max_length=64)
    label = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"


def new_totp_secret() -> str:
    """20 random bytes, hex-encoded: the secret an authenticator app shares with us."""
    return random_hex(20)


class Authenticator(TimestampMixin, ThrottlingMixin, Device):
    """A TOTP authenticator app (the second factor), its secret encrypted with the keyring.

    The checks are django-otp's TOTPDevice's: a code of the current time step or one either
    side, never a step already used, and a doubling pause after each wrong code. Only the
    secret's column differs: that model stores it in clear, so a copy of the database could
    mint codes for every account. Key rotation re-encrypts it like any encrypted field.
    """

    ISSUER = "Harborlight"

    key = EncryptedCharField(max_length=80, default=new_totp_secret)
    step = models.PositiveSmallIntegerField(default=30)
    t0 = models.BigIntegerField(default=0)
    digits = models.PositiveSmallIntegerField(default=6)
    tolerance = models.PositiveSmallIntegerField(default=1)
    drift = models.SmallIntegerField(default=0)
    last_t = models.BigIntegerField(default=-1)

    class Meta(Device.Meta):
        verbose_name = "authenticator app"

    @property
    def bin_key(self) -> bytes:
        return unhexlify(self.key.encode())

    def totp(self) -> TOTP:
        return TOTP(self.bin_key, self.step, self.t0, self.digits, self.drift)

    def verify_token(self, token) -> bool:
        allowed, _details = self.verify_is_allowed()
        if not allowed:
            return False
        totp = self.totp()
        totp.time = time.time()
        try:
            verified = totp.verify(int(token), self.tolerance, self.last_t + 1)
        except (TypeError, ValueError):
            verified = False
        if verified:
            self.last_t, self.drift = totp.t(), totp.drift
            self.throttle_reset(commit=False)
            self.set_last_used_timestamp(commit=False)
            self.save()
        else:
            self.throttle_increment(commit=True)
        return verified

    def get_throttle_factor(self) -> int:
        return 1

    @property
    def config_url(self) -> str:
        """The ``otpauth://`` address an authenticator app reads from the QR code."""
        label = quote(f"{self.ISSUER}:{self.user.get_username()}")
        params = urlencode({"secret": b32encode(self.bin_key), "algorithm": "SHA1",
                            "digits": self.digits, "period": self.step})
        return f"otpauth://totp/{label}?{params}&issuer={quote(self.ISSUER)}"
