"""Encrypting tips' triage reasons keeps every reason, on SQLite and PostgreSQL.

A reason's evidence quotes the narrative's words, so a database made before the change
held them in clear. This walks the real migrations back to before it, writes a tip the old
way, and forwards again: the reasons read back the same and the clear words are gone.
"""

from __future__ import annotations

import pytest
from django.db import connection

from tests_support import migrate_to

BEFORE = [("intake", "0004_tip_channel_field")]
REASONS = [{"rule": "minor_now", "level": "emergency",
            "evidence": [{"text": "Wendelborough farm", "start": 4, "end": 22}]}]


@pytest.mark.django_db(transaction=True)
def test_it_encrypts_the_reasons_of_tips_written_before_and_keeps_them():
    try:
        apps = migrate_to(BEFORE)
        organisation = apps.get_model("accounts", "Organisation").objects.create(
            name="Before", slug="before")
        tip = apps.get_model("intake", "Tip").objects.create(
            organisation=organisation, reference="T-BEFO-0001", channel="call",
            narrative="the Wendelborough farm", triage_reasons=REASONS)
        empty = apps.get_model("intake", "Tip").objects.create(
            organisation=organisation, reference="T-BEFO-0002", channel="call",
            narrative="nothing yet")
        with connection.cursor() as cursor:
            cursor.execute("SELECT triage_reasons FROM intake_tip")
            assert "Wendelborough" in repr(cursor.fetchall())  # in clear before

        apps = migrate_to(None)
        Tip = apps.get_model("intake", "Tip")
        assert Tip.objects.get(pk=tip.pk).triage_reasons == REASONS
        assert Tip.objects.get(pk=empty.pk).triage_reasons == []
        with connection.cursor() as cursor:
            cursor.execute("SELECT * FROM intake_tip")
            assert "Wendelborough" not in repr(cursor.fetchall())  # nowhere in clear
    finally:
        migrate_to(None)
