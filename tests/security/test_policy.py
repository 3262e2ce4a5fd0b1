"""policy.toml read as data: which roles read survivor records, and bad files refused."""

from __future__ import annotations

import pytest

from harborlight.accounts.models import Role
from harborlight.security.policy import PolicyError, load_policy, parse_policy

# Written out by hand: the roles whose accounts a supervisor must approve.
READERS = {Role.SUPERVISOR, Role.CASEWORKER, Role.HOTLINE_OPERATOR}


@pytest.mark.parametrize("role", Role.values)
def test_it_says_which_roles_read_survivor_records(role):
    assert load_policy().reads_survivor_records(role) == (role in READERS)


def test_it_refuses_a_flag_that_is_not_true_or_false():
    text = ('version = 1\n[actions]\n"case.view" = { survivor_records = "yes" }\n'
            '[roles.caseworker]\nactions = ["case.view"]\n')
    with pytest.raises(PolicyError, match="survivor_records must be true or false"):
        parse_policy(text)
