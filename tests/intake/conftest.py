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
