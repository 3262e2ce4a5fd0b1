"""Break-glass: a supervisor opens a restricted case with a reason; it is logged and reviewed."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils.html import escape

from harborlight.accounts.models import Role
from harborlight.security.audit.models import AuditEntry
from harborlight.security.models import BreakGlassGrant

REASON = "Survivor is at the emergency room and asked for her advocate's plan"


def _form_url(case) -> str:
    query = urlencode({"type": ContentType.objects.get_for_model(case).pk, "id": case.pk,
                       "next": f"/cases/{case.reference}/"})
    return f"/security/break-glass/?{query}"


def _ask(client, case, reason: str):
    content_type = ContentType.objects.get_for_model(case).pk
    return client.post("/security/break-glass/", {"type": content_type, "id": case.pk,
                                                  "next": f"/cases/{case.reference}/",
                                                  "reason": reason})


def test_it_sends_a_supervisor_to_the_break_glass_form(cast, signed_in_client):
    client = signed_in_client(cast.role(Role.SUPERVISOR))
    response = client.get(f"/cases/{cast.own_restricted_case.reference}/")
    assert response.status_code == 302 and response.url.startswith("/security/break-glass/?")
    assert client.get(response.url).status_code == 200


def test_it_gives_a_teammate_without_break_glass_a_403(cast, signed_in_client):
    client = signed_in_client(cast.teammate)
    assert client.get(f"/cases/{cast.own_restricted_case.reference}/").status_code == 403


def test_it_refuses_a_short_reason_and_grants_nothing(cast, signed_in_client):
    client = signed_in_client(cast.role(Role.SUPERVISOR))
    response = _ask(client, cast.own_restricted_case, "need it")
    assert response.status_code == 400
    assert b"at least 15 characters" in response.content
    assert not BreakGlassGrant.objects.exists()
    assert client.get(f"/cases/{cast.own_restricted_case.reference}/").status_code == 302


def test_it_opens_the_case_with_a_reason_and_audits_every_read(cast, signed_in_client):
    supervisor = cast.role(Role.SUPERVISOR)
    client = signed_in_client(supervisor)
    response = _ask(client, cast.own_restricted_case, REASON)
    assert response.status_code == 302
    assert response.url == f"/cases/{cast.own_restricted_case.reference}/"
    page = client.get(response.url)
    assert page.status_code == 200 and b"Restricted case summary" in page.content
    grant_entry = AuditEntry.objects.get(action="break_glass")
    assert grant_entry.reason == REASON and grant_entry.actor_id == supervisor.pk
    read = AuditEntry.objects.filter(action="read",
                                     object_id=str(cast.own_restricted_case.pk)).last()
    assert read.reason == "break-glass" and read.details["break_glass"] is True


def test_it_lists_the_access_for_review_and_forbids_self_review(cast, signed_in_client):
    supervisor = cast.role(Role.SUPERVISOR)
    _ask(signed_in_client(supervisor), cast.own_restricted_case, REASON)
    grant = BreakGlassGrant.objects.get()
    assert signed_in_client(supervisor).post(
        f"/security/break-glass/review/{grant.pk}/").status_code == 403
    auditor = signed_in_client(cast.role(Role.AUDITOR))
    page = auditor.get("/security/break-glass/review/")
    assert escape(REASON).encode() in page.content
    assert auditor.post(f"/security/break-glass/review/{grant.pk}/",
                        {"note": "Checked with the caseworker."}).status_code == 302
    grant.refresh_from_db()
    assert grant.reviewed_by == cast.role(Role.AUDITOR) and grant.reviewed_at is not None


def test_it_keeps_review_lists_inside_the_organisation(cast, signed_in_client):
    _ask(signed_in_client(cast.role(Role.SUPERVISOR)), cast.own_restricted_case, REASON)
    outsider = signed_in_client(cast.outsiders[Role.AUDITOR])
    assert escape(REASON).encode() not in outsider.get("/security/break-glass/review/").content
    grant = BreakGlassGrant.objects.get()
    assert outsider.post(f"/security/break-glass/review/{grant.pk}/").status_code == 404


@pytest.mark.parametrize("query", ["type=abc&id=1", "type=99999&id=1", ""])
def test_it_answers_404_for_nonsense_targets(cast, signed_in_client, query):
    client = signed_in_client(cast.role(Role.SUPERVISOR))
    assert client.get(f"/security/break-glass/?{query}").status_code == 404


def test_it_refuses_break_glass_on_another_organisations_case(cast, signed_in_client):
    client = signed_in_client(cast.outsiders[Role.SUPERVISOR])
    assert client.get(_form_url(cast.own_restricted_case)).status_code == 404
    assert _ask(client, cast.own_restricted_case, REASON).status_code == 404
    assert not BreakGlassGrant.objects.exists()
