"""Shared fixtures for the screening engine tests: a test key and small generated inputs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harborlight.screening.synthetic import generate_ads

KEY = b"screening-test-key-0123456789abcdef"


@pytest.fixture
def key() -> bytes:
    return KEY


def write_jsonl(path: Path, ads) -> Path:
    with open(path, "w", encoding="utf-8") as handle:
        for ad in ads:
            handle.write(json.dumps(ad, ensure_ascii=False) + "\n")
    return path


@pytest.fixture
def small_ads() -> list[dict]:
    """600 synthetic ads without the site help line (hub behaviour is tested on its own)."""
    return list(generate_ads(600, seed=11, hub_share=0.0))


@pytest.fixture
def small_file(tmp_path: Path, small_ads: list[dict]) -> Path:
    return write_jsonl(tmp_path / "ads.jsonl", small_ads)
