"""Break-glass: ask for access with a reason, and review what was opened."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from harborlight.security.audit.log import record
from harborlight.security.breakglass import BreakGlassRefused, break_glass
from harborlight.security.forms import BreakGlassForm, ReviewForm
from harborlight.security.models import BreakGlassGrant
from harborlight.security.permissions import get_object_for, requires, scope


def _target(request: HttpRequest):
    """The record named by ?type=&id=, if it is one break-glass can open in this org."""
    source = request.POST if request.method == "POST" else request.GET
    try:
        model = ContentType.objects.get_for_id(int(source.get("type", ""))).model_class()
        obj = model._default_manager.filter(pk=source.get("id")).first() if model else None
    except (ValueError, ValidationError, ContentType.DoesNotExist):
        obj = None
    if obj is None or not hasattr(obj, "view_action"):
        raise Http404("No such record.")
    if getattr(obj, "organisation_id", None) != request.user.organisation_id:
        raise Http404("No such record.")
    return obj


@requires("breakglass.use")
def request_access(request: HttpRequest) -> HttpResponse:
    obj = _target(request)
    next_url = request.POST.get("next") or request.GET.get("next") or "/"
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}):
        next_url = "/"
    form = BreakGlassForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            break_glass(request.user, obj, form.cleaned_data["reason"])
        except BreakGlassRefused as refusal:
            form.add_error("reason", str(refusal))
        else:
            messages.warning(request, "Break-glass access granted for 60 minutes. "
                                      "It is logged and will be reviewed.")
            return redirect(next_url)
    context = {"form": form, "label": str(obj), "next": next_url,
               "type": ContentType.objects.get_for_model(obj).pk, "id": obj.pk}
    return render(request, "security/break_glass.html", context,
                  status=400 if form.errors else 200)


@requires("breakglass.review")
def break_glass_review(request: HttpRequest) -> HttpResponse:
    grants = scope(request.user, "breakglass.review", BreakGlassGrant.objects.all())
    context = {"pending": grants.awaiting_review().select_related("user")[:200],
               "reviewed": grants.filter(reviewed_at__isnull=False)
                                 .select_related("user", "reviewed_by")[:50],
               "form": ReviewForm()}
    return render(request, "security/break_glass_review.html", context)


@requires("breakglass.review")
@require_POST
def mark_reviewed(request: HttpRequest, grant_id: int) -> HttpResponse:
    grant = get_object_for(request.user, "breakglass.review", BreakGlassGrant, pk=grant_id)
    if grant.user_id == request.user.pk:
        raise PermissionDenied("Someone else must review your own break-glass access.")
    form = ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, "The review note is too long (1,000 characters at most).")
        return redirect("security:break_glass_review")
    grant.mark_reviewed(request.user, form.cleaned_data["note"])
    record("break_glass_review", actor=request.user,
           object_type=grant.content_type.app_label + "." + grant.content_type.model,
           object_id=grant.object_id, details={"grant": grant.pk})
    messages.success(request, "Marked as reviewed.")
    return redirect("security:break_glass_review")
