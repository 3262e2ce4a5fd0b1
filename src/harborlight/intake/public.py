"""What public pages share: the receiving organisation, language, flood limit, exit link.

Public pages keep no trace of the person using them:

- no cookie at all: no session, no CSRF cookie (the forms are CSRF-exempt; a cross-site
  form could at worst file a tip, which the honeypot and flood limit already bound, and a
  foreign ``Origin`` is refused), no language cookie (the language is a ``lang`` parameter);
- no IP address or user agent is read or stored, and the logging filter strips requests
  from log records (:mod:`harborlight.web.logging`);
- the flood limit counts submissions per minute for the whole site, not per sender.
"""

from __future__ import annotations

import functools
import time
from urllib.parse import urlsplit

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import translation
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from harborlight.accounts.models import Organisation
from harborlight.config import env_int, env_str
from harborlight.security.permissions import public

DEFAULT_QUICK_EXIT_URL = "https://www.weather.gov/"


def quick_exit_url() -> str:
    return getattr(settings, "HARBORLIGHT_QUICK_EXIT_URL", None) or env_str(
        "HARBORLIGHT_QUICK_EXIT_URL", DEFAULT_QUICK_EXIT_URL)


def submissions_per_minute() -> int:
    configured = getattr(settings, "HARBORLIGHT_PUBLIC_TIPS_PER_MINUTE", None)
    if configured is not None:
        return int(configured)
    return env_int("HARBORLIGHT_PUBLIC_TIPS_PER_MINUTE", 600, minimum=1)


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


def take_submission_slot(now: float | None = None) -> bool:
    """Count one public submission in this minute's site-wide bucket; False when full."""
    minute = int((now or time.time()) // 60)
    key = f"intake:public-submissions:{minute}"
    cache.add(key, 0, timeout=120)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=120)
        count = 1
    return count <= submissions_per_minute()


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
