"""Intake tests start with a fresh catalog cache and empty flood-limit buckets."""

import pytest


@pytest.fixture(autouse=True)
def fresh_intake_state():
    from django.core.cache import cache

    from harborlight.intake.catalog import forget_catalog

    forget_catalog()
    cache.clear()
    yield
    forget_catalog()
    cache.clear()


@pytest.fixture
def rules_alone(monkeypatch):
    """The assist reads with its rules alone (no learned reading): for tests of a flow
    whose expected level must not hang on the shipped weights' opinions."""
    from harborlight.intake import assist

    monkeypatch.setattr(assist, "shipped_model", lambda: None)
