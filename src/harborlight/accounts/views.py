"""Sign in: a password, then a second factor (or enrolment of one); sign out."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.views import LoginView
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from harborlight.accounts import lockout, members, oidc, twofactor
from harborlight.accounts.forms import PasswordLoginForm, TokenForm
from harborlight.security.permissions import public, signed_in

NEXT_KEY = "harborlight_next"


class PasswordLoginView(LoginView):
    template_name = "accounts/login.html"
    authentication_form = PasswordLoginForm
    redirect_authenticated_user = False

    def post(self, request, *args, **kwargs):
        try:
            return super().post(request, *args, **kwargs)
        except lockout.SignInPaused:
            return render(request, "accounts/locked_out.html", status=429)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if oidc.enabled():
            context["sso_provider"] = oidc.provider_name()
        return context

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


def _verified(request: HttpRequest, device) -> HttpResponse:
    """Mark the session verified by ``device`` under a new session key (a key seen before
    the second factor, on a shared machine say, must not lead to a verified session), and
    remember this browser as the person's, past a site-wide sign-in hold."""
    otp_login(request, device)
    request.session.cycle_key()
    response = redirect(_next_url(request))
    lockout.remember_browser(response, request.user)
    return response


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
            return _verified(request, device)
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
            messages.success(request, _("Two-factor sign-in is set up."))
            return _verified(request, device)
        form.add_error("token", problem + " " + _("Check that your phone's clock is right."))
    context = {"form": form, "qr_code": twofactor.qr_code_data_uri(device),
               "secret": twofactor.base32_secret(device)}
    return render(request, "accounts/enrol.html", context, status=400 if form.errors else 200)


def _callback_uri(request: HttpRequest) -> str:
    return request.build_absolute_uri(reverse("accounts:sso_callback"))


@public
def sso_start(request: HttpRequest) -> HttpResponse:
    """Send the browser to the organisation's identity provider (single sign-on)."""
    if not oidc.enabled():
        raise Http404
    try:
        oidc.check_client(request)
        next_url = request.GET.get("next", "")
        return oidc.begin(_callback_uri(request), next_url if " " not in next_url else "",
                          HttpResponseRedirect)
    except oidc.SignOnPaused:
        return render(request, "accounts/locked_out.html", status=429)
    except oidc.SignOnRefused:  # the provider is down or misconfigured: nobody's fault here
        return render(request, "accounts/sso_refused.html",
                      {"provider": oidc.provider_name(), "unreachable": True}, status=502)


@public
def sso_callback(request: HttpRequest) -> HttpResponse:
    """The provider sends the browser back here: verify, match the subject, sign in with
    the first factor, then the second (the provider's, if trusted, or our own code)."""
    if not oidc.enabled():
        raise Http404
    claims = None
    try:
        oidc.check_client(request)
        claims = oidc.finish(request, _callback_uri(request))
        identity = oidc.match(request, claims)
    except oidc.SignOnPaused:
        return render(request, "accounts/locked_out.html", status=429)
    except lockout.SignInPaused:
        return render(request, "accounts/locked_out.html", status=429)
    except oidc.SignOnRefused as problem:
        oidc.refused(request, problem, claims)
        response = render(request, "accounts/sso_refused.html",
                          {"provider": oidc.provider_name(),
                           "unknown": problem.reason == "unknown subject",
                           "subject": (claims or {}).get("sub", "")}, status=403)
        response.delete_cookie(oidc.FLOW_COOKIE)
        return response
    _state, _nonce, next_url = oidc.flow_from(request)
    user = identity.user
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    lockout.succeeded(request, user.get_username())
    if next_url:
        request.session[NEXT_KEY] = next_url
    proof = oidc.trusted_second_factor(claims)
    if proof:
        response = _verified(request, identity)
        target = response.url
    else:
        response = HttpResponse()
        target = reverse("accounts:two_factor")
    # The session cookie is SameSite=Strict, so the browser would not send it on the
    # redirect chain that came from the provider: a page of ours takes the next step.
    page = render(request, "accounts/sso_continue.html", {"target": target})
    for name, morsel in response.cookies.items():
        page.cookies[name] = morsel
    page.delete_cookie(oidc.FLOW_COOKIE)
    return page


@public
@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    messages.info(request, _("You have signed out."))
    return redirect("accounts:login")
