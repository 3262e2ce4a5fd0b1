"""Case search is audited (issue 12, Low): who searched, how, how many matched, and a
keyed digest of the term (never the term: a name in the trail could not be erased)."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from harborlight.accounts.models import Role
from harborlight.security.audit.models import AuditEntry
from harborlight.security.crypto import get_keyring
from tests_support import audit_mark, verify_session

pytestmark = pytest.mark.django_db


@pytest.fixture
def caseworker(cast):
    return verify_session(Client(), cast.role(Role.CASEWORKER))


def searches(since: int) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(seq__gt=since, action="search"))


def test_it_audits_a_search_by_name_without_the_name(cast, caseworker):
    mark = audit_mark()

    response = caseworker.get("/cases/", {"q": "Quintero-Vance"})

    assert response.status_code == 200
    [entry] = searches(mark)
    assert entry.actor_id == cast.role(Role.CASEWORKER).pk
    assert entry.object_type == "cases.case" and entry.organisation_id == cast.own.pk
    assert entry.details["by"] == "name" and entry.details["matches"] >= 1
    assert "Quintero" not in json.dumps(entry.details) + entry.reason + entry.object_label
    assert entry.details["term"] == get_keyring().blind_index("audit.search",
                                                             "quintero-vance")


def test_it_audits_a_search_that_finds_nothing(cast, caseworker):
    mark = audit_mark()

    caseworker.get("/cases/", {"q": "+1 202-555-0199"})

    [entry] = searches(mark)
    assert entry.details["by"] == "phone" and entry.details["matches"] == 0


def test_it_writes_nothing_for_the_plain_list(cast, caseworker):
    mark = audit_mark()

    caseworker.get("/cases/", {"status": "Active"})

    assert searches(mark) == []
