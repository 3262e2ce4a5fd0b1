"""What the case pages share: the case's address and its form page."""

from __future__ import annotations

from typing import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from harborlight.cases.models import Case
from harborlight.pages import step


def case_url(case_or_reference: Case | str, anchor: str = "") -> str:
    reference = getattr(case_or_reference, "reference", case_or_reference)
    url = reverse("cases:detail", kwargs={"reference": reference})
    return f"{url}#{anchor}" if anchor else url


def form_page(request: HttpRequest, case: Case | None, title: str, submit: str,
              intro: str = "", danger: bool = False) -> Callable[..., HttpResponse]:
    """The case app's one form page, as the ``page`` of a :func:`harborlight.pages.step`."""

    def render_form(form) -> HttpResponse:
        return render(request, "cases/form_page.html",
                      {"case": case, "form": form, "title": title, "submit": submit,
                       "intro": intro, "danger": danger})

    return render_form


def model_form_page(request: HttpRequest, form, case: Case, title: str, submit: str, *,
                    done: str, back: str, then=None) -> HttpResponse:
    """A page whose model form adds or edits one record of ``case``: a plain save,
    audited by the trail's backstop (these records have no workflow of their own)."""
    return step(request, form, lambda data: form.save(), done=done, back=back, then=then,
                own_page=True, page=form_page(request, case, title, submit))
