"""What public pages share: the receiving organisation, language, flood limit, exit link.

Public pages keep no trace of the person using them:

- no cookie at all: no session, no CSRF cookie (the forms are CSRF-exempt; a cross-site
  form could at worst file a tip, which the honeypot and flood limit already bound, and a
  foreign ``Origin`` is refused), no language cookie (the language is a ``lang`` parameter);
- no IP address or user agent is stored, and the logging filter strips requests from log
  records (:mod:`harborlight.web.logging`);
- the flood limit counts submissions per minute per client, and a higher ceiling for the
  whole site. A client is a keyed digest of its address under a secret that lives in this
  process's memory and changes daily (:func:`harborlight.security.throttle.client_key`),
  counted in memory only: one client's flood no longer turns every reporter away.
"""

from __future__ import annotations

import functools
import time
from urllib.parse import urlsplit

from django.conf import settings
from django.core.cache import caches
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import translation
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from harborlight.accounts.models import Organisation
from harborlight.config import env_int, env_str
from harborlight.security import throttle
from harborlight.security.permissions import public

DEFAULT_QUICK_EXIT_URL = "https://www.weather.gov/"


def quick_exit_url() -> str:
    return getattr(settings, "HARBORLIGHT_QUICK_EXIT_URL", None) or env_str(
        "HARBORLIGHT_QUICK_EXIT_URL", DEFAULT_QUICK_EXIT_URL)


def submissions_per_minute() -> int:
    """The site-wide ceiling: public reports accepted per minute from all clients."""
    return _limit("HARBORLIGHT_PUBLIC_TIPS_PER_MINUTE", 600)


def submissions_per_client_per_minute() -> int:
    return _limit("HARBORLIGHT_PUBLIC_TIPS_PER_CLIENT_PER_MINUTE", 10)


def _limit(name: str, default: int) -> int:
    configured = getattr(settings, name, None)
    if configured is not None:
        return int(configured)
    return env_int(name, default, minimum=1)


def receiving_organisation():
    """The organisation that receives public reports.

    ``HARBORLIGHT_INTAKE_ORGANISATION`` names it by slug; without it, the first
    organisation created (a single-hotline install has only one).
    """
    slug = getattr(settings, "HARBORLIGHT_INTAKE_ORGANISATION", None) or env_str(
        "HARBORLIGHT_INTAKE_ORGANISATION", "")
    organisations = Organisation.objects.order_by("created_at", "pk")
    organisation = (organisations.filter(slug=slug) if slug else organisations).first()
    if organisation is None:
        raise ImproperlyConfigured("no organisation receives public reports yet")
    return organisation


def take_submission_slot(request, now: float | None = None) -> bool:
    """Count one public submission for this client and for the site in this minute;
    False when either is full. A client over its own limit is not counted against the
    site, so its flood leaves room for everyone else."""
    memory = caches["default"]
    client = throttle.count(memory, f"intake:submissions:{throttle.client_key(request, now)}",
                            60, sliding=False, now=now)
    if client > submissions_per_client_per_minute():
        return False
    site = throttle.count(memory, "intake:submissions:site", 60, sliding=False, now=now)
    return site <= submissions_per_minute()


def foreign_origin(request) -> bool:
    """True when the browser says the form was posted from another site."""
    origin = request.META.get("HTTP_ORIGIN", "")
    if not origin or origin == "null":
        return False
    return urlsplit(origin).netloc != request.get_host()


def chosen_language(request) -> str:
    wanted = request.GET.get("lang") or request.POST.get("lang") or ""
    available = {code for code, _ in settings.LANGUAGES}
    if wanted in available:
        return wanted
    current = translation.get_language() or settings.LANGUAGE_CODE
    return current if current in available else settings.LANGUAGE_CODE


def public_page(view):
    """Run a public view in the chosen language and mark the response private, unstored."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        language = chosen_language(request)
        with translation.override(language):
            request.LANGUAGE_CODE = language
            response = view(request, *args, **kwargs)
            if hasattr(response, "render") and not getattr(response, "is_rendered", True):
                response.render()
        response["Cache-Control"] = "no-store"
        response["Content-Language"] = language
        return response

    return wrapper


def public_form(view):
    """A public page with a form, marked and wrapped once: open to anyone (``public``),
    no CSRF cookie, GET or POST only, outside the request-wide transaction (each write is
    its own short one), in the chosen language and never cached."""
    wrapped = transaction.non_atomic_requests(public_page(view))
    return public(csrf_exempt(require_http_methods(["GET", "POST"])(wrapped)))
