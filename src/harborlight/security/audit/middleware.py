"""Make the requesting user the actor of audit entries written during the request.

Must come after ``AuthenticationMiddleware`` (it reads ``request.user``).
"""

from __future__ import annotations

from typing import Callable

from django.http import HttpRequest, HttpResponse

from harborlight.security.audit.context import acting_through


class ActorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # Resolved lazily: a sign-in or sign-out later in this request changes the actor.
        with acting_through(lambda: getattr(request, "user", None)):
            return self.get_response(request)
