"""Supervisors approve or refuse access; the person sets up their account with the link.

The approval code is shown once, in the response to the approval itself. The set-up
link's token leaves the address bar at once: the first page keeps only its digest in the
session and sends the browser on to ``/accounts/setup/`` (as Django's password reset
does), so the token is not left in the history or the logs of what follows.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.hashers import make_password
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from harborlight.accounts import access, twofactor
from harborlight.accounts.forms import SetupForm, TokenForm
from harborlight.accounts.models import AccessRequest, AccessStatus, Authenticator
from harborlight.errors import DomainError
from harborlight.pages import show_error
from harborlight.security.permissions import fetch, public, requires

SETUP_KEY = "harborlight_setup"  # the link's digest
SETUP_PASSWORD_KEY = "harborlight_setup_password"  # a hash of the chosen password
SETUP_DEVICE_KEY = "harborlight_setup_device"  # the authenticator being enrolled


@requires("user.approve")
def approvals(request: HttpRequest) -> HttpResponse:
    waiting = AccessRequest.objects.waiting_for(request.user)
    decided = (AccessRequest.objects.filter(organisation=request.user.organisation,
                                            decided_by__isnull=False)
               .select_related("member", "decided_by").order_by("-decided_at")[:10])
    return render(request, "accounts/approvals.html", {"waiting": waiting, "decided": decided})


@requires("user.approve")
@require_POST
def approve(request: HttpRequest, request_id: int) -> HttpResponse:
    wanted = fetch(request, AccessRequest.objects.select_related("member"), pk=request_id)
    try:
        code = access.approve(wanted, by=request.user)
    except DomainError as error:
        show_error(request, error)
        return redirect("accounts:approvals")
    if not code:
        messages.success(request, _("Approved: %(user)s is now %(role)s.") % {
            "user": wanted.member.username, "role": wanted.role_label})
        return redirect("accounts:approvals")
    return render(request, "accounts/approved.html",
                  {"approved": wanted, "approval_code": access.format_code(code)})


@requires("user.approve")
@require_POST
def refuse(request: HttpRequest, request_id: int) -> HttpResponse:
    wanted = fetch(request, AccessRequest.objects.select_related("member"), pk=request_id)
    try:
        access.refuse(wanted, by=request.user)
        messages.success(request, _("Refused: %(user)s does not get that access.") % {
            "user": wanted.member.username})
    except DomainError as error:
        show_error(request, error)
    return redirect("accounts:approvals")


@public
def setup_link(request: HttpRequest, token: str) -> HttpResponse:
    """Keep the link's digest in the session and leave the token out of the address."""
    for key in (SETUP_PASSWORD_KEY, SETUP_DEVICE_KEY):
        request.session.pop(key, None)
    request.session[SETUP_KEY] = access.link_digest(token)
    return redirect("accounts:setup")


@public
def setup(request: HttpRequest) -> HttpResponse:
    """The person's own password (with the approval code), then their authenticator."""
    if request.user.is_authenticated:
        return _setup_page(request, "signed_in", status=409)
    wanted = access.open_setup(request.session.get(SETUP_KEY, ""))
    if wanted is None or not wanted.is_open():
        return _setup_page(request, "closed", status=410)
    if wanted.status == AccessStatus.WAITING:
        return _setup_page(request, "waiting", wanted,
                           status=409 if request.method == "POST" else 200)
    if SETUP_PASSWORD_KEY in request.session:
        return _second_factor_step(request, wanted)
    return _password_step(request, wanted)


def _password_step(request: HttpRequest, wanted: AccessRequest) -> HttpResponse:
    form = SetupForm(wanted.member, request.POST or None, needs_code=wanted.needs_approval)
    if request.method == "POST" and form.is_valid():
        if access.check_code(wanted, form.cleaned_data.get("approval_code", "")):
            request.session[SETUP_PASSWORD_KEY] = make_password(
                form.cleaned_data["new_password1"])
            request.session[SETUP_DEVICE_KEY] = _new_device(wanted).pk
            return redirect("accounts:setup")
        wanted.refresh_from_db()
        if not wanted.is_open():
            return _setup_page(request, "closed", status=410)
        form.add_error("approval_code", _("That is not the code your supervisor was given. "
                                          "Check it with them."))
    return _setup_page(request, "password", wanted, form=form,
                       status=400 if form.errors else 200)


def _second_factor_step(request: HttpRequest, wanted: AccessRequest) -> HttpResponse:
    device = Authenticator.objects.filter(pk=request.session.get(SETUP_DEVICE_KEY),
                                          user=wanted.member, confirmed=False).first()
    if device is None:  # the device went away (a new link was used elsewhere): start again
        request.session.pop(SETUP_PASSWORD_KEY, None)
        return redirect("accounts:setup")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        problem = twofactor.check_code(device, form.cleaned_data["token"])
        if problem is None:
            try:
                access.complete_setup(wanted, request.session[SETUP_PASSWORD_KEY], device)
            except DomainError as error:
                show_error(request, error)
                return _setup_page(request, "closed", status=410)
            for key in (SETUP_KEY, SETUP_PASSWORD_KEY, SETUP_DEVICE_KEY):
                request.session.pop(key, None)
            messages.success(request, _("Your account is ready. Sign in with your new "
                                        "password and a code from your app."))
            return redirect("accounts:login")
        form.add_error("token", problem + " " + _("Check that your phone's clock is right."))
    return _setup_page(request, "second_factor", wanted, form=form,
                       status=400 if form.errors else 200,
                       qr_code=twofactor.qr_code_data_uri(device),
                       secret=twofactor.base32_secret(device))


def _new_device(wanted: AccessRequest) -> Authenticator:
    """A fresh authenticator for this set-up (earlier unfinished ones are dropped)."""
    Authenticator.objects.filter(user=wanted.member, confirmed=False).delete()
    return Authenticator.objects.create(user=wanted.member, name="authenticator",
                                        confirmed=False)


def _setup_page(request: HttpRequest, stage: str, wanted: AccessRequest | None = None, *,
                status: int = 200, **context) -> HttpResponse:
    return render(request, "accounts/setup.html",
                  {"stage": stage, "wanted": wanted, **context}, status=status)
