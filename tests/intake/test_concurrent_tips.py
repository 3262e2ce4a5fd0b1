"""The CI security job's load half (issue 12): public tips sent at once by many clients
to ``harborlight serve`` (real HTTP, a scratch database of the suite's kind) are all
accepted and all stored: zero lost, zero errors. Bounded: 240 tips from 24 threads.
"""

from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest

from installations import installed, post_tip, serving

pytestmark = [pytest.mark.security, pytest.mark.slow]

TIPS = 240
THREADS = 24


def test_it_stores_every_tip_sent_at_once(tmp_path):
    with installed(tmp_path) as env:
        env.update({"HARBORLIGHT_PUBLIC_TIPS_PER_MINUTE": "100000",
                    "HARBORLIGHT_PUBLIC_TIPS_PER_CLIENT_PER_MINUTE": "100000"})
        with serving(env, threads=8) as server:
            with ThreadPoolExecutor(THREADS) as pool:
                answers = list(pool.map(lambda n: post_tip(server, n), range(TIPS)))
            token = {"Authorization": f"Bearer {env['TOKEN']}"}
            references = [reference for status, reference in answers if status == 201]
            reads = Counter(server.get(f"/api/v1/tips/{reference}", **token).status
                            for reference in references)

    statuses = Counter(status for status, _ in answers)
    assert statuses == {201: TIPS}, f"answers: {dict(statuses)}"
    assert len(set(references)) == TIPS
    assert reads == {200: TIPS}, f"lost: {dict(reads)}"
