"""Dashboard pages and downloads. Each view: decorate, validate filters, build, respond."""

from __future__ import annotations

import csv

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from harborlight.formats.text import spreadsheet_text
from harborlight.errors import DomainError
from harborlight.insights import dashboard, noisy
from harborlight.insights.aggregate import DEFAULT_MIN_CELL, SmallCellProtector
from harborlight.insights.comparison import ATTRIBUTION, current_comparison
from harborlight.insights.forms import FilterForm
from harborlight.insights.records import own_frame
from harborlight.pages import show_error
from harborlight.security.audit.log import record
from harborlight.security.permissions import can, requires


def _protector(user) -> SmallCellProtector:
    k = getattr(settings, "INSIGHTS_MIN_CELL", DEFAULT_MIN_CELL)
    return SmallCellProtector(k=k, exact=can(user, "insights.exact"))


def _charts(request: HttpRequest, form: FilterForm, only: str | None = None):
    """(charts, noisy release or None). A viewer without ``insights.exact`` gets the
    period's noisy release of these filters (made now if there is none; DomainError when
    the budget is spent), never exact counts."""
    comparison = current_comparison(settings.DATA_DIR) if form.cleaned_data.get("compare") \
        else None
    own, filters = own_frame(request.user.organisation), form.filters()
    release = None if can(request.user, "insights.exact") else \
        noisy.release(request.user, own, filters)
    return dashboard.build(own, filters, _protector(request.user),
                           comparison.frame if comparison is not None else None, only=only,
                           released=release.counts if release is not None else None), release


@requires("insights.view")
def insights_dashboard(request: HttpRequest) -> HttpResponse:
    form = FilterForm(request.GET)
    valid = form.is_valid()
    context = {"form": form, "protector": _protector(request.user),
               "comparison": current_comparison(settings.DATA_DIR),
               "attribution": ATTRIBUTION, "query": request.GET.urlencode()}
    if not valid:
        return render(request, "insights/dashboard.html", context, status=400)
    try:
        context["charts"], context["noisy"] = _charts(request, form)
    except DomainError as error:
        show_error(request, error)
    if not context["protector"].exact:
        period = noisy.period_of()
        context["ledger"] = {"spent": noisy.spent(request.user.organisation, period),
                             "budget": noisy.period_budget(), "period": period,
                             "view": noisy.view_epsilon()}
    return render(request, "insights/dashboard.html", context)


def _one_chart(request: HttpRequest, chart_id: str):
    form = FilterForm(request.GET)
    if not form.is_valid():
        return None, HttpResponse("Bad filters: " + "; ".join(
            f"{field}: {' '.join(errors)}" for field, errors in form.errors.items()),
            status=400, content_type="text/plain; charset=utf-8")
    try:
        charts, _release = _charts(request, form, only=chart_id)
    except DomainError as error:
        return None, HttpResponse(error.message, status=error.status,
                                  content_type="text/plain; charset=utf-8")
    if not charts:
        raise Http404("No such chart.")
    return charts[0], None


@requires("insights.view")
def chart_csv(request: HttpRequest, chart_id: str) -> HttpResponse:
    chart, problem = _one_chart(request, chart_id)
    if problem:
        return problem
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="harborlight-{chart.id}.csv"'
    csv.writer(response).writerows([spreadsheet_text(cell) for cell in row]
                                   for row in chart.data.csv_rows())
    record("export", actor=request.user, object_type="insights.chart", object_id=chart.id,
           details={"format": "csv", "filters": request.GET.dict()})
    return response


@requires("insights.view")
def chart_svg(request: HttpRequest, chart_id: str) -> HttpResponse:
    chart, problem = _one_chart(request, chart_id)
    if problem:
        return problem
    if not chart.svg:
        raise Http404("Nothing to draw for these filters; the CSV has the figures.")
    response = HttpResponse(chart.svg, content_type="image/svg+xml; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="harborlight-{chart.id}.svg"'
    record("export", actor=request.user, object_type="insights.chart", object_id=chart.id,
           details={"format": "svg", "filters": request.GET.dict()})
    return response
