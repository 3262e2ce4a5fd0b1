"""The anonymous follow-up page: reference + passphrase, replies visible, notes never."""

from __future__ import annotations

import pytest
from django.test import Client

from harborlight.intake import models as intake_models
from harborlight.intake.models import Tip
from harborlight.intake.triage import create_tip
from tests_support import assert_audited

FOLLOW_UP = "/report/follow-up/"


@pytest.fixture
def reported(cast):
    tip, passphrase = create_tip(
        cast.own, narrative="Workers sleep in the restaurant kitchen.", channel="web",
        public=True)
    return tip, passphrase


def _open(client, reference, passphrase):
    return client.post(FOLLOW_UP, {"reference": reference, "passphrase": passphrase})


def test_it_opens_with_reference_and_passphrase_and_shows_replies_not_notes(reported, cast):
    tip, passphrase = reported
    operator = cast.role("hotline_operator")
    tip.add_note(operator, "INTERNAL: caller sounded like the neighbour from last week")
    tip.reply_to_reporter(operator, "Thank you, we are looking into this.")
    response = _open(Client(), tip.reference, passphrase.lower().replace("-", " "))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Thank you, we are looking into this." in body
    assert "INTERNAL" not in body and "neighbour" not in body


def test_it_adds_information_from_the_reporter(reported):
    tip, passphrase = reported
    client = Client()
    token = _open(client, tip.reference, passphrase).context["form"].initial["token"]
    response = client.post(FOLLOW_UP, {"token": token, "message": "There are also two kids."})
    assert response.status_code == 200
    assert "There are also two kids." in response.content.decode()
    message = tip.messages.get()
    assert message.direction == "from_reporter" and message.author is None
    [entry] = assert_audited("create", message)
    assert entry.actor_id is None and entry.organisation_id == tip.organisation_id


def test_it_refuses_a_forged_token(reported):
    tip, _ = reported
    response = Client().post(FOLLOW_UP, {"token": f"{tip.pk}:forged", "message": "hello"})
    assert response.status_code == 403
    assert not tip.messages.exists()


def test_it_refuses_an_empty_message_and_stores_nothing(reported):
    tip, passphrase = reported
    client = Client()
    token = _open(client, tip.reference, passphrase).context["form"].initial["token"]
    response = client.post(FOLLOW_UP, {"token": token, "message": "  "})
    assert response.status_code == 400
    assert not tip.messages.exists()


def test_it_answers_wrong_passphrase_and_unknown_reference_alike(reported):
    tip, _ = reported
    wrong = _open(Client(), tip.reference, "AAAA-BBBB-CCCC-DDDD")
    unknown = _open(Client(), "T-ZZZZ-ZZZZ", "AAAA-BBBB-CCCC-DDDD")
    assert wrong.status_code == unknown.status_code == 403
    assert wrong.context["problem"] == unknown.context["problem"]
    assert "do not match" in wrong.context["problem"]


def test_it_throttles_wrong_passphrases_per_tip_even_for_the_right_one(reported,
                                                                        monkeypatch):
    """From many clients (one client is blocked far sooner: test_flood_limits.py)."""
    monkeypatch.setattr(intake_models, "FOLLOWUP_MAX_FAILURES", 4)
    tip, passphrase = reported
    for number in range(4):
        guesser = Client(REMOTE_ADDR=f"192.0.2.{number}")
        assert _open(guesser, tip.reference, "AAAA-BBBB-CCCC-DDDD").status_code == 403
    blocked = _open(Client(), tip.reference, passphrase)
    assert blocked.status_code == 429
    assert "Too many wrong attempts" in blocked.context["problem"]
    tip.refresh_from_db()
    assert tip.followup_blocked_until is not None


def test_it_lets_the_right_passphrase_in_again_after_the_block(reported):
    from datetime import timedelta

    from django.utils import timezone

    tip, passphrase = reported
    Tip.objects.filter(pk=tip.pk).update(
        followup_blocked_until=timezone.now() - timedelta(seconds=1))
    assert _open(Client(), tip.reference, passphrase).status_code == 200


def test_it_does_not_open_tips_logged_by_staff(cast):
    assert _open(Client(), cast.own_tip.reference, "").status_code in (400, 403)
