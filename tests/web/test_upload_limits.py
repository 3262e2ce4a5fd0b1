"""Upload size limits hold while the body streams in (issue 12, Medium 7)."""

from __future__ import annotations

import socket

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from harborlight.accounts.models import Role
from harborlight.insights.models import ScreeningRun
from tests_support import verify_session

pytestmark = pytest.mark.django_db


@pytest.fixture
def analyst(cast):
    return verify_session(Client(), cast.role(Role.ANALYST))


def test_it_refuses_a_declared_length_over_the_limit_before_reading(analyst, settings):
    settings.MAX_UPLOAD_BYTES = 1000

    response = analyst.post("/insights/screening/", data=b"x" * 10,
                            content_type="multipart/form-data; boundary=zz",
                            CONTENT_LENGTH=str(10 ** 9))

    assert response.status_code == 413
    assert "larger than 1,000 bytes, the limit" in response.content.decode()


def test_it_stops_a_multipart_upload_at_the_limit_and_names_it(analyst, settings):
    settings.MAX_UPLOAD_BYTES = 2 * 1024 * 1024
    big = SimpleUploadedFile("ads.jsonl", b'{"id": "a1"}\n' * 300_000)  # ~3.9 MB

    response = analyst.post("/insights/screening/", {"ads": big})

    assert response.status_code == 413
    assert "larger than 2 MB, the limit" in response.content.decode()
    assert not ScreeningRun.objects.exists()


def test_it_answers_the_api_error_shape(cast, settings):
    settings.MAX_UPLOAD_BYTES = 1024 * 1024
    response = Client().post("/api/v1/tips", data=b"{}", content_type="application/json",
                             CONTENT_LENGTH=str(50 * 1024 * 1024))

    assert response.status_code == 413
    assert response.json()["errors"][0]["code"] == "too_large"


@pytest.mark.slow
@pytest.mark.own_sqlite
def test_the_server_refuses_a_huge_body_while_it_streams(tmp_path):
    """``harborlight serve`` answers 413 on the headers of a 2 GB body, without waiting for
    (or storing) the body."""
    from installations import installed, serving

    with installed(tmp_path, "sqlite", organisation=False) as env, serving(env) as server:
        with socket.create_connection(("127.0.0.1", server.port), timeout=30) as sock:
            sock.sendall(b"POST /api/v1/tips HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                         b"Content-Type: application/json\r\n"
                         b"Content-Length: 2000000000\r\n\r\n" + b"{" * 65536)
            answer = sock.recv(200)
    assert answer.startswith(b"HTTP/1.1 413")
