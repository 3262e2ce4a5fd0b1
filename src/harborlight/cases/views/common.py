"""Helpers shared by the case views: fetching a case and rendering form pages."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import render

from harborlight.cases.models import Case
from harborlight.security.permissions import get_object_for


def get_case(request: HttpRequest, action: str, reference: str) -> Case:
    return get_object_for(request.user, action, Case.objects.select_related("owner"),
                          reference=reference)


def form_page(request: HttpRequest, case: Case | None, form, title: str, submit: str,
              status: int = 200, intro: str = "", danger: bool = False) -> HttpResponse:
    return render(request, "cases/form_page.html",
                  {"case": case, "form": form, "title": title, "submit": submit,
                   "intro": intro, "danger": danger},
                  status=400 if request.method == "POST" and status == 200 else status)


def post_only(request: HttpRequest) -> HttpResponse | None:
    """A 405 for anything but POST, given *after* the object was fetched, so that another
    organisation's reference answers 404 whatever the method (nothing is confirmed)."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    return None
