"""Turn a refused restricted read into the break-glass form, from one place."""

from __future__ import annotations

from typing import Callable
from urllib.parse import urlencode

from django.contrib.contenttypes.models import ContentType
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from harborlight.security.permissions import BreakGlassRequired


class BreakGlassMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception):
        if not isinstance(exception, BreakGlassRequired):
            return None
        content_type = ContentType.objects.get_for_model(exception.obj)
        query = urlencode({"type": content_type.pk, "id": exception.obj.pk,
                           "next": request.get_full_path()})
        return redirect(f"/security/break-glass/?{query}")
