"""Security headers that Django's own middleware does not set."""

from __future__ import annotations

from typing import Callable

from django.http import HttpRequest, HttpResponse

# Features no Harborlight page uses; denying them limits what injected content could do.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()" for feature in (
        "accelerometer", "camera", "geolocation", "gyroscope", "magnetometer",
        "microphone", "payment", "usb", "interest-cohort", "browsing-topics",
    )
)


class SecurityHeadersMiddleware:
    """Add Permissions-Policy and cross-origin isolation; never cache signed-in pages.

    Pages for signed-in staff carry survivor data, so they must not stay in a shared
    computer's browser cache or be restored by the back button after sign-out.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        response.headers.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        response.headers.setdefault("X-Permitted-Cross-Domain-Policies", "none")
        if not request.path.startswith("/static/"):
            response.headers["Cache-Control"] = "no-store"
        return response
