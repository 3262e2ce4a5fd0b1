"""Security headers that Django's own middleware does not set; text that cannot be stored
refused at the door."""

from __future__ import annotations

import json
from typing import Any, Callable, Iterator

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from harborlight.formats.text import CONTROL_CHARACTERS
from harborlight.intake.text import text_problem

# Features no Harborlight page uses; denying them limits what injected content could do.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()" for feature in (
        "accelerometer", "camera", "geolocation", "gyroscope", "magnetometer",
        "microphone", "payment", "usb", "interest-cohort", "browsing-topics",
    )
)


class SecurityHeadersMiddleware:
    """Add Permissions-Policy and cross-origin isolation; never cache signed-in pages.

    Pages for signed-in staff carry survivor data, so they must not stay in a shared
    computer's browser cache or be restored by the back button after sign-out.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        response.headers.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        response.headers.setdefault("X-Permitted-Cross-Domain-Policies", "none")
        if not request.path.startswith("/static/"):
            response.headers["Cache-Control"] = "no-store"
        return response


API_PREFIX = "/api/"
# The public report forms check every text field themselves (intake.text.validate_text)
# and show the refusal beside the field, in the reporter's language, with the quick exit:
# a reporter never meets a bare error page.
SELF_CHECKING_FORMS = ("/report/",)
CONTROL_CODE = "control_character"
_SINGLE_LINE = ("\t", "\n", "\r")  # fine in a note, never in a query parameter


class ControlCharactersMiddleware:
    """Refuse a request whose text holds control characters, naming the field, before any
    view runs: every form (pages, the public report), every JSON body and every query.

    A control character (other than tab and line breaks in a body) stored in a record
    broke whole-organisation exports; refusing it where it comes in keeps every store
    clean, whoever wrote the form or endpoint. The API answers its one error shape
    (``{"errors": [{"field", "message", "code": "control_character"}]}``), pages a 400
    page naming the field (going back keeps what was typed).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        found = _first_bad_field(request)
        if found is None:
            return self.get_response(request)
        field, message, code = found
        if request.path.startswith(API_PREFIX):
            return JsonResponse({"errors": [{"field": field, "message": message,
                                             "code": code}]}, status=400)
        return render(request, "errors/error.html", {
            "title": "Text that cannot be stored",
            "text": f"The field \u201c{field}\u201d: {message} Go back: what you typed is "
                    "still there."}, status=400)


def _first_bad_field(request: HttpRequest) -> tuple[str, str, str] | None:
    """(field, sentence, code) of the first text that cannot be stored, or None."""
    for name, value in _query_items(request):
        if any(mark in value for mark in _SINGLE_LINE):
            return (name, "A line break or tab (a control character) is not allowed here.",
                    CONTROL_CODE)
        problem = _problem(name, value)
        if problem:
            return name, *problem
    if request.method not in ("POST", "PUT", "PATCH"):
        return None
    content_type = request.content_type or ""
    if content_type == "application/json":
        try:
            body = json.loads(request.body or b"null")
        except (ValueError, UnicodeDecodeError):
            return None  # the API says the body is not JSON
        items: Iterator[tuple[str, str]] = _json_strings(body, "")
    elif content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        if request.path.startswith(SELF_CHECKING_FORMS):
            return None
        items = ((name, value) for name, values in request.POST.lists() for value in values)
    else:
        return None
    for name, value in items:
        problem = _problem(name, value)
        if problem:
            return name or "body", *problem
    return None


def _problem(name: str, value: str) -> tuple[str, str] | None:
    for text in (value, name):
        problem = text_problem(text)
        if problem:
            return problem, CONTROL_CODE if CONTROL_CHARACTERS.search(text) else "invalid_text"
    return None


def _query_items(request: HttpRequest) -> Iterator[tuple[str, str]]:
    for name, values in request.GET.lists():
        for value in values:
            yield name, value


def _json_strings(value: Any, path: str) -> Iterator[tuple[str, str]]:
    """Every string in a JSON document (keys too), with the dotted path to it."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            where = f"{path}.{key}" if path else str(key)
            yield where, str(key)
            yield from _json_strings(item, where)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _json_strings(item, f"{path}.{index}" if path else str(index))
