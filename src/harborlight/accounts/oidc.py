"""Single sign-on through the organisation's OpenID Connect provider.

Off unless ``HARBORLIGHT_OIDC_ISSUER`` is set (with ``_CLIENT_ID`` and ``_CLIENT_SECRET``).
The authorization code flow, with the client's secret, in four steps:

1. :func:`begin` sends the browser to the provider with a fresh ``state`` and ``nonce``,
   kept in a short-lived signed cookie (``SameSite=Lax``: the session cookie is Strict
   and is not sent when the provider sends the browser back);
2. :func:`finish` checks ``state``, swaps the code for tokens at the provider's token
   endpoint (authlib's OAuth 2 client) and verifies the ID token (joserfc): signed by a
   key of the provider's JWKS, ``iss`` the configured issuer, ``aud`` our client id,
   ``nonce`` ours, not expired;
3. :func:`match` finds the user linked to the token's issuer and subject
   (:class:`~harborlight.accounts.models.ProviderIdentity`). The e-mail address and every
   other claim are ignored: organisation and role are Harborlight's. An unknown or
   deactivated subject is refused and audited; a held-back username stays held back;
4. the provider's ``amr``/``acr`` claims count as the second factor only for values the
   deployment listed in ``HARBORLIGHT_OIDC_TRUSTED_AMR`` / ``_ACR``
   (:func:`trusted_second_factor`). Otherwise Harborlight's own TOTP code is asked for.

Refused callbacks are counted per client like wrong passwords (a keyed digest of the
address, in this process's memory): ``LOGIN_MAX_FAILURES`` of them pause single sign-on
from that client for ``LOCKOUT_SECONDS``.
"""

from __future__ import annotations

import hmac
import ipaddress
import secrets
import time
from urllib.parse import urlsplit

import requests
from authlib.integrations.base_client.errors import OAuthError
from authlib.integrations.requests_client import OAuth2Session
from django.conf import settings
from django.core.cache import caches
from django.http import HttpRequest, HttpResponse
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from harborlight.accounts import lockout
from harborlight.accounts.models import ProviderIdentity, User
from harborlight.security import throttle
from harborlight.security.audit.log import audited, record
from harborlight.security.audit.signals import record_attempt

FLOW_COOKIE = "harborlight_oidc"
FLOW_SECONDS = 600
HTTP_TIMEOUT = 10
METADATA_SECONDS = 3600
ALGORITHMS = ["RS256", "PS256", "ES256"]
LEEWAY_SECONDS = 60
_SALT = "harborlight.accounts.oidc"
_metadata: dict[str, tuple[float, dict]] = {}


class SignOnRefused(Exception):
    """The provider's answer cannot sign anyone in; ``reason`` is for the audit trail."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class SignOnPaused(Exception):
    """Too many refused single sign-ons from this client."""


def enabled() -> bool:
    return bool(settings.OIDC_ISSUER)


def provider_name() -> str:
    """What the sign-in page's button names: the configured name, or the issuer's host."""
    return settings.OIDC_PROVIDER_NAME or urlsplit(settings.OIDC_ISSUER).hostname or ""


def _allowed_address(url: str) -> bool:
    """HTTPS, or plain HTTP to this machine only (a provider run locally, as in tests)."""
    parts = urlsplit(url or "")
    if parts.scheme == "https" and parts.hostname:
        return True
    if parts.scheme != "http" or not parts.hostname:
        return False
    if parts.hostname == "localhost":
        return True
    try:
        return ipaddress.ip_address(parts.hostname).is_loopback
    except ValueError:
        return False


def _get_json(url: str) -> dict:
    if not _allowed_address(url):
        raise SignOnRefused("provider address is not https")
    try:
        response = requests.get(url, timeout=HTTP_TIMEOUT)
        response.raise_for_status()
        document = response.json()
    except (requests.RequestException, ValueError):
        raise SignOnRefused("provider unreachable") from None
    if not isinstance(document, dict):
        raise SignOnRefused("provider document is not an object")
    return document


def metadata() -> dict:
    """The provider's discovery document, kept for an hour; its issuer must be ours."""
    issuer = settings.OIDC_ISSUER
    cached = _metadata.get(issuer)
    if cached and time.monotonic() - cached[0] < METADATA_SECONDS:
        return cached[1]
    document = _get_json(issuer + "/.well-known/openid-configuration")
    if document.get("issuer", "").rstrip("/") != issuer:
        raise SignOnRefused("discovery issuer differs")
    for key in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
        if not _allowed_address(document.get(key, "")):
            raise SignOnRefused(f"discovery {key} missing or not https")
    _metadata[issuer] = (time.monotonic(), document)
    return document


