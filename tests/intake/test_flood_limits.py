"""Flood limits on the public pages: per client (told apart in memory only, by a keyed
digest of the address), with a higher site-wide ceiling; the follow-up blocks guessing
per reference and client, and only much later for the reference everywhere."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test import Client

from harborlight.intake import models as intake_models
from harborlight.intake.triage import create_tip

FLOODER = "203.0.113.50"
REPORTER = "198.51.100.20"
WRONG = "AAAA-BBBB-CCCC-DDDD"


def report(address: str):
    return Client(REMOTE_ADDR=address).post("/report/", {
        "narrative": "Workers sleep in the restaurant kitchen.", "lang": "en"})


def api_report(address: str):
    return Client(REMOTE_ADDR=address).post(
        "/api/v1/tips", json.dumps({"narrative": "They took her passport."}),
        content_type="application/json")


def follow_up(address: str, reference: str, passphrase: str):
    return Client(REMOTE_ADDR=address).post("/report/follow-up/", {
        "reference": reference, "passphrase": passphrase})


@pytest.fixture
def limits(settings):
    settings.HARBORLIGHT_PUBLIC_TIPS_PER_CLIENT_PER_MINUTE = 3
    settings.HARBORLIGHT_PUBLIC_TIPS_PER_MINUTE = 100
    return settings


@pytest.mark.parametrize("send", [report, api_report])
def test_it_refuses_a_flooding_client_and_keeps_taking_reports_from_others(cast, limits,
                                                                          send):
    assert [send(FLOODER).status_code for _ in range(5)] == [201] * 3 + [429] * 2
    assert send(REPORTER).status_code == 201


def test_it_keeps_a_site_wide_ceiling_above_the_per_client_limit(cast, limits):
    limits.HARBORLIGHT_PUBLIC_TIPS_PER_MINUTE = 4
    answers = [report(f"192.0.2.{number}").status_code for number in range(1, 7)]
    assert answers == [201] * 4 + [429] * 2


def test_it_does_not_count_a_refused_flood_against_everyone_else(cast, limits):
    limits.HARBORLIGHT_PUBLIC_TIPS_PER_MINUTE = 5
    for _ in range(20):
        report(FLOODER)
    assert [report(f"192.0.2.{number}").status_code for number in (1, 2)] == [201, 201]


@pytest.fixture
def reported(cast):
    return create_tip(cast.own, narrative="n", channel="web", public=True)


def test_it_blocks_follow_up_guessing_only_for_the_client_that_guessed(reported):
    tip, passphrase = reported
    for _ in range(intake_models.FOLLOWUP_CLIENT_FAILURES):
        assert follow_up(FLOODER, tip.reference, WRONG).status_code == 403
    assert follow_up(FLOODER, tip.reference, passphrase).status_code == 429
    assert follow_up(REPORTER, tip.reference, passphrase).status_code == 200


def test_it_blocks_a_reference_everywhere_only_after_many_clients_guess(reported,
                                                                       monkeypatch):
    monkeypatch.setattr(intake_models, "FOLLOWUP_MAX_FAILURES", 6)
    tip, passphrase = reported
    for number in range(6):
        follow_up(f"192.0.2.{number}", tip.reference, WRONG)
    assert follow_up(REPORTER, tip.reference, passphrase).status_code == 429


def test_it_keeps_no_address_of_reporters_or_guessers(reported, limits, caplog):
    tip, _ = reported
    for _ in range(5):
        report(FLOODER)
        follow_up(FLOODER, tip.reference, WRONG)
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            assert FLOODER not in repr(cursor.fetchall()), table
    assert FLOODER not in caplog.text
