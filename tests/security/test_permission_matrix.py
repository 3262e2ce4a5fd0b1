"""The permission matrix: every role x every action x own or other organisation.

The expected table below is written out by hand, independently of policy.toml, so that a
permission change has to be made on purpose in both places. The URL walk at the end makes
sure every view declares its policy, and the HTTP matrix drives every view as every role.
"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from harborlight.accounts.models import Role
from harborlight.security.breakglass import break_glass
from harborlight.security.permissions import PUBLIC, Refusal, decide, load_policy

# Every signed-in person may see and revoke their own API tokens.
EVERYONE = {"dashboard.view", "account.tokens", "account.language"}
EXPECTED: dict[str, set[str]] = {
    Role.ADMINISTRATOR: EVERYONE | {"provider.view", "provider.manage", "user.manage",
                         "catalog.manage", "breakglass.review", "retention.purge"},
    Role.SUPERVISOR: EVERYONE | {"user.approve", "case.view", "case.create", "case.update",
                      "case.delete", "case.export", "case.assign", "case.hold",
                      "case.approve_closure", "case.restore",
                      "case.transfer", "tip.view", "tip.create", "tip.update", "tip.handoff",
                      "tip.field_submit", "referral.send", "referral.respond", "referral.view",
                      "provider.view", "insights.view", "insights.exact", "screening.run",
                      "lead.convert", "breakglass.use", "breakglass.review"},
    Role.CASEWORKER: EVERYONE | {"case.view", "case.create", "case.update",
                      "case.hold", "tip.view", "tip.field_submit", "referral.send",
                      "referral.respond", "referral.view", "provider.view"},
    Role.HOTLINE_OPERATOR: EVERYONE | {"tip.view", "tip.create", "tip.update",
                            "tip.handoff", "tip.field_submit", "case.create",
                            "provider.view"},
    Role.ANALYST: EVERYONE | {"insights.view", "share.export", "screening.run",
                   "lead.convert"},
    Role.AUDITOR: EVERYONE | {"audit.view", "breakglass.review"},
}
ALL_ACTIONS = sorted(load_policy().actions)
CASE_ACTIONS = [a for a in ALL_ACTIONS if a.startswith("case.")]
TIP_ACTIONS = [a for a in ALL_ACTIONS if a.startswith("tip.")]


def test_it_knows_every_role_the_product_has():
    assert set(load_policy().roles) == set(Role.values) == set(EXPECTED)


@pytest.mark.parametrize("role", Role.values)
@pytest.mark.parametrize("action", ALL_ACTIONS)
def test_it_grants_exactly_the_expected_actions(cast, role, action):
    decision = decide(cast.role(role), action)
    assert decision.allowed == (action in EXPECTED[role])
    if not decision.allowed:
        assert decision.status == 403 and decision.reason is Refusal.ROLE


@pytest.mark.parametrize("role", Role.values)
@pytest.mark.parametrize("action", CASE_ACTIONS)
def test_it_applies_the_role_to_own_organisation_cases(cast, role, action):
    assert decide(cast.role(role), action, cast.own_case).allowed == (action in EXPECTED[role])


@pytest.mark.parametrize("role", Role.values)
@pytest.mark.parametrize("action", TIP_ACTIONS)
def test_it_applies_the_role_to_own_organisation_tips(cast, role, action):
    assert decide(cast.role(role), action, cast.own_tip).allowed == (action in EXPECTED[role])


@pytest.mark.parametrize("role", Role.values)
@pytest.mark.parametrize("action", CASE_ACTIONS + TIP_ACTIONS)
def test_it_hides_other_organisations_records_from_every_role(cast, role, action):
    target = cast.other_tip if action.startswith("tip.") else cast.other_case
    decision = decide(cast.role(role), action, target)
    assert not decision.allowed and decision.reason is Refusal.OTHER_ORGANISATION
    assert decision.status == 404, "another organisation's record must not be confirmed"


def test_it_refuses_anonymous_and_inactive_users(cast):
    from django.contrib.auth.models import AnonymousUser

    assert not decide(AnonymousUser(), "dashboard.view").allowed
    supervisor = cast.role(Role.SUPERVISOR)
    supervisor.is_active = False
    assert not decide(supervisor, "case.view", cast.own_case).allowed


def test_it_opens_restricted_cases_only_to_the_assigned_caseworker(cast):
    restricted = cast.own_restricted_case
    assert decide(cast.role(Role.CASEWORKER), "case.view", restricted).allowed
    teammate = decide(cast.teammate, "case.view", restricted)
    assert not teammate.allowed and not teammate.break_glass_available
    supervisor = decide(cast.role(Role.SUPERVISOR), "case.view", restricted)
    assert not supervisor.allowed and supervisor.break_glass_available
    assert supervisor.reason is Refusal.RESTRICTED


def test_it_lets_a_supervisor_break_glass_with_a_reason(cast):
    supervisor = cast.role(Role.SUPERVISOR)
    break_glass(supervisor, cast.own_restricted_case, "Survivor called the crisis line now")
    decision = decide(supervisor, "case.view", cast.own_restricted_case)
    assert decision.allowed and decision.via_break_glass


def test_it_never_breaks_glass_across_organisations(cast):
    outsider = cast.outsiders[Role.SUPERVISOR]
    decision = decide(outsider, "case.view", cast.own_restricted_case)
    assert decision.status == 404 and not decision.break_glass_available


# -- every view declares its policy ------------------------------------------------

def _walk(resolver, prefix=""):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            namespace = entry.namespace or ""
            yield from _walk(entry, f"{prefix}{namespace}:" if namespace else prefix)
        elif isinstance(entry, URLPattern):
            yield f"{prefix}{entry.name}" if entry.name else None, entry


def _site_views():
    """(url name, pattern) for every HTML view; the API has its own check below."""
    return [(name, pattern) for name, pattern in _walk(get_resolver())
            if not (name or "").startswith("api:")]


def test_it_finds_a_policy_on_every_view():
    missing = [str(pattern.pattern) for _, pattern in _site_views()
               if not hasattr(pattern.callback, "harborlight_policy")]
    assert not missing, f"views without @requires/@public/@signed_in: {missing}"


# The one API operation open to anyone: the public tip form's JSON twin (issue 3).
PUBLIC_API_OPERATIONS = {("post", "/api/v1/tips")}


def test_it_requires_authentication_on_every_api_operation(client, db):
    schema = client.get("/api/v1/openapi.json").json()
    assert schema["paths"], "the API document lists no operations"
    for path, operations in schema["paths"].items():
        url = re.sub(r"{[^}]+}", "C-XXXX-XXXX", path)
        for method, operation in operations.items():
            if (method, path) in PUBLIC_API_OPERATIONS:
                assert "security" not in operation, f"{path} should be documented as public"
                continue
            assert operation.get("security"), f"{method.upper()} {path} declares no auth"
            response = getattr(client, method)(url, content_type="application/json")
            assert response.status_code == 401, f"{method.upper()} {path} answered " \
                                                f"{response.status_code} without credentials"


# Arguments for each view that takes them, own-organisation or other-organisation targets.
# Each test package may add its views in a ``matrix_targets.py`` with a function
# ``targets(cast, whose) -> {url name: kwargs}``; a view with arguments and no entry fails.
def _view_kwargs(cast, name: str, whose: str) -> dict:
    table: dict[str, dict] = {}
    for module_file in sorted(Path(__file__).resolve().parents[1].glob("*/matrix_targets.py")):
        spec = importlib.util.spec_from_file_location(f"matrix_{module_file.parent.name}",
                                                      module_file)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        table.update(module.targets(cast, whose))
    if name not in table:
        raise AssertionError(f"add {name} to a tests/<app>/matrix_targets.py")
    return table[name]


def _needs_kwargs(pattern) -> bool:
    return bool(pattern.pattern.regex.groupindex)


@pytest.mark.parametrize("role", Role.values)
def test_it_answers_every_view_as_the_policy_says(cast, signed_in_client, role):
    client = signed_in_client(cast.role(role))
    user = cast.role(role)
    for name, pattern in _site_views():
        policy = pattern.callback.harborlight_policy
        if policy in (PUBLIC, "signed-in") or name is None:
            continue
        kwargs = _view_kwargs(cast, name, "own") if _needs_kwargs(pattern) else {}
        if name == "security:break_glass":
            url = reverse(name) + f"?type=0&id={cast.own_restricted_case.pk}"
        else:
            url = reverse(name, kwargs=kwargs)
        status = client.get(url).status_code
        actions = getattr(pattern.callback, "harborlight_actions", (policy,))
        if all(decide(user, action).allowed for action in actions):
            assert status not in (401, 403), f"{role} refused {name} ({status})"
        else:
            assert status == 403, f"{role} got {status} from {name}, expected 403"


# Views that answer only POST (a GET is a 405 before any record is looked up).
POST_ONLY = ("add_note", "two_factor", "unlock", "role", "deactivate", "reactivate",
             "new_link", "revoke_token", "approve", "refuse")


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.CASEWORKER, Role.HOTLINE_OPERATOR,
                                  Role.ADMINISTRATOR])
def test_it_answers_404_for_other_organisations_objects(cast, signed_in_client, role):
    client = signed_in_client(cast.role(role))
    user = cast.role(role)
    for name, pattern in _site_views():
        if name is None or not _needs_kwargs(pattern) or name == "security:mark_reviewed" \
                or pattern.callback.harborlight_policy in (PUBLIC, "signed-in"):
            continue
        actions = getattr(pattern.callback, "harborlight_actions",
                          (pattern.callback.harborlight_policy,))
        other = _view_kwargs(cast, name, "other")
        if not all(decide(user, action).allowed for action in actions) \
                or other == _view_kwargs(cast, name, "own"):
            continue  # identical arguments: the URL names no organisation's record
        url = reverse(name, kwargs=other)
        response = client.post(url) if name.endswith(POST_ONLY) else client.get(url)
        assert response.status_code == 404, f"{role} got {response.status_code} from {url}"
