"""What the pages of the domain apps share: one step helper and one error mapping.

A page that changes something is a *step* on a record the view has already fetched and
authorised (:func:`harborlight.security.permissions.fetch`)::

    @requires("case.assign")
    def assign(request, reference):
        case = fetch(request, Case, reference=reference)
        return step(request, form_for(request, AssignForm, organisation=...),
                    lambda data: case.assign(data["owner"], by=request.user),
                    done="Case assigned.", back=case_url(case), page=form_page_for(case))

:func:`step` is the only place that decides what a page does with a GET, an invalid form,
a refused step and a done one; :func:`show_error` is the only place that turns a
:class:`~harborlight.errors.DomainError` into something on a page (the API's twin is the
exception handler in :mod:`harborlight.web.api`).
"""

from __future__ import annotations

from typing import Any, Callable

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext

from harborlight.errors import DomainError

INVALID_FORM = "Please correct the marked fields below."


class NoInput(forms.Form):
    """For steps that take nothing but the CSRF token (approve, reopen, convert)."""


def form_for(request: HttpRequest, form_class: type[forms.Form], **kwargs: Any
             ) -> forms.Form:
    """``form_class`` bound to the POST (even an empty one: a step without fields), or
    unbound for a GET."""
    if request.method == "POST":
        return form_class(request.POST, request.FILES, **kwargs)
    return form_class(**kwargs)


def page_query(request: HttpRequest) -> str:
    """The list's filters as a query string without the page number, for pagination."""
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def show_error(request: HttpRequest, error: DomainError, form: forms.Form | None = None
               ) -> None:
    """Put a domain error on the page: on the form's field when the form has that field,
    on the form as a whole otherwise, or as a message when there is no form on the page."""
    if form is None:
        messages.error(request, error.message)
    else:
        form.add_error(error.field if error.field in form.fields else None, error.message)


def back_to(url: str, anchor: str = "") -> HttpResponse:
    return redirect(f"{url}#{anchor}" if anchor else url)


def step(request: HttpRequest, form: forms.Form, act: Callable[[dict], Any], *,
         done: str | Callable[[Any], str], back: str,
         page: Callable[[forms.Form], HttpResponse] | None = None, own_page: bool = False,
         then: Callable[[Any], str] | None = None, anchor: str = "") -> HttpResponse:
    """Run one step on a record; see the module docstring.

    - GET: the step's own page (``page(form)``) when ``own_page``, else back to the
      record's page (``back``), where the step's form lives;
    - POST with an invalid form: ``page(form)`` with status 400, or back when there is no
      page (a step on a record's page also says at the top that the form needs fixing);
    - POST with a valid form: ``act(cleaned_data)``. A :class:`DomainError` is shown with
      :func:`show_error`: on the form of a step with its own page (status 400), as a
      message back on the record's page otherwise. Success shows ``done`` (or
      ``done(result)``) and goes to ``then(result)``, or back.
    """
    if request.method != "POST":
        return page(form) if own_page and page else back_to(back, anchor)
    if not form.is_valid():
        if not own_page:  # the form sits in a long record page: say so at the top
            messages.error(request, INVALID_FORM)
        return _with_status(page(form), 400) if page else back_to(back, anchor)
    try:
        result = act(form.cleaned_data)
    except DomainError as error:
        if own_page and page is not None:
            show_error(request, error, form)
            return _with_status(page(form), 400)
        show_error(request, error)
        return back_to(back, anchor)
    # A view's fixed words are marked with gettext_noop: said in the reader's language here.
    messages.success(request, gettext(str(done(result) if callable(done) else done)))
    return redirect(then(result)) if then else back_to(back, anchor)


def _with_status(response: HttpResponse, status: int) -> HttpResponse:
    response.status_code = status
    return response
