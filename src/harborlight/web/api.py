"""The HTTP API under /api/v1/, described by OpenAPI at /api/v1/openapi.json.

Every endpoint authenticates with a bearer token (``harborlight token create``) or a
two-factor-verified session, then asks :mod:`harborlight.security.permissions`. Errors
share one JSON shape, built by :func:`error_response`::

    {"errors": [{"field": "status", "message": "Choose one of: Active, FollowUp, ..."}]}

A refused domain step (:class:`~harborlight.errors.DomainError`) is mapped here, once, to
its status and an item with its ``code``: ``{"field": "case", "message": "No active
consent ...", "code": "consent_required"}``.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as ModelValidationError
from django.http import Http404, HttpRequest
from ninja import NinjaAPI
from ninja.parser import Parser
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import HttpBearer, SessionAuth

from harborlight.accounts.tokens import user_for_token
from harborlight.errors import DomainError


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str):
        user = user_for_token(token, request)
        if user is not None:
            request.user = user
        return user


class VerifiedSession(SessionAuth):
    """A browser session counts only once its second factor is verified."""

    def authenticate(self, request: HttpRequest, key):
        user = super().authenticate(request, key)
        return user if user is not None and user.is_verified() else None


class ObjectBodies(Parser):
    """Every body the API takes is one JSON object: ``[null, null]``, ``null`` or ``"x"``
    is refused (400, field "body") instead of being read as an object with no fields."""

    def parse_body(self, request: HttpRequest):
        data = super().parse_body(request)
        if not isinstance(data, dict):
            raise HttpError(400, "The body must be one JSON object ({...}).")
        return data


api = NinjaAPI(title="Harborlight API", version="1", urls_namespace="api", docs_url=None,
               auth=[BearerToken(), VerifiedSession()], parser=ObjectBodies(),
               description="Tips, cases and referrals. Every call is checked against the "
                           "caller's organisation and role, and reads are audited.")


def error_response(request: HttpRequest, status: int, errors: list[dict[str, str]]):
    return api.create_response(request, {"errors": errors}, status=status)


@api.exception_handler(ValidationError)
def on_validation_error(request, exc: ValidationError):
    errors = []
    for item in exc.errors:
        location = [str(part) for part in item.get("loc", [])
                    if part not in ("body", "payload", "query", "path")]
        errors.append({"field": ".".join(location) or "body", "message": item.get("msg", "")})
    return error_response(request, 400, errors)


@api.exception_handler(HttpError)
def on_http_error(request, exc: HttpError):
    """Errors ninja raises itself, such as a body that is not valid JSON."""
    field = "body" if exc.status_code == 400 else ""
    cause = exc.__cause__  # ninja wraps the parser's own refusal: keep its words
    message = str(cause) if isinstance(cause, HttpError) else str(exc)
    return error_response(request, exc.status_code, [{"field": field, "message": message}])


@api.exception_handler(AuthenticationError)
def on_auth_error(request, exc):
    return error_response(request, 401, [{"field": "", "message": "Sign in or send a valid "
                                                                  "bearer token."}])


@api.exception_handler(PermissionDenied)
def on_permission_denied(request, exc):
    return error_response(request, 403, [{"field": "", "message": str(exc) or "Not allowed."}])


@api.exception_handler(DomainError)
def on_domain_error(request, exc: DomainError):
    return error_response(request, exc.status, [exc.as_api_error()])


@api.exception_handler(ModelValidationError)
def on_model_validation_error(request, exc: ModelValidationError):
    """A record the model refuses to write (its own checks, such as another
    organisation's picklist value on a person): 400 naming each field, nothing written."""
    if hasattr(exc, "error_dict"):
        errors = [{"field": name, "message": " ".join(messages)}
                  for name, messages in exc.message_dict.items()]
    else:
        errors = [{"field": "", "message": " ".join(exc.messages)}]
    return error_response(request, 400, errors)


@api.exception_handler(Http404)
def on_not_found(request, exc):
    return error_response(request, 404, [{"field": "", "message": "No such record."}])


api.add_router("/cases", "harborlight.cases.api.router")
api.add_router("/tips", "harborlight.intake.api.router")
api.add_router("", "harborlight.referrals.api.router")
