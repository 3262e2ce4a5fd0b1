"""Key rotation while the server runs: ``harborlight serve`` answers real HTTP, tips keep
arriving, ``harborlight keys rotate --retire-old`` runs in another process.

Nothing may fail: every tip is accepted, every tip reads back through the running server
after the rotation, nothing is left under the retired key, and ``check`` passes. Runs on
SQLite, and on a scratch PostgreSQL database when the suite runs on PostgreSQL.
"""

from __future__ import annotations

import json
import time
from collections import Counter

import pytest

from installations import TipSender, installed, ok, post_tip, run, serving

pytestmark = pytest.mark.slow


@pytest.fixture
def live(tmp_path):
    """A migrated installation with an organisation, its flood limits out of the way."""
    with installed(tmp_path) as env:
        yield {**env, "HARBORLIGHT_PUBLIC_TIPS_PER_MINUTE": "100000",
               "HARBORLIGHT_PUBLIC_TIPS_PER_CLIENT_PER_MINUTE": "100000"}


def test_it_rotates_and_retires_keys_while_the_server_takes_tips(live):
    with serving(live) as server:
        before = [post_tip(server, n) for n in range(5)]
        senders = [TipSender(server, 1000 * (k + 1)) for k in range(2)]
        for sender in senders:
            sender.start()
        time.sleep(0.5)
        rotation = run(live, "keys", "rotate", "--retire-old", timeout=300)
        time.sleep(0.5)
        during = [answer for sender in senders for answer in sender.stop()]
        after = [post_tip(server, 9000 + n) for n in range(3)]

        assert rotation.returncode == 0, rotation.stdout + rotation.stderr
        assert "Retired keys: k1." in rotation.stdout
        answers = before + during + after
        assert Counter(status for status, _ in answers) == {201: len(answers)}
        assert len(during) >= 2, "no tip arrived while the keys rotated"
        token = {"Authorization": f"Bearer {live['TOKEN']}"}
        reads = Counter(server.get(f"/api/v1/tips/{reference}", **token).status
                        for _, reference in answers)
        assert reads == {200: len(answers)}

    keys = ok(live, "keys", "check")
    assert "primary key k2" in keys and "k1" not in keys, keys
    assert ok(live, "check").startswith("OK")
