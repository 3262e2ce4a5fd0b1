"""Sign in (password, then a second factor), enrolment, sign out, and user management."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import LoginView
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from harborlight.accounts import members, twofactor
from harborlight.accounts.forms import PasswordLoginForm, TokenForm, UserCreateForm
from harborlight.accounts.models import User
from harborlight.security.permissions import fetch, public, requires, signed_in

NEXT_KEY = "harborlight_next"


class PasswordLoginView(LoginView):
    template_name = "accounts/login.html"
    authentication_form = PasswordLoginForm
    redirect_authenticated_user = False

    def form_valid(self, form):
        next_url = self.get_redirect_url()
        response = super().form_valid(form)
        if next_url:
            self.request.session[NEXT_KEY] = next_url
        return redirect("accounts:two_factor") if response.status_code == 302 else response


login_view = public(PasswordLoginView.as_view())


def _next_url(request: HttpRequest) -> str:
    candidate = request.session.pop(NEXT_KEY, "")
    if candidate and url_has_allowed_host_and_scheme(candidate, {request.get_host()},
                                                      require_https=request.is_secure()):
        return candidate
    return "/"


def _verified(request: HttpRequest, device) -> None:
    """Mark the session verified by ``device`` under a new session key: a key seen before
    the second factor (on a shared machine, say) must not lead to a verified session."""
    otp_login(request, device)
    request.session.cycle_key()


@signed_in
def two_factor(request: HttpRequest) -> HttpResponse:
    """Second step of sign-in: a TOTP code, or enrolment if the user has no device yet."""
    if request.user.is_verified():
        return redirect(_next_url(request))
    device = twofactor.confirmed_device(request.user)
    if device is None:
        return redirect("accounts:enrol")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        problem = members.check_second_factor(request.user, device,
                                              form.cleaned_data["token"])
        if problem is None:
            _verified(request, device)
            return redirect(_next_url(request))
        form.add_error("token", problem)
    return render(request, "accounts/two_factor.html", {"form": form},
                  status=400 if form.errors else 200)


@signed_in
def enrol(request: HttpRequest) -> HttpResponse:
    """Show a new TOTP secret as a QR code and confirm it with one code."""
    if twofactor.confirmed_device(request.user) is not None:
        return redirect("accounts:two_factor")
    device = twofactor.pending_device(request.user)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        problem = members.confirm_enrolment(request.user, device, form.cleaned_data["token"])
        if problem is None:
            _verified(request, device)
            messages.success(request, "Two-factor sign-in is set up.")
            return redirect(_next_url(request))
        form.add_error("token", problem + " Check that your phone's clock is right.")
    context = {"form": form, "qr_code": twofactor.qr_code_data_uri(device),
               "secret": twofactor.base32_secret(device)}
    return render(request, "accounts/enrol.html", context, status=400 if form.errors else 200)


@public
@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    messages.info(request, "You have signed out.")
    return redirect("accounts:login")


@requires("user.manage")
def users(request: HttpRequest) -> HttpResponse:
    staff = User.objects.filter(organisation=request.user.organisation).order_by("username")
    form = UserCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        user = members.create_member(
            request.user.organisation, by=request.user, username=data["username"],
            password=data["password"], role=data["role"], display_name=data["display_name"],
            email=data["email"])
        messages.success(request, f"Created {user.username}. They set up two-factor sign-in "
                                  "the first time they sign in.")
        return redirect("accounts:users")
    return render(request, "accounts/users.html", {"members": staff, "form": form},
                  status=400 if form.errors else 200)


def _member_step(act, done: str):
    """A POST on one member of the organisation: ``act(member, by=...)``, then the list."""

    @requires("user.manage")
    @require_POST
    def view(request: HttpRequest, user_id: int) -> HttpResponse:
        member = fetch(request, User, pk=user_id)
        act(member, by=request.user)
        messages.success(request, done.format(username=member.username))
        return redirect("accounts:users")

    return view


reset_two_factor = _member_step(members.reset_two_factor,
                                "{username} must set up two-factor sign-in again.")
unlock = _member_step(members.unlock, "{username} can sign in again.")
