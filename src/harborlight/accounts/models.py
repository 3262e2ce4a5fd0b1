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
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop
from django_otp.models import Device, ThrottlingMixin, TimestampMixin
from django_otp.oath import TOTP
from django_otp.util import random_hex

from harborlight.security.fields import EncryptedCharField
from harborlight.security.policy import load_policy, role_allows, roles_allowed


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


# policy.toml's role labels, marked here so that makemessages keeps their Spanish (a test
# checks that every label of the policy has it).
ROLE_LABEL_WORDS = (gettext_noop("Administrator"), gettext_noop("Supervisor"),
                    gettext_noop("Caseworker (advocate)"), gettext_noop("Hotline operator"),
                    gettext_noop("Analyst"), gettext_noop("Auditor"))

# The roles of policy.toml, in its order, with its labels (``Role.CASEWORKER`` and so on).
Role = models.TextChoices("Role", [(name.upper(), (name, _(label)))
                                   for name, label in load_policy().role_labels.items()])


class HarborlightUserManager(UserManager):
    def create_staff_user(self, username: str, password: str, organisation: Organisation,
                          role: str, **extra) -> "User":
        """Create an active user at once, with a password chosen here, who enrols a TOTP
        device at first sign-in.

        Server side only, with no second person: the command line's first administrator
        and supervisor (``createadmin``, ``createsupervisor``), the demo's synthetic cast
        and the tests. Pages and the API never call it: they add people through
        :mod:`harborlight.accounts.access`, where access to survivor records waits for a
        supervisor's approval and the person sets their own secrets.
        """
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
    # The language of the staff pages for this user; empty: the browser's Accept-Language.
    # db_default: rows written by code that predates the column (migration tests) get "".
    language = models.CharField(max_length=8, blank=True, default="", db_default="",
                                choices=[("en", "English"), ("es", "Español")])

    objects = HarborlightUserManager()

    REQUIRED_FIELDS = ["email"]

    def __str__(self) -> str:
        return self.display_name or self.username

    @property
    def role_label(self) -> str:
        return Role(self.role).label if self.role in Role.values else self.role


class AccessKind(models.TextChoices):
    NEW_ACCOUNT = "new_account", _("New account")
    ROLE_CHANGE = "role_change", _("Role change")
    REACTIVATION = "reactivation", _("Reactivation")
    NEW_LINK = "new_link", _("New set-up link")


class AccessStatus(models.TextChoices):
    WAITING = "waiting", _("Waiting for a supervisor")
    READY = "ready", _("Set-up link not used yet")
    DONE = "done", _("Done")
    REFUSED = "refused", _("Refused")
    CANCELLED = "cancelled", _("Cancelled")


OPEN_STATUSES = (AccessStatus.WAITING, AccessStatus.READY)


class AccessRequestQuerySet(models.QuerySet):
    def open(self, now=None) -> "AccessRequestQuerySet":
        """Waiting for a supervisor, or for the person to use their link, and not expired."""
        return self.filter(status__in=OPEN_STATUSES, expires_at__gt=now or timezone.now())

    def waiting_for(self, approver, now=None) -> "AccessRequestQuerySet":
        """What ``approver`` may decide: waiting, in their organisation, neither about
        them nor asked by them."""
        return (self.open(now).filter(status=AccessStatus.WAITING,
                                      organisation_id=approver.organisation_id)
                .exclude(member=approver).exclude(requested_by=approver)
                .select_related("member", "requested_by").order_by("requested_at"))


class AccessRequest(models.Model):
    """A request to give an account access: a new account, a role, a reactivation, or new
    secrets. See :mod:`harborlight.accounts.access` for the steps and who sees what.

    Only digests of the set-up link's token and of the supervisor's approval code are
    stored (keyed with the server secret): a copy of the database opens nothing.
    """

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT,
                                     related_name="access_requests")
    member = models.ForeignKey(User, on_delete=models.CASCADE, related_name="access_requests")
    kind = models.CharField(max_length=20, choices=AccessKind.choices)
    role = models.CharField(max_length=32, choices=Role.choices)
    needs_approval = models.BooleanField()
    needs_setup = models.BooleanField()
    status = models.CharField(max_length=12, choices=AccessStatus.choices,
                              default=AccessStatus.WAITING)
    requested_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    link_digest = models.CharField(max_length=64, blank=True, db_index=True)
    code_digest = models.CharField(max_length=64, blank=True)
    code_failures = models.PositiveSmallIntegerField(default=0)
    expires_at = models.DateTimeField()
    completed_at = models.DateTimeField(null=True, blank=True)

    objects = AccessRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-requested_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.member} ({self.role})"

    def audit_label(self) -> str:
        return f"access request #{self.pk} ({self.member.username})"

    @property
    def role_label(self) -> str:
        return Role(self.role).label

    def is_open(self, now=None) -> bool:
        return self.status in OPEN_STATUSES and self.expires_at > (now or timezone.now())

    def allows(self, user, action: str) -> bool:
        """Nobody decides a request about themselves, or one they asked for."""
        return user.pk not in (self.member_id, self.requested_by_id)


class ApiTokenQuerySet(models.QuerySet):
    def active(self, now=None) -> "ApiTokenQuerySet":
        """Not revoked, not expired, and their user not deactivated."""
        return self.filter(revoked_at__isnull=True, user__is_active=True,
                           expires_at__gt=now or timezone.now())


class ApiToken(models.Model):
    """A bearer token for the HTTP API, stored as a public prefix plus an HMAC digest.

    The full token is shown once, when created (``harborlight token create``). Only its
    keyed digest is kept, so a copy of the database does not hand out working tokens.
    A token works until it expires or is revoked, and never while its user is deactivated
    or held back by the sign-in lockout (:mod:`harborlight.accounts.tokens`).
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    prefix = models.CharField(max_length=12, unique=True)
    digest = models.CharField(max_length=64)
    label = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"

    def audit_label(self) -> str:
        return f"API token {self.prefix}"

    @property
    def organisation_id(self) -> int | None:
        """Whose token it is, for the permission layer: its user's organisation."""
        return self.user.organisation_id

    def allows(self, user, action: str) -> bool:
        """Your own tokens; or, for whoever manages users, any of the organisation's."""
        return self.user_id == user.pk or role_allows(user.role, "user.manage")

    def is_active(self, now=None) -> bool:
        return (self.revoked_at is None and self.user.is_active
                and self.expires_at > (now or timezone.now()))


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


class ProviderIdentity(Device):
    """A person's account at the organisation's OpenID Connect provider: its issuer and
    subject (``sub``, stable at that issuer; never the e-mail address), linked to one user
    by an administrator (``harborlight sso link``). See :mod:`harborlight.accounts.oidc`.

    It is a django-otp device so that a sign-in whose ID token carries a trusted ``amr`` or
    ``acr`` value can mark the session verified by it; it accepts no codes of its own.
    """

    issuer = models.CharField(max_length=255)
    subject = models.CharField(max_length=255)
    linked_at = models.DateTimeField(default=timezone.now)

    class Meta(Device.Meta):
        verbose_name = "identity provider account"
        constraints = [
            models.UniqueConstraint(fields=["issuer", "subject"], name="provider_subject_once"),
            models.UniqueConstraint(fields=["user", "issuer"], name="one_subject_per_issuer"),
        ]

    def audit_label(self) -> str:
        return f"identity provider account of {self.user.username}"

    def verify_token(self, token) -> bool:
        return False
