"""The dashboard (what waits for me, then the organisation at a glance), dismissing a
notice, and the error pages."""

from __future__ import annotations

from django.db.models import Count
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from harborlight.accounts.models import AccessRequest
from harborlight.cases.models import Case, CaseStatus
from harborlight.consent.disclosure import sharing_consents
from harborlight.insights.models import ExportJob, Lead, ScreeningRun
from harborlight.intake.models import Tip, TipStatus, TriageLevel
from harborlight.notifications.models import Notice
from harborlight.pages import NoInput, form_for, step
from harborlight.security.permissions import can, fetch, public, requires, scope

NOTICES_SHOWN = 30


@requires("dashboard.view")
def dashboard(request: HttpRequest) -> HttpResponse:
    """What waits for this user (notices, acts first), then the organisation at a glance:
    counts that open the lists they count, showing only what the role may see."""
    user = request.user
    notices = list(Notice.objects.for_user(user).waiting()[:NOTICES_SHOWN])
    notices.sort(key=lambda notice: not notice.needs_action)  # stable: newest first
    context: dict = {"today": timezone.localdate(), "notices": notices}
    if can(user, "user.approve"):
        context["approvals"] = list(AccessRequest.objects.waiting_for(user)[:5])
    if can(user, "case.view"):
        cases = scope(user, "case.view", Case.objects.all())
        by_status = dict(cases.values_list("status").annotate(n=Count("pk")).order_by())
        context["case_counts"] = [(value, label, by_status.get(value, 0))
                                  for value, label in CaseStatus.choices]
        context["my_cases"] = list(cases.open().filter(owner=user)
                                   .only("reference", "status", "opened_at", "restricted")[:10])
        if can(user, "case.assign"):
            context["waiting_cases"] = cases.open().filter(owner__isnull=True).count()
    if can(user, "tip.view"):
        tips = scope(user, "tip.view", Tip.objects.all()).exclude(status=TipStatus.CLOSED)
        open_tips = dict(tips.values_list("triage_level").annotate(n=Count("pk")).order_by())
        context["open_tips"] = [(value, label, open_tips.get(value, 0))
                                for value, label in TriageLevel.choices]
        context["open_tip_total"] = sum(open_tips.values())
        context["my_tips"] = tips.filter(assigned_to=user).count()
    if can(user, "share.export") or can(user, "screening.run"):
        context["analysis"] = _analysis(user)
    return render(request, "web/dashboard.html", context)


def _analysis(user) -> dict:
    """An analyst's home: what there is to work with, each count opening its page, and
    the latest screening runs and exports."""
    found: dict = {"insights": can(user, "insights.view")}
    if can(user, "screening.run"):
        runs = scope(user, "screening.run", ScreeningRun.objects.all())
        found["runs"] = list(runs[:5])
        found["run_count"] = runs.count()
        found["open_leads"] = scope(user, "screening.run", Lead.objects.filter(
            tip__isnull=True)).count()
    if can(user, "share.export"):
        cases = Case.objects.filter(organisation=user.organisation)
        found["shareable_cases"] = len(sharing_consents(cases))
        found["cases_total"] = cases.count()
        found["exports"] = list(scope(user, "share.export", ExportJob.objects
                                      .select_related("created_by"))[:3])
    return found


@requires("dashboard.view")
def dismiss_notice(request: HttpRequest, notice_id: int) -> HttpResponse:
    """Take one of my notices off my dashboard (others' copies stay)."""
    notice = fetch(request, Notice.objects.filter(recipient=request.user), pk=notice_id)
    return step(request, form_for(request, NoInput), lambda data: notice.dismiss(),
                done=_("Notice dismissed."), back=reverse("web:dashboard"), anchor="notices")


def _error(request: HttpRequest, status: int, title: str, text: str) -> HttpResponse:
    """The error page, or under /api/ the API's error shape (whoever the caller is)."""
    if request.path.startswith("/api/"):
        return JsonResponse({"errors": [{"field": "", "message": f"{title}. {text}"}]},
                            status=status)
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
