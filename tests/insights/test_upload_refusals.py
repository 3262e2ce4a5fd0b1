"""A refused upload never shows the server's temporary paths (issue 12, Low)."""

from __future__ import annotations

import tempfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile


@pytest.mark.parametrize("name, content", [
    ("ads.parquet", b"PAR1 this is not parquet at all"),
    ("ads.csv", b"\xff\xfe\x00garbage,\x00\n\x00"),
    ("ads.jsonl.gz", b"not gzip"),
    ("ads.csv", b""),
])
def test_it_names_the_uploaded_file_never_a_server_path(analyst, name, content):
    response = analyst.post("/insights/screening/",
                            {"ads": SimpleUploadedFile(name, content, "text/plain")})

    body = response.content.decode()
    assert tempfile.gettempdir() not in body
    assert "harborlight-ads-" not in body
    assert "/tmp" not in body and "/var/" not in body
