"""record(): what an entry holds, how it is chained, and what it refuses."""

from __future__ import annotations

import hashlib
from datetime import datetime, timezone

import pytest
from django.db import connection, transaction

from harborlight.security.audit.chain import canonical_bytes
from harborlight.security.audit.store import verify
from harborlight.security.audit.log import record
from harborlight.security.audit.models import GENESIS_HASH, AuditChainHead, AuditEntry
from tests_support import as_database_owner

NOW = datetime(2026, 11, 23, 3, 25, 45, 123456, tzinfo=timezone.utc)

pytestmark = pytest.mark.django_db


def test_it_starts_the_chain_at_genesis_and_links_each_entry_to_the_previous(caseworker):
    first = record("login", actor=caseworker, now=NOW)
    second = record("logout", actor=caseworker, now=NOW)

    assert (first.seq, second.seq) == (1, 2)
    assert first.prev_hash == GENESIS_HASH
    assert second.prev_hash == first.hash
    head = AuditChainHead.objects.get()
    assert (head.last_seq, head.last_hash) == (2, second.hash)


def test_it_hashes_the_canonical_form_including_the_previous_hash(caseworker, harbor):
    entry = record("read", actor=caseworker, obj=harbor, reason="checking", now=NOW,
                   details={"b": 1, "a": ["x", True, None]})
    stored = AuditEntry.objects.values().get(seq=entry.seq)

    expected = (
        '{"action":"read","actor_id":%d,"actor_role":"caseworker","actor_username":"carlos",'
        '"created_at":"2026-11-23T03:25:45.123456Z","details":{"a":["x",true,null],"b":1},'
        '"format":"harborlight.audit/1","object_id":"%d",'
        '"object_label":"organisation #%d","object_type":"accounts.organisation",'
        '"organisation_id":%d,"prev_hash":"%s","reason":"checking","seq":1,"version":1}'
        % (caseworker.pk, harbor.pk, harbor.pk, harbor.pk, GENESIS_HASH)
    ).encode()
    assert canonical_bytes(stored) == expected
    assert stored["hash"] == hashlib.sha256(expected).hexdigest()


def test_it_keeps_the_actor_snapshot_when_the_user_is_deleted(caseworker):
    entry = record("login", actor=caseworker, now=NOW)
    user_id = caseworker.pk
    caseworker.delete()

    stored = AuditEntry.objects.get(seq=entry.seq)
    assert (stored.actor_id, stored.actor_username, stored.actor_role) == (
        user_id, "carlos", "caseworker")
    assert verify().entries == 1


def test_it_takes_the_organisation_from_the_actor_then_the_object(caseworker, harbor,
                                                                   elsewhere, outsider):
    by_actor = record("read", actor=caseworker, obj=outsider, now=NOW)
    by_object = record("read", obj=outsider, now=NOW)
    organisation_itself = record("update", obj=elsewhere, now=NOW)
    explicit = record("read", actor=caseworker, organisation=elsewhere, now=NOW)
    system = record("keys_rotate", now=NOW)

    assert by_actor.organisation_id == harbor.pk
    assert by_object.organisation_id == elsewhere.pk
    assert organisation_itself.organisation_id == elsewhere.pk
    assert explicit.organisation_id == elsewhere.pk
    assert system.organisation_id is None and system.actor_username == ""


def test_it_stores_a_reference_label_not_the_objects_text(caseworker, harbor):
    entry = record("read", actor=caseworker, obj=harbor, now=NOW)

    assert "Harbor House" not in entry.object_label
    assert entry.object_label == f"organisation #{harbor.pk}"


def test_it_rejects_unknown_actions_and_writes_nothing(caseworker):
    with pytest.raises(ValueError, match="unknown audit action 'peek'"):
        record("peek", actor=caseworker)
    assert not AuditEntry.objects.exists()


@pytest.mark.parametrize("details, message", [
    ({"ratio": 0.5}, "float"),
    ({"when": NOW}, "datetime"),
    ({1: "x"}, "non-string key"),
    ({"text": "a\x00b"}, "NUL"),
    (["not", "a", "dict"], "must be a dict"),
    ({"big": "x" * 9000}, "limit"),
])
def test_it_rejects_details_that_would_not_hash_the_same_after_storage(details, message):
    with pytest.raises(ValueError, match=message):
        record("export", details=details)
    assert not AuditEntry.objects.exists()


def test_it_rejects_a_naive_now():
    with pytest.raises(ValueError, match="timezone-aware"):
        record("export", now=datetime(2026, 1, 1))


def test_it_rolls_back_with_the_action_it_records(caseworker):
    record("login", actor=caseworker, now=NOW)
    with pytest.raises(RuntimeError):
        with transaction.atomic():
            record("delete", actor=caseworker, now=NOW)
            raise RuntimeError("the deletion failed")

    assert list(AuditEntry.objects.values_list("seq", flat=True)) == [1]
    assert AuditChainHead.objects.get().last_seq == 1
    assert verify().entries == 1


def test_it_refuses_to_restart_the_chain_when_the_head_row_was_deleted(caseworker):
    from harborlight.security.audit.chain import AuditChainBroken

    record("login", actor=caseworker, now=NOW)
    with as_database_owner(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {AuditChainHead._meta.db_table}")

    with pytest.raises(AuditChainBroken, match="head row is missing"):
        record("logout", actor=caseworker, now=NOW)
    assert AuditEntry.objects.count() == 1


def test_it_treats_an_anonymous_user_as_no_actor():
    from django.contrib.auth.models import AnonymousUser

    entry = record("disclose", actor=AnonymousUser(), now=NOW)
    assert entry.actor_id is None and entry.actor_username == ""


def test_it_uses_the_models_audit_label_when_it_has_one(monkeypatch, caseworker, harbor):
    monkeypatch.setattr(type(harbor), "audit_label",
                        property(lambda self: f"ORG-{self.pk:04d}"), raising=False)

    entry = record("read", actor=caseworker, obj=harbor, now=NOW)

    assert entry.object_label == f"ORG-{harbor.pk:04d}"
