"""Every case page answers 404 to another organisation's staff, whatever the method, and
changes nothing (the permission matrix covers roles; this covers every verb)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from django.urls import reverse

from harborlight.accounts.models import Role
from harborlight.security.audit.models import AuditEntry


def _targets(cast, whose):
    spec = importlib.util.spec_from_file_location(
        "cases_matrix_targets", Path(__file__).with_name("matrix_targets.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.targets(cast, whose)


@pytest.mark.parametrize("method", ["get", "post"])
def test_it_answers_404_to_outsiders_on_every_case_page(cast, signed_in_client, method):
    targets = _targets(cast, "own")
    outsider = cast.outsiders[Role.SUPERVISOR]
    client = signed_in_client(outsider)
    before = AuditEntry.objects.exclude(action__in=["login"]).count()
    for name, kwargs in targets.items():
        response = getattr(client, method)(reverse(name, kwargs=kwargs))
        assert response.status_code == 404, f"{method.upper()} {name}: {response.status_code}"
    assert AuditEntry.objects.exclude(action__in=["login"]).count() == before