def _client(redirect_uri: str) -> OAuth2Session:
    return OAuth2Session(settings.OIDC_CLIENT_ID, settings.OIDC_CLIENT_SECRET,
                         scope="openid", redirect_uri=redirect_uri,
                         token_endpoint_auth_method="client_secret_basic")


def begin(redirect_uri: str, next_url: str, response_factory) -> HttpResponse:
    """A redirect to the provider, with the flow's state and nonce in a signed cookie."""
    state, nonce = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    url, _state = _client(redirect_uri).create_authorization_url(
        metadata()["authorization_endpoint"], state=state, nonce=nonce)
    response = response_factory(url)
    response.set_signed_cookie(FLOW_COOKIE, f"{state} {nonce} {next_url}", salt=_SALT,
                               max_age=FLOW_SECONDS, secure=settings.SESSION_COOKIE_SECURE,
                               httponly=True, samesite="Lax")
    return response


def flow_from(request: HttpRequest) -> tuple[str, str, str]:
    """The (state, nonce, next URL) this browser's flow started with, or empty strings."""
    value = request.get_signed_cookie(FLOW_COOKIE, default="", salt=_SALT,
                                      max_age=FLOW_SECONDS)
    state, nonce, next_url = (value.split(" ", 2) + ["", "", ""])[:3]
    return state, nonce, next_url


def finish(request: HttpRequest, redirect_uri: str) -> dict:
    """The verified claims of the provider's ID token for this callback, or
    :class:`SignOnRefused`."""
    state, nonce, _next = flow_from(request)
    if request.GET.get("error"):
        raise SignOnRefused("provider refused: " + request.GET["error"][:60])
    if not state or not hmac.compare_digest(request.GET.get("state", ""), state):
        raise SignOnRefused("state does not match")
    code = request.GET.get("code", "")
    if not code:
        raise SignOnRefused("no code")
    document = metadata()
    try:
        tokens = _client(redirect_uri).fetch_token(
            document["token_endpoint"], code=code, grant_type="authorization_code",
            timeout=HTTP_TIMEOUT)
    except (OAuthError, requests.RequestException, ValueError):
        raise SignOnRefused("code exchange failed") from None
    id_token = tokens.get("id_token")
    if not isinstance(id_token, str):
        raise SignOnRefused("no ID token")
    try:
        keys = KeySet.import_key_set(_get_json(document["jwks_uri"]))
        claims = jwt.decode(id_token, keys, algorithms=ALGORITHMS).claims
        jwt.JWTClaimsRegistry(
            leeway=LEEWAY_SECONDS,
            iss={"essential": True, "value": settings.OIDC_ISSUER},
            sub={"essential": True},
            aud={"essential": True, "value": settings.OIDC_CLIENT_ID},
            exp={"essential": True},
            iat={"essential": True},
            nonce={"essential": True, "value": nonce},
        ).validate(claims)
    except (JoseError, ValueError, TypeError) as problem:
        raise SignOnRefused(f"ID token refused: {type(problem).__name__}") from None
    audience = claims["aud"]
    if isinstance(audience, list) and len(audience) > 1 and \
            claims.get("azp") != settings.OIDC_CLIENT_ID:
        raise SignOnRefused("ID token for several audiences without our azp")
    return claims


