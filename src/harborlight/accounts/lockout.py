"""Sign-in lockout that no one can turn against someone else.

Wrong passwords are counted twice, and neither count keeps an address:

- **per username and client**: ``LOGIN_MAX_FAILURES`` (5) failures lock that username from
  that client for ``LOCKOUT_SECONDS`` (15 minutes) after the last one. The client is a
  keyed digest of its address (:func:`harborlight.security.throttle.client_key`), counted
  in this process's memory only. Someone guessing at a person's password locks out
  themselves, not the person;
- **per username, site-wide**: ``LOGIN_ACCOUNT_MAX_FAILURES`` (50) failures from any
  clients, each within ``LOGIN_ACCOUNT_WINDOW_SECONDS`` (an hour) of the next, hold the
  username back everywhere until an hour has passed without one: a guesser with many
  addresses is slowed to a crawl. This count is shared by every server process, in the
  database cache, under a keyed digest of the username. A browser where the person
  signed in with both factors before carries a signed cookie naming (a digest of) them,
  and is not held back by it: many addresses cannot keep a person out either.

Each lock is recorded once, when it starts (``lockout``, with its scope); every refused
attempt is a ``login_failed``. An administrator's unlock lifts both. API tokens stop
working while the account is held back site-wide, and from a client locked out of it.
"""

from __future__ import annotations

from django.conf import settings
from django.core.cache import caches
from django.http import HttpRequest, HttpResponse
from django.utils.crypto import salted_hmac

from harborlight.security import throttle
from harborlight.security.audit.signals import record_attempt

KNOWN_BROWSER_COOKIE = "harborlight_known"
KNOWN_BROWSER_DAYS = 180
_SALT = "harborlight.accounts.lockout"


class SignInPaused(Exception):
    """Too many failed sign-ins for this username (from this client, or everywhere)."""


def _memory():
    return caches["default"]


def _shared():
    return caches["lockout"]


def _name(username: str) -> str:
    return salted_hmac(_SALT, username, algorithm="sha256").hexdigest()[:32]


def _generation_key(username: str) -> str:
    """Its value is bumped by :func:`unlock`, so every process's client counts lapse."""
    return f"signin:generation:{_name(username)}"


def _generation(username: str) -> int:
    return int(_shared().get(_generation_key(username), 0))


def _client_count_key(request: HttpRequest, username: str, generation: int | None = None
                      ) -> str:
    generation = _generation(username) if generation is None else generation
    return (f"signin:client:{generation}:"
            f"{_name(username + chr(0) + throttle.client_key(request))}")


def _account_key(username: str) -> str:
    return f"signin:account:{_name(username)}"


def _marker_key(username: str) -> str:
    return f"signin:locked:{_name(username)}"


def check(request: HttpRequest, username: str) -> None:
    """Raise :class:`SignInPaused` (and record the refused attempt) when held back."""
    scope = ("client" if client_locked(request, username) else
             "account" if account_locked(username) and not _known_browser(request, username)
             else "")
    if scope:
        record_attempt("login_failed", username, {"paused": scope})
        raise SignInPaused(scope)


def failed(request: HttpRequest, username: str) -> None:
    """Count a wrong password; start (and record) a lock when a count reaches its limit,
    and then raise :class:`SignInPaused`, so the attempt that locks says so."""
    scope = ""
    client = throttle.count(_memory(), _client_count_key(request, username),
                            settings.LOCKOUT_SECONDS)
    if client == settings.LOGIN_MAX_FAILURES:
        _shared().set(_marker_key(username), 1, timeout=settings.LOCKOUT_SECONDS)
        record_attempt("lockout", username, {"scope": "client"})
        scope = "client"
    account = throttle.count(_shared(), _account_key(username),
                             settings.LOGIN_ACCOUNT_WINDOW_SECONDS)
    if account == settings.LOGIN_ACCOUNT_MAX_FAILURES:
        record_attempt("lockout", username, {"scope": "account"})
        scope = scope or ("" if _known_browser(request, username) else "account")
    if scope:
        raise SignInPaused(scope)


def succeeded(request: HttpRequest, username: str) -> None:
    """The right password from this client: its count for the username starts again."""
    _memory().delete(_client_count_key(request, username))


def client_locked(request: HttpRequest, username: str) -> bool:
    count = throttle.peek(_memory(), _client_count_key(request, username))
    return count >= settings.LOGIN_MAX_FAILURES


def account_locked(username: str) -> bool:
    count = throttle.peek(_shared(), _account_key(username))
    return count >= settings.LOGIN_ACCOUNT_MAX_FAILURES


def is_locked(username: str) -> bool:
    """Whether anything holds the username back: a client's lock or the site-wide one."""
    return bool(_shared().get(_marker_key(username))) or account_locked(username)


def locked_usernames(usernames: list[str]) -> set[str]:
    """Which of ``usernames`` are held back (for a list of people: one cache read)."""
    keys = {name: (_marker_key(name), _account_key(name)) for name in usernames}
    found = _shared().get_many([key for pair in keys.values() for key in pair])
    return {name for name, (marker, account) in keys.items()
            if found.get(marker) or int(found.get(account) or 0)
            >= settings.LOGIN_ACCOUNT_MAX_FAILURES}


def lock_account(username: str) -> None:
    """Hold the username back site-wide now (as if the site-wide count had filled up)."""
    _shared().set(_account_key(username), settings.LOGIN_ACCOUNT_MAX_FAILURES,
                  timeout=settings.LOGIN_ACCOUNT_WINDOW_SECONDS)


def unlock(username: str) -> None:
    """Lift every lock on the username, from every client, in every process."""
    shared = _shared()
    shared.delete_many([_account_key(username), _marker_key(username)])
    shared.set(_generation_key(username), _generation(username) + 1, timeout=None)


def refuses_token(request: HttpRequest, user) -> bool:
    """An API token stops working while its user is held back (site-wide, or from here).
    One read of the shared cache per request: both of its keys at once."""
    username = user.get_username()
    shared = _shared().get_many([_account_key(username), _generation_key(username)])
    if int(shared.get(_account_key(username)) or 0) >= settings.LOGIN_ACCOUNT_MAX_FAILURES:
        return True
    key = _client_count_key(request, username, int(shared.get(_generation_key(username), 0)))
    return throttle.peek(_memory(), key) >= settings.LOGIN_MAX_FAILURES


def remember_browser(response: HttpResponse, user) -> None:
    """After both factors: this browser is the person's, past a site-wide hold."""
    response.set_signed_cookie(
        KNOWN_BROWSER_COOKIE, _name(user.get_username()), salt=_SALT,
        max_age=KNOWN_BROWSER_DAYS * 24 * 3600, secure=settings.SESSION_COOKIE_SECURE,
        httponly=True, samesite="Strict")


def _known_browser(request: HttpRequest, username: str) -> bool:
    value = request.get_signed_cookie(KNOWN_BROWSER_COOKIE, default=None, salt=_SALT,
                                      max_age=KNOWN_BROWSER_DAYS * 24 * 3600)
    return value == _name(username)
