"""The CI security job's fuzzing half (issue 12): schemathesis generates requests for every
operation of the OpenAPI document, sent with a bearer token of every role, a bounded
number of examples each; no answer may be a 5xx.

Run alone with ``pytest -m security`` (``.ci/run`` does, on SQLite and PostgreSQL).
``HARBORLIGHT_FUZZ_EXAMPLES`` changes the examples per operation and mode (default 15;
each example is sent once per role).
"""

from __future__ import annotations

import itertools
import os

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from harborlight.accounts.models import Role
from harborlight.accounts.tokens import create_token

pytestmark = [pytest.mark.security, pytest.mark.django_db]

EXAMPLES = int(os.environ.get("HARBORLIGHT_FUZZ_EXAMPLES", "15"))
MODES = (schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE)


@pytest.fixture
def bearers(cast) -> dict[str, dict[str, str]]:
    """A token of every role (the cast's users, in an organisation with cases, tips and
    another organisation beside it)."""
    return {role: {"Authorization": f"Bearer {create_token(cast.role(role), label='fuzz')}"}
            for role in sorted(Role.values)}


@pytest.fixture
def connections_kept():
    """Requests here go through the WSGI app in this process, inside the test's
    transaction: like Django's test client, keep the connection open between them."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def test_no_operation_answers_5xx_to_any_role(bearers, monkeypatch, connections_kept):
    """Every operation, EXAMPLES generated requests each, schema-valid ones and invalid ones
    (negative mode: wrong types, out-of-range numbers, missing fields), each sent
    with every role's token. (The schemathesis pytest plugin does not run under pytest 9,
    so the operations are driven through its Python API with Hypothesis directly.)"""
    from harborlight.wsgi import application

    # The public flood limits out of the way: this is about answers, not throttling.
    monkeypatch.setenv("HARBORLIGHT_PUBLIC_TIPS_PER_MINUTE", str(10 ** 6))
    monkeypatch.setenv("HARBORLIGHT_PUBLIC_TIPS_PER_CLIENT_PER_MINUTE", str(10 ** 6))
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
    failures: list[str] = []
    calls = 0
    for each, mode in itertools.product(schema.get_all_operations(), MODES):
        operation = each.ok()

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        def check(case):
            nonlocal calls
            for role, headers in bearers.items():
                response = case.call(headers=headers)
                calls += 1
                if response.status_code >= 500:
                    failures.append(f"{case.method} {case.formatted_path} as {role}: "
                                    f"{response.status_code} {response.text[:200]}\n"
                                    f"  {case.as_curl_command()}")

        check()

    assert calls >= EXAMPLES, f"only {calls} requests were sent"
    assert not failures, f"{len(failures)} of {calls} requests answered 5xx:\n" + \
        "\n".join(failures[:20])
