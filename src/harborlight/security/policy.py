"""Who may do what: ``policy.toml`` read and checked, as data.

The policy names every action, says which are sensitive (their reads are audited), and
grants actions to roles. It is the one source of truth for roles: the account model's role
choices, every list of "users who may hold a case" and every access decision are derived
from it (:mod:`harborlight.security.permissions` decides; this module only reads).

Pure: no database, no request, so models, forms and commands may import it at load time.
"""

from __future__ import annotations

import functools
import tomllib
from dataclasses import dataclass
from importlib import resources
from typing import Any

POLICY_FILE = "policy.toml"


class PolicyError(Exception):
    """The policy file is malformed, or names an action that does not exist."""


@dataclass(frozen=True)
class Policy:
    version: int
    actions: dict[str, dict[str, Any]]
    roles: dict[str, frozenset[str]]
    role_labels: dict[str, str]

    def role_allows(self, role: str, action: str) -> bool:
        self.check_action(action)
        return action in self.roles.get(role, frozenset())

    def check_action(self, action: str) -> str:
        if action not in self.actions:
            raise PolicyError(f"unknown action {action!r}")
        return action

    def is_sensitive(self, action: str) -> bool:
        return bool(self.actions[self.check_action(action)].get("sensitive", False))

    def reads_survivor_records(self, role: str) -> bool:
        """Whether ``role`` holds an action marked ``survivor_records``: an account in it
        is activated, or given it, only with a supervisor's approval."""
        return any(self.actions[action].get("survivor_records", False)
                   for action in self.roles.get(role, frozenset()))

    def roles_allowed(self, action: str) -> tuple[str, ...]:
        """The roles granted ``action``, in the file's order ("who holds this")."""
        self.check_action(action)
        return tuple(role for role, granted in self.roles.items() if action in granted)


def parse_policy(text: str) -> Policy:
    """Parse and validate policy TOML; raise :class:`PolicyError` naming the problem."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PolicyError(f"policy is not valid TOML: {exc}") from None
    actions = raw.get("actions")
    roles = raw.get("roles")
    if not isinstance(raw.get("version"), int):
        raise PolicyError("policy needs an integer 'version'")
    if not isinstance(actions, dict) or not actions:
        raise PolicyError("policy needs an [actions] table")
    if not isinstance(roles, dict) or not roles:
        raise PolicyError("policy needs [roles.*] tables")
    for name, spec in actions.items():
        for flag in ("sensitive", "survivor_records"):
            if not isinstance(spec.get(flag, False), bool):
                raise PolicyError(f"action {name!r}: {flag} must be true or false")
    role_actions: dict[str, frozenset[str]] = {}
    for role, spec in roles.items():
        granted = spec.get("actions", [])
        unknown = sorted(set(granted) - set(actions))
        if unknown:
            raise PolicyError(f"role {role!r} names unknown actions: {', '.join(unknown)}")
        role_actions[role] = frozenset(granted)
    labels = {role: spec.get("label", role) for role, spec in roles.items()}
    return Policy(raw["version"], actions, role_actions, labels)


@functools.cache
def load_policy() -> Policy:
    text = resources.files("harborlight.security").joinpath(POLICY_FILE).read_text("utf-8")
    return parse_policy(text)


def role_allows(role: str, action: str) -> bool:
    """Whether the role is granted ``action`` (no record, organisation or restriction)."""
    return load_policy().role_allows(role, action)


def roles_allowed(action: str) -> tuple[str, ...]:
    return load_policy().roles_allowed(action)


def reads_survivor_records(role: str) -> bool:
    return load_policy().reads_survivor_records(role)
