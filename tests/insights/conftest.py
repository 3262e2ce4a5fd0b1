"""Fixtures of the analysts' pages: a signed-in analyst, and a data folder per test (the
screening history and the exports live there)."""

from __future__ import annotations

import pytest

from harborlight.accounts.models import Role


@pytest.fixture(autouse=True)
def own_data_dir(settings, tmp_path):
    """Each test gets its own data folder: screening history, export files."""
    settings.DATA_DIR = tmp_path


@pytest.fixture
def analyst(cast, signed_in_client):
    return signed_in_client(cast.role(Role.ANALYST))
