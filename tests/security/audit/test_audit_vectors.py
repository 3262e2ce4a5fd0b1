"""The hashed format, pinned by tests/vectors/audit_chain.json (see its generator)."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest

from harborlight.accounts.models import Organisation
from harborlight.security.audit.chain import canonical_bytes, entry_hash
from harborlight.security.audit.store import verify
from harborlight.security.audit.models import HEAD_PK, AuditChainHead, AuditEntry

VECTORS = json.loads((Path(__file__).resolve().parents[2] / "vectors" / "audit_chain.json")
                     .read_text("utf-8"))


def as_stored(fields: dict) -> dict:
    return {**fields, "created_at": datetime.fromisoformat(fields["created_at"])}


@pytest.mark.parametrize("vector", VECTORS["valid"], ids=lambda v: v["fields"]["action"])
def test_it_serialises_and_hashes_each_valid_vector_exactly(vector):
    fields = as_stored(vector["fields"])

    assert canonical_bytes(fields) == vector["canonical"].encode("utf-8")
    assert entry_hash(fields) == vector["hash"]


@pytest.mark.parametrize("vector", VECTORS["invalid"], ids=lambda v: v["why"])
def test_it_refuses_each_invalid_vector(vector):
    with pytest.raises(ValueError, match=vector["error"]):
        entry_hash(as_stored(vector["fields"]))


@pytest.mark.django_db
def test_it_verifies_the_vectors_after_a_round_trip_through_the_database():
    """Unicode, escapes and nested JSON must come back byte-identical (jsonb included)."""
    for pk in {v["fields"]["organisation_id"] for v in VECTORS["valid"]} - {None}:
        Organisation.objects.create(pk=pk, name=f"Org {pk}", slug=f"org-{pk}")
    AuditEntry.objects.bulk_create(
        AuditEntry(**as_stored(v["fields"]), hash=v["hash"]) for v in VECTORS["valid"])
    last = VECTORS["valid"][-1]
    AuditChainHead.objects.create(pk=HEAD_PK, last_seq=last["fields"]["seq"],
                                  last_hash=last["hash"])

    assert verify().entries == len(VECTORS["valid"])
