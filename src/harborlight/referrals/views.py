"""The service directory (search and referrals come with the case-management issue)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from harborlight.referrals.models import ServiceProvider
from harborlight.security.permissions import requires, scope


@requires("provider.view")
def directory(request: HttpRequest) -> HttpResponse:
    providers = scope(request.user, "provider.view", ServiceProvider.objects.all())
    return render(request, "referrals/directory.html", {"providers": providers[:200]})
