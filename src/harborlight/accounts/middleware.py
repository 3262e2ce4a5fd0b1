"""End idle sessions and say why.

The session cookie's age already slides with each request (SESSION_SAVE_EVERY_REQUEST),
so an idle browser loses its session server-side. This middleware adds the explicit
check on the last activity time, so that the sign-out is audited and the user is told
why they have to sign in again.
"""

from __future__ import annotations

import time
from typing import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.utils import translation

from harborlight.security.audit.log import record

LAST_SEEN_KEY = "harborlight_last_seen"


class UserLanguageMiddleware:
    """Staff pages in the signed-in user's chosen language (``User.language``); without a
    choice, LocaleMiddleware's answer from the browser's Accept-Language stands."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        language = getattr(user, "language", "") if user and user.is_authenticated else ""
        if not language:
            return self.get_response(request)
        request.LANGUAGE_CODE = language
        with translation.override(language):  # and back after the response
            response = self.get_response(request)
        response["Content-Language"] = language
        return response


class IdleTimeoutMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = time.time()
            last_seen = request.session.get(LAST_SEEN_KEY, now)
            if now - last_seen > settings.SESSION_IDLE_SECONDS:
                record("session_timeout", actor=request.user)
                logout(request)
                messages.info(request, translation.gettext(
                    "You were signed out after a period of inactivity."))
            else:
                request.session[LAST_SEEN_KEY] = now
        return self.get_response(request)
