"""The dashboard and the error pages."""

from __future__ import annotations

from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from harborlight.cases.models import Case, CaseStatus
from harborlight.intake.models import Tip, TipStatus
from harborlight.security.permissions import can, public, requires, scope


@requires("dashboard.view")
def dashboard(request: HttpRequest) -> HttpResponse:
    """The organisation at a glance, showing only what the role may see."""
    user = request.user
    context: dict = {"today": timezone.localdate()}
    if can(user, "case.view"):
        cases = scope(user, "case.view", Case.objects.all())
        by_status = dict(cases.values_list("status").annotate(n=Count("pk")).order_by())
        context["case_counts"] = [(label, by_status.get(value, 0))
                                  for value, label in CaseStatus.choices]
        context["my_cases"] = list(cases.open().filter(owner=user)
                                   .only("reference", "status", "opened_at", "restricted")[:10])
    if can(user, "tip.view"):
        tips = scope(user, "tip.view", Tip.objects.all()).exclude(status=TipStatus.CLOSED)
        context["open_tips"] = dict(tips.values_list("triage_level")
                                    .annotate(n=Count("pk")).order_by())
        context["open_tip_total"] = sum(context["open_tips"].values())
    return render(request, "web/dashboard.html", context)


def _error(request: HttpRequest, status: int, title: str, text: str) -> HttpResponse:
    return render(request, "errors/error.html", {"title": title, "text": text}, status=status)


@public
def bad_request(request: HttpRequest, exception=None) -> HttpResponse:
    return _error(request, 400, "Bad request", "The request could not be understood.")


@public
def permission_denied(request: HttpRequest, exception=None) -> HttpResponse:
    return _error(request, 403, "Not allowed",
                  "Your role does not allow this. Ask a supervisor if you need access.")


@public
def page_not_found(request: HttpRequest, exception=None) -> HttpResponse:
    return _error(request, 404, "Not found", "There is no page or record here.")


@public
def server_error(request: HttpRequest) -> HttpResponse:
    return _error(request, 500, "Something went wrong",
                  "Nothing was saved. The error has been logged without personal details.")


@public
def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return _error(request, 403, "Form expired",
                  "This form was open too long or was sent from elsewhere. Reload the page "
                  "and try again.")
