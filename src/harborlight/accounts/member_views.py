"""The administrators' pages on the organisation's people, and everyone's own API tokens.

Adding a person, changing a role, reactivating and issuing a new set-up link go through
:mod:`harborlight.accounts.access`: when the step hands out a set-up link, the page shows
it once, in the response itself (never in a message, a cookie or a later page).
"""

from __future__ import annotations

from typing import Callable

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from harborlight.accounts import access, lockout, members, oidc
from harborlight.accounts.forms import DeactivateForm, RoleForm, UserCreateForm
from harborlight.accounts.models import AccessRequest, ApiToken, User
from harborlight.accounts.tokens import revoke
from harborlight.errors import DomainError
from harborlight.pages import NoInput, form_for, show_error
from harborlight.security.permissions import can, fetch, requires


@requires("user.manage")
def users(request: HttpRequest) -> HttpResponse:
    form = form_for(request, UserCreateForm)
    if request.method == "POST" and form.is_valid():
        issued = access.add_member(request.user.organisation, by=request.user,
                                   **form.cleaned_data)
        return issued_page(request, issued)
    people = list(User.objects.filter(organisation=request.user.organisation)
                  .order_by("username"))
    context = {"members": _with_state(people), "form": form}
    return render(request, "accounts/users.html", context,
                  status=400 if form.errors else 200)


@requires("user.manage")
def member(request: HttpRequest, user_id: int) -> HttpResponse:
    person = fetch(request, User, pk=user_id)
    context = {"member": _with_state([person])[0], "role_form": RoleForm(),
               "requests": person.access_requests.select_related(
                   "requested_by", "decided_by")[:10],
               "tokens": person.api_tokens.all()[:50]}
    if oidc.enabled():
        context["sso_provider"] = oidc.provider_name()
        context["sso_linked"] = oidc.is_linked(person)
    return render(request, "accounts/member.html", context)


def issued_page(request: HttpRequest, issued: access.Issued) -> HttpResponse:
    """A step's outcome. With a set-up link: shown here, once (201); without: back to the
    person's page with what happens next."""
    if not issued.token:
        messages.success(request, _("The change waits for a supervisor's approval."))
        return redirect("accounts:member", issued.request.member_id)
    link = request.build_absolute_uri(reverse("accounts:setup_link", args=[issued.token]))
    return render(request, "accounts/issued.html",
                  {"issued": issued.request, "setup_link": link}, status=201)


def _with_state(people: list[User]) -> list[User]:
    """Each person with ``open_request`` and ``locked`` (one query, one cache read)."""
    open_requests = {request.member_id: request for request in
                     AccessRequest.objects.open().filter(member__in=people)}
    locked = lockout.locked_usernames([person.username for person in people])
    for person in people:
        person.open_request = open_requests.get(person.pk)
        person.locked = person.username in locked
        person.state = (_("Active") if person.is_active else _("Deactivated")
                        if person.has_usable_password() else _("Not set up yet"))
    return people


def _member_step(act: Callable, done: str, form_class=NoInput):
    """A POST on one person of the organisation: ``act(person, by=..., **form data)``.

    A domain refusal is a message on the person's page; a step that hands out a set-up
    link shows it once (:func:`issued_page`).
    """

    @requires("user.manage")
    @require_POST
    def view(request: HttpRequest, user_id: int) -> HttpResponse:
        person = fetch(request, User, pk=user_id)
        form = form_class(request.POST)
        if not form.is_valid():
            for errors in form.errors.values():
                messages.error(request, " ".join(errors))
            return redirect("accounts:member", person.pk)
        try:
            result = act(person, by=request.user, **form.cleaned_data)
        except DomainError as error:
            show_error(request, error)
            return redirect("accounts:member", person.pk)
        if isinstance(result, access.Issued):
            return issued_page(request, result)
        messages.success(request, done % {"user": person.username})
        return redirect("accounts:member", person.pk)

    return view


change_role = _member_step(access.change_role, gettext_lazy("%(user)s has the new role."),
                           RoleForm)
deactivate = _member_step(access.deactivate,
                          gettext_lazy("%(user)s is deactivated: they can no longer sign in "
                                       "or use API tokens."), DeactivateForm)
reactivate = _member_step(access.reactivate, gettext_lazy("%(user)s can sign in again."))
new_link = _member_step(access.new_link, "")
reset_two_factor = _member_step(members.reset_two_factor,
                                gettext_lazy("%(user)s must set up two-factor sign-in again."))
unlock = _member_step(members.unlock, gettext_lazy("%(user)s can sign in again."))


@requires("account.tokens")
def tokens(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/tokens.html",
                  {"tokens": ApiToken.objects.filter(user=request.user)[:100]})


@requires("account.language")
@require_POST
def language(request: HttpRequest) -> HttpResponse:
    """The header's language switch: keep the choice on the account, back to the page."""
    try:
        access.set_language(request.user, request.POST.get("language", ""))
    except DomainError as error:
        show_error(request, error)
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        back = reverse("web:dashboard")
    return redirect(back)


@requires("account.tokens")
@require_POST
def revoke_token(request: HttpRequest, token_id: int) -> HttpResponse:
    """Revoke your own token, or (managing users) any of the organisation's."""
    token = fetch(request, ApiToken.objects.select_related("user"), pk=token_id)
    try:
        revoke(token, by=request.user)
        messages.success(request, _("Token %(prefix)s is revoked.") % {"prefix": token.prefix})
    except DomainError as error:
        show_error(request, error)
    if token.user_id != request.user.pk and can(request.user, "user.manage"):
        return redirect("accounts:member", token.user_id)
    return redirect("accounts:tokens")