def trusted_second_factor(claims: dict) -> str:
    """The ``amr`` or ``acr`` value that proves a second factor at the provider, when the
    deployment trusts it; empty otherwise (Harborlight then asks for its own code)."""
    methods = claims.get("amr")
    if isinstance(methods, list):
        for method in methods:
            if isinstance(method, str) and method in settings.OIDC_TRUSTED_AMR:
                return f"amr:{method}"
    level = claims.get("acr")
    if isinstance(level, str) and level in settings.OIDC_TRUSTED_ACR:
        return f"acr:{level}"
    return ""


def match(request: HttpRequest, claims: dict) -> ProviderIdentity:
    """The linked, active account for the claims' issuer and subject; else refused and
    audited (an unknown subject under a keyed digest, never in clear)."""
    identity = (ProviderIdentity.objects.select_related("user")
                .filter(issuer=claims["iss"], subject=claims["sub"]).first())
    if identity is None or not identity.user.is_active:
        raise SignOnRefused("unknown subject")
    lockout.check(request, identity.user.get_username())  # SignInPaused when held back
    return identity


def _refusals_key(request: HttpRequest) -> str:
    return f"oidc:refused:{throttle.client_key(request)}"


def check_client(request: HttpRequest) -> None:
    if throttle.peek(caches["default"], _refusals_key(request)) >= settings.LOGIN_MAX_FAILURES:
        raise SignOnPaused()


def refused(request: HttpRequest, problem: SignOnRefused, claims: dict | None = None) -> None:
    """Audit a refused single sign-on and count it against the client."""
    subject = f"oidc:{(claims or {}).get('iss', '')}:{(claims or {}).get('sub', '')}"
    record_attempt("login_failed", subject, {"method": "oidc", "reason": problem.reason})
    count = throttle.count(caches["default"], _refusals_key(request), settings.LOCKOUT_SECONDS)
    if count == settings.LOGIN_MAX_FAILURES:
        record_attempt("lockout", subject, {"scope": "client", "method": "oidc"})


def is_linked(user: User) -> bool:
    """Whether ``user`` has an account at the configured provider linked (member page)."""
    return ProviderIdentity.objects.filter(user=user, issuer=settings.OIDC_ISSUER).exists()


def link(user: User, subject: str, *, by: User | None, os_user: str = "") -> ProviderIdentity:
    """Link ``subject`` at the configured issuer to ``user`` (replacing their old link);
    ``os_user``: the machine account that ran the command line, for the audit trail."""
    subject = subject.strip()
    if not enabled():
        raise ValueError("single sign-on is off: set HARBORLIGHT_OIDC_ISSUER first")
    if not subject or len(subject) > 255:
        raise ValueError("the subject is the provider's 'sub' for the person (1-255 characters)")
    taken = ProviderIdentity.objects.filter(issuer=settings.OIDC_ISSUER, subject=subject)
    if taken.exclude(user=user).exists():
        raise ValueError("that subject is already linked to another user")
    with audited():
        ProviderIdentity.objects.filter(user=user, issuer=settings.OIDC_ISSUER).delete()
        identity = ProviderIdentity.objects.create(
            user=user, issuer=settings.OIDC_ISSUER, subject=subject, name="identity provider",
            confirmed=True)
        record("update", actor=by, obj=user,
               details={"change": "sso_link", **({"os_user": os_user} if os_user else {})})
    return identity


def unlink(user: User, *, by: User | None, os_user: str = "") -> int:
    """Remove every provider link of ``user``; returns how many there were."""
    with audited():
        removed, _kinds = ProviderIdentity.objects.filter(user=user).delete()
        record("update", actor=by, obj=user,
               details={"change": "sso_unlink", **({"os_user": os_user} if os_user else {})})
    return removed
