"""Upload size limits enforced while the body streams in, not after it arrived.

Three places, from the outside in, each refusing as early as it can:

1. ``harborlight serve`` (waitress) refuses a body larger than ``MAX_REQUEST_BYTES``
   while reading it (413), before Harborlight sees the request;
2. :class:`UploadLimitMiddleware` refuses a declared ``Content-Length`` over the limit
   before reading a byte, with a page (or the API's error shape) that names the limit;
3. :class:`BoundedUploadHandler` counts the bytes of a multipart body as they are read
   (a chunked body declares no length) and stops at the limit, so no file larger than
   ``MAX_UPLOAD_BYTES`` is ever written to a temporary file.
"""

from __future__ import annotations

from typing import Callable

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from harborlight.fieldintake import openrosa

MULTIPART_OVERHEAD = 64 * 1024  # form fields and boundaries around the file


def max_request_bytes() -> int:
    return settings.MAX_UPLOAD_BYTES + MULTIPART_OVERHEAD


class UploadTooLarge(Exception):
    pass


class BoundedUploadHandler(FileUploadHandler):
    """Counts uploaded bytes as they stream; stops the upload past the limit."""

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        self.received = 0
        return None

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.received += len(raw_data)
        if self.received > settings.MAX_UPLOAD_BYTES:
            if self.request is not None:
                self.request.upload_too_large = True
            raise StopUpload(connection_reset=True)
        return raw_data

    def file_complete(self, file_size: int):
        return None


class UploadLimitMiddleware:
    """Refuse an upload over the limit before the view runs, naming the limit."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method in ("POST", "PUT", "PATCH"):
            try:
                declared = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                declared = 0
            if declared > max_request_bytes():
                return too_large(request)
            if (request.content_type or "") == "multipart/form-data":
                request.POST  # noqa: B018 - parse now, through BoundedUploadHandler
                if getattr(request, "upload_too_large", False):
                    return too_large(request)
        return self.get_response(request)


def too_large(request: HttpRequest) -> HttpResponse:
    limit = _size(settings.MAX_UPLOAD_BYTES)
    message = f"The upload is larger than {limit}, the limit for one request. Split the file."
    if request.path.startswith("/openrosa/"):  # what ODK Collect shows the field worker
        return openrosa.message(message, status=413)
    if request.path.startswith("/api/"):
        return JsonResponse({"errors": [{"field": "body", "message": message,
                                         "code": "too_large"}]}, status=413)
    return render(request, "errors/error.html", {"title": "File too large", "text": message},
                  status=413)


def _size(count: int) -> str:
    if count >= 1024 * 1024:
        return f"{count / (1024 * 1024):g} MB"
    return f"{count:,} bytes"
