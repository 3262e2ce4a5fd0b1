"""The auditors' pages: search the trail of their organisation, and verify the chain."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_POST

from harborlight.security.audit.chain import AuditChainBroken, read_head, verify
from harborlight.security.audit.forms import AuditSearchForm
from harborlight.security.audit.models import AuditEntry
from harborlight.security.permissions import requires, scope

PAGE_SIZE = 50


@requires("audit.view")
@require_GET
def audit_log(request: HttpRequest) -> HttpResponse:
    form = AuditSearchForm(request.GET if _has_filters(request) else None)
    # Own organisation only. Entries without an organisation (system events, failed
    # sign-ins with unknown usernames) are shown to no organisation: see docs/security.md.
    entries = scope(request.user, "audit.view", AuditEntry.objects.all())
    if form.is_bound:
        entries = form.apply(entries) if form.is_valid() else entries.none()
    page = Paginator(entries.order_by("-seq"), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "query": query.urlencode(), "head": read_head()}
    return render(request, "audit/log.html", context, status=400 if form.errors else 200)


@requires("audit.view")
@require_POST
@transaction.non_atomic_requests  # a long walk must not hold SQLite's write lock
def verify_chain(request: HttpRequest) -> HttpResponse:
    try:
        result, broken = verify(), None
    except AuditChainBroken as problem:
        result, broken = None, problem
    return render(request, "audit/verify.html", {"result": result, "broken": broken})


def _has_filters(request: HttpRequest) -> bool:
    return any(key != "page" for key in request.GET)
