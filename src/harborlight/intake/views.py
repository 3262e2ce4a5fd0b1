"""Tip pages for hotline staff (the public report form comes with the intake issue)."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from harborlight.intake.models import Tip
from harborlight.security.permissions import get_object_for, requires, scope


@requires("tip.view")
def tip_list(request: HttpRequest) -> HttpResponse:
    tips = scope(request.user, "tip.view", Tip.objects.all()).only(
        "reference", "channel", "received_at", "triage_level", "status")
    page = Paginator(tips, 50).get_page(request.GET.get("page"))
    return render(request, "intake/list.html", {"page": page})


@requires("tip.view")
def tip_detail(request: HttpRequest, reference: str) -> HttpResponse:
    tip = get_object_for(request.user, "tip.view", Tip, reference=reference)
    return render(request, "intake/detail.html", {"tip": tip})
