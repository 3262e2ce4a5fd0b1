"""The audit page (audit:log) and chain verification page (audit:verify)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from harborlight.accounts.models import Role, User
from harborlight.security.audit.log import record
from harborlight.security.audit.models import AuditEntry
from tests_support import as_database_owner

pytestmark = pytest.mark.django_db

DAY = datetime(2026, 11, 20, 12, 0, tzinfo=timezone.utc)


@pytest.fixture
def trail(caseworker, supervisor, outsider, harbor):
    """Entries of both organisations, and one that belongs to none."""
    return {
        "read": record("read", actor=caseworker, obj=harbor, reason="weekly check-in",
                       now=DAY),
        "export": record("export", actor=supervisor, object_type="cases.case",
                         object_id="17", now=DAY + timedelta(days=2)),
        "break_glass": record("break_glass", actor=supervisor, object_type="cases.case",
                              object_id="18", reason="client in danger tonight",
                              now=DAY + timedelta(days=3)),
        "outsider": record("read", actor=outsider, object_type="cases.case",
                           object_id="99", reason="outsider reason", now=DAY),
        "unknown": record("login_failed", details={"username_known": False}, now=DAY),
    }


def seqs(response) -> list[int]:
    """Entries on the page, leaving out the test clients' own sign-ins."""
    return [entry.seq for entry in response.context["page"] if entry.action != "login"]


def test_it_shows_an_auditor_their_organisations_entries_only(auditor, trail, client_for):
    response = client_for(auditor).get(reverse("audit:log"))

    assert response.status_code == 200
    assert seqs(response) == [trail["break_glass"].seq, trail["export"].seq,
                              trail["read"].seq]
    html = response.content.decode()
    assert "outsider reason" not in html
    assert "client in danger tonight" in html


def test_it_hides_the_trail_from_the_outsiders_auditor(outsider, trail, client_for):
    response = client_for(outsider).get(reverse("audit:log"))

    assert seqs(response) == [trail["outsider"].seq]
    assert "weekly check-in" not in response.content.decode()


@pytest.mark.parametrize("role", sorted(set(Role.values) - {Role.AUDITOR}))
def test_it_refuses_every_other_role(role, harbor, trail, client_for, password):
    member = User.objects.create_staff_user(f"member-{role}", password, harbor, role)
    client = client_for(member)

    assert client.get(reverse("audit:log")).status_code == 403
    assert client.post(reverse("audit:verify")).status_code == 403


def test_it_sends_anonymous_visitors_to_sign_in(trail):
    response = Client().get(reverse("audit:log"))

    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


@pytest.mark.parametrize("query, expected", [
    ({"actor": "sofia"}, ["break_glass", "export"]),
    ({"action": "export"}, ["export"]),
    ({"object_type": "cases.case", "object_id": "18"}, ["break_glass"]),
    ({"date_from": "2026-11-22", "date_to": "2026-11-22"}, ["export"]),
    ({"date_from": "2026-11-21"}, ["break_glass", "export"]),
    ({"reason": "DANGER"}, ["break_glass"]),
    ({"actor": "nobody"}, []),
])
def test_it_filters_the_search(auditor, trail, query, expected, client_for):
    response = client_for(auditor).get(reverse("audit:log"), query)

    assert response.status_code == 200
    assert seqs(response) == [trail[name].seq for name in expected]


def test_it_finds_failed_sign_ins_by_the_attempted_username(auditor, caseworker,
                                                            client_for):
    failed = record("login_failed", obj=caseworker, organisation=caseworker.organisation,
                    details={"attempted_username": "carlos", "username_known": True})

    response = client_for(auditor).get(reverse("audit:log"), {"actor": "carlos"})

    assert seqs(response) == [failed.seq]


def test_it_answers_bad_filters_with_400_and_a_message(auditor, trail, client_for):
    response = client_for(auditor).get(
        reverse("audit:log"), {"date_from": "2026-11-23", "date_to": "2026-11-01",
                               "action": "peek"})

    assert response.status_code == 400
    assert seqs(response) == []
    html = response.content.decode()
    assert "The end date is before the start date." in html
    assert "Select a valid choice" in html


def test_it_pages_through_entries_keeping_the_filters(auditor, caseworker, harbor,
                                                      client_for):
    for index in range(55):
        record("read", actor=caseworker, obj=harbor, reason=f"visit {index}")
    client = client_for(auditor)

    first = client.get(reverse("audit:log"), {"action": "read"})
    second = client.get(reverse("audit:log"), {"action": "read", "page": "2"})

    assert len(seqs(first)) == 50 and len(seqs(second)) == 5
    assert "?action=read&amp;page=2" in first.content.decode()
    assert min(seqs(first)) > max(seqs(second))


def test_it_labels_every_input_and_uses_no_inline_script_or_style(auditor, trail,
                                                                 client_for):
    html = client_for(auditor).get(reverse("audit:log")).content.decode()

    input_ids = re.findall(r'<(?:input|select)[^>]*\bid="([^"]+)"', html)
    assert len(input_ids) == 7
    for input_id in input_ids:
        assert f'<label for="{input_id}">' in html
    assert '<th scope="col">Action</th>' in html
    assert re.search(r"<script(?![^>]*\bsrc=)", html) is None
    assert "<style" not in html and " style=" not in html


def test_it_verifies_the_chain_on_request(auditor, trail, client_for):
    response = client_for(auditor).post(reverse("audit:verify"))

    assert response.status_code == 200
    assert "The audit chain is intact" in response.content.decode()
    assert response.context["result"].entries == AuditEntry.objects.count() > len(trail)


def test_it_names_the_first_broken_link_after_a_raw_sql_edit(auditor, trail, client_for):
    with as_database_owner(), connection.cursor() as cursor:
        cursor.execute(f"UPDATE {AuditEntry._meta.db_table} SET reason = %s WHERE seq = %s",
                       ["edited", trail["export"].seq])

    response = client_for(auditor).post(reverse("audit:verify"))

    html = response.content.decode()
    assert "The audit chain is broken" in html
    assert f"First broken link: entry {trail['export'].seq}." in html


def test_it_only_verifies_on_post(auditor, client_for):
    assert client_for(auditor).get(reverse("audit:verify")).status_code == 405


def test_it_shows_changed_field_names_as_a_list(auditor, caseworker, harbor, client_for):
    record("update", actor=caseworker, obj=harbor,
           details={"changed_fields": ["country", "slug"]})

    html = client_for(auditor).get(reverse("audit:log"), {"action": "update"}).content

    assert b"changed_fields: country, slug" in html


def test_it_names_cases_by_reference(auditor, caseworker, harbor, client_for, monkeypatch):
    """Issue 11: the trail said "case #7"; staff know a case by its reference. Entries
    written before cases had a label of their own are named from the record."""
    from harborlight.cases.models import Case

    case = Case.objects.create(organisation=harbor, reference="C-9C34-K56D")
    assert record("read", actor=caseworker, obj=case).object_label == "C-9C34-K56D"
    with monkeypatch.context() as before:
        before.setattr(Case, "audit_label", None)  # as entries were written until now
        assert record("export", actor=caseworker, obj=case).object_label == \
            f"case #{case.pk}"
    html = client_for(auditor).get(reverse("audit:log")).content.decode()
    rows = html.split("<tbody>")[1].split("</tbody>")[0]
    assert rows.count("Case C-9C34-K56D") == 3  # its creation, the read and the export
    assert f"case #{case.pk}" not in rows and "cases.case" not in rows
