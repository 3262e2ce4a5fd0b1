"""The OpenRosa protocol's plumbing: headers, the responses Collect reads, and who the
device speaks for.

A device authenticates with a Harborlight API token (``harborlight token create``, or the
account's token page): ``Authorization: Bearer hlt_...``, or HTTP Basic with the account's
username and the token as password, which is what ODK Collect and KoboCollect send when a
server asks (their "Username" and "Password" settings). Tokens expire and can be revoked
(:mod:`harborlight.accounts.tokens`). Without valid credentials the answer is the
protocol's ``401`` with a ``WWW-Authenticate: Basic`` challenge. Use HTTPS: Basic sends
the token with every request.
"""

from __future__ import annotations

import base64
import binascii
from xml.sax.saxutils import escape

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.http import http_date

from harborlight.accounts.models import User
from harborlight.accounts.tokens import user_for_token

OPENROSA_VERSION = "1.0"
RESPONSE_NS = "http://openrosa.org/http/response"
REALM = "Harborlight"


def headers(response: HttpResponse) -> HttpResponse:
    """Every OpenRosa response carries the protocol version and the date."""
    response["X-OpenRosa-Version"] = OPENROSA_VERSION
    response["Date"] = http_date()
    return response


def xml_response(body: str, status: int = 200) -> HttpResponse:
    return headers(HttpResponse(body.encode("utf-8"), status=status,
                                content_type="text/xml; charset=utf-8"))


def message(text: str, *, status: int, nature: str = "error") -> HttpResponse:
    """An OpenRosa response Collect shows to the field worker (``nature`` error, or
    ``submit_success``)."""
    body = (f'<OpenRosaResponse xmlns="{RESPONSE_NS}">'
            f'<message nature="{nature}">{escape(text)}</message></OpenRosaResponse>')
    response = xml_response(body, status)
    response["X-OpenRosa-Accept-Content-Length"] = str(accepted_length())
    return response


def challenge() -> HttpResponse:
    response = message("Sign in with your Harborlight username and API token.", status=401)
    response["WWW-Authenticate"] = f'Basic realm="{REALM}", charset="UTF-8"'
    return response


def accepted_length() -> int:
    """The largest submission (instance plus attachments) the server takes, in bytes."""
    return settings.MAX_UPLOAD_BYTES


def device_user(request: HttpRequest) -> User | None:
    """The account the request's token stands for, or None (missing or wrong)."""
    kind, _, credentials = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
    kind = kind.lower()
    if kind == "bearer":
        return user_for_token(credentials.strip(), request)
    if kind != "basic":
        return None
    try:
        decoded = base64.b64decode(credentials.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    username, _, token = decoded.partition(":")
    user = user_for_token(token, request)
    return user if user is not None and user.get_username() == username else None
