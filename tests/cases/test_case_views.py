"""Case pages: scoped lists, audited reads, notes with per-field errors, atomic writes."""

from __future__ import annotations

import pytest

from harborlight.accounts.models import Role
from harborlight.cases.models import CaseNote
from harborlight.security.audit import store as audit_store
from tests_support import assert_audited, assert_trail, audit_mark


def test_it_lists_own_cases_and_hides_restricted_ones_from_teammates(cast, signed_in_client):
    page = signed_in_client(cast.teammate).get("/cases/").content.decode()
    assert cast.own_case.reference in page
    assert cast.own_restricted_case.reference not in page
    assert cast.other_case.reference not in page
    owner_page = signed_in_client(cast.role(Role.CASEWORKER)).get("/cases/").content.decode()
    assert cast.own_restricted_case.reference in owner_page


def test_it_shows_decrypted_details_and_audits_the_read(cast, signed_in_client):
    caseworker = cast.role(Role.CASEWORKER)
    page = signed_in_client(caseworker).get(f"/cases/{cast.own_case.reference}/")
    assert page.status_code == 200
    assert b"Quintero-Vance" in page.content and b"First meeting went well." in page.content
    [entry] = assert_audited("read", cast.own_case)
    assert entry.actor_id == caseworker.pk


def test_it_adds_a_note(cast, signed_in_client):
    client = signed_in_client(cast.role(Role.CASEWORKER))
    mark = audit_mark()
    response = client.post(f"/cases/{cast.own_case.reference}/notes/",
                           {"body": "Called back <script>alert(1)</script>"})
    assert response.status_code == 302
    assert_trail(mark, ("create", CaseNote.objects.latest("pk")))
    page = client.get(response.url).content
    assert b"&lt;script&gt;alert(1)&lt;/script&gt;" in page and b"<script>alert" not in page


@pytest.mark.parametrize("body, message", [("   ", b"This field is required."),
                                           ("x" * 20001, b"20,000 characters at most")])
def test_it_rejects_bad_notes_with_a_message(cast, signed_in_client, body, message):
    client = signed_in_client(cast.role(Role.CASEWORKER))
    before, mark = CaseNote.objects.count(), audit_mark()
    response = client.post(f"/cases/{cast.own_case.reference}/notes/", {"body": body})
    assert response.status_code == 400 and message in response.content
    assert CaseNote.objects.count() == before
    assert_trail(mark)


def test_it_saves_nothing_when_a_write_fails_half_way(cast, signed_in_client, monkeypatch):
    """The note is saved, then its audit entry fails: the whole request must roll back."""
    def failing_record(*args, **kwargs):
        raise RuntimeError("audit storage unavailable")

    before = CaseNote.objects.count()
    client = signed_in_client(cast.role(Role.CASEWORKER))
    client.raise_request_exception = False
    monkeypatch.setattr(audit_store, "_lock_head", failing_record, raising=True)
    response = client.post(f"/cases/{cast.own_case.reference}/notes/", {"body": "Lost?"})
    assert response.status_code == 500
    assert CaseNote.objects.count() == before


def test_it_keeps_the_filters_when_paging(cast, signed_in_client):
    from harborlight.cases.models import Case

    Case.objects.open_many(cast.own, [Case(owner=cast.role(Role.CASEWORKER))
                                      for _ in range(55)])
    page = signed_in_client(cast.role(Role.CASEWORKER)).get("/cases/", {"status": "Active"})
    assert 'href="?status=Active&amp;page=2"' in page.content.decode()
