"""Every access decision in Harborlight, in one place.

Views, API endpoints and commands never decide access on their own. They ask this module:

- :func:`decide` answers "may this user do this action (to this object)?" with a
  :class:`Decision` that carries the HTTP status a refusal should produce;
- :func:`scope` narrows a queryset to what a user may see, for list pages;
- :func:`get_object_for` fetches one object through the same rules, audits the read of a
  sensitive record, and raises ``Http404`` (another organisation's record, so its existence
  is not confirmed), ``PermissionDenied`` (the role may not) or :class:`BreakGlassRequired`;
- :func:`requires` and :func:`public` decorate views, and mark them so that a test can
  prove no view skipped this module.

Role permissions are data (``policy.toml``); the rules about organisations, restricted
records and break-glass are the code below. Objects take part by having an
``organisation_id``, and optionally ``restricted`` and ``is_assigned_to(user)``, and
``is_shared_with(organisation, action)`` for consented sharing between organisations.
"""

from __future__ import annotations

import functools
import tomllib
from dataclasses import dataclass
from datetime import datetime
from importlib import resources
from typing import Any, Callable, TypeVar

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Model, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse

POLICY_FILE = "policy.toml"
# Actions ending in one of these are audited under that verb; every other sensitive
# action (view, transfer, convert, ...) starts by reading the record.
WRITE_VERBS = {"create", "update", "delete", "export"}
PUBLIC = "public"


class PolicyError(Exception):
    """The policy file is malformed, or names an action that does not exist."""


class BreakGlassRequired(PermissionDenied):
    """A restricted record the user may open only through break-glass, with a reason."""

    def __init__(self, obj: Model):
        super().__init__("This record is restricted.")
        self.obj = obj


@dataclass(frozen=True)
class Decision:
    allowed: bool
    status: int
    reason: str
    via_break_glass: bool = False
    break_glass_available: bool = False

    def __bool__(self) -> bool:
        return self.allowed


@dataclass(frozen=True)
class Policy:
    version: int
    actions: dict[str, dict[str, Any]]
    roles: dict[str, frozenset[str]]
    role_labels: dict[str, str]

    def role_allows(self, role: str, action: str) -> bool:
        if action not in self.actions:
            raise PolicyError(f"unknown action {action!r}")
        return action in self.roles.get(role, frozenset())

    def is_sensitive(self, action: str) -> bool:
        return bool(self.actions[action].get("sensitive", False))


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


def _is_staff_user(user: Any) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active
                and getattr(user, "organisation_id", None))


def decide(user: Any, action: str, obj: Model | None = None,
           now: datetime | None = None) -> Decision:
    """Decide whether ``user`` may perform ``action``, on ``obj`` if given.

    The order matters and is the security argument: organisation first (so an outsider
    learns nothing, 404), then the role (403), then restriction and break-glass.
    """
    policy = load_policy()
    if not _is_staff_user(user):
        return Decision(False, 403, "not signed in")
    if obj is not None and not _same_or_shared(user, action, obj):
        return Decision(False, 404, "record of another organisation")
    if not policy.role_allows(user.role, action):
        return Decision(False, 403, f"role {user.role} may not {action}")
    if obj is not None and getattr(obj, "restricted", False) and not _is_assigned(user, obj):
        from harborlight.security.breakglass import active_grant

        can_break = policy.role_allows(user.role, "breakglass.use")
        if can_break and active_grant(user, obj, now=now) is not None:
            return Decision(True, 200, "break-glass grant", via_break_glass=True)
        return Decision(False, 403, "restricted record", break_glass_available=can_break)
    return Decision(True, 200, "allowed")


def can(user: Any, action: str, obj: Model | None = None) -> bool:
    return decide(user, action, obj).allowed


def _same_or_shared(user: Any, action: str, obj: Model) -> bool:
    if getattr(obj, "organisation_id", None) == user.organisation_id:
        return True
    is_shared_with = getattr(obj, "is_shared_with", None)
    return bool(is_shared_with and is_shared_with(user.organisation, action))


def _is_assigned(user: Any, obj: Model) -> bool:
    is_assigned_to = getattr(obj, "is_assigned_to", None)
    return bool(is_assigned_to and is_assigned_to(user))


def scope(user: Any, action: str, queryset: QuerySet) -> QuerySet:
    """Narrow ``queryset`` to the records ``user`` may ``action`` without break-glass.

    Restricted records outside the user's assignments are left out of lists; they stay
    reachable by reference through :func:`get_object_for`, which offers break-glass.
    """
    if not _is_staff_user(user) or not load_policy().role_allows(user.role, action):
        return queryset.none()
    own = Q(organisation_id=user.organisation_id)
    model = queryset.model
    shared_filter = getattr(model, "shared_with_filter", None)
    if shared_filter is not None:
        own |= shared_filter(user.organisation, action)
    queryset = queryset.filter(own)
    assigned_filter = getattr(model, "assigned_filter", None)
    if assigned_filter is not None and any(f.name == "restricted" for f in model._meta.fields):
        queryset = queryset.filter(Q(restricted=False) | assigned_filter(user))
    return queryset


def get_object_for(user: Any, action: str, queryset: QuerySet | type[Model],
                   reason: str = "", **lookup: Any) -> Model:
    """Fetch one object for ``action``, or raise what the refusal calls for.

    A successful read of a sensitive record is written to the audit trail, with the
    break-glass reason when that is how access was granted.
    """
    if isinstance(queryset, type):
        queryset = queryset._default_manager.all()
    try:
        obj = queryset.get(**lookup)
    except (queryset.model.DoesNotExist, ValueError):
        raise Http404("No such record.") from None
    decision = decide(user, action, obj)
    if not decision.allowed:
        if decision.status == 404:
            raise Http404("No such record.")
        if decision.break_glass_available:
            raise BreakGlassRequired(obj)
        raise PermissionDenied(decision.reason)
    if load_policy().is_sensitive(action):
        from harborlight.security.audit.log import record

        verb = action.rsplit(".", 1)[-1]
        verb = verb if verb in WRITE_VERBS else "read"
        record(verb, actor=user, obj=obj,
               reason=("break-glass" if decision.via_break_glass else reason),
               details={"action": action, "break_glass": decision.via_break_glass})
    return obj


ViewFunc = TypeVar("ViewFunc", bound=Callable[..., HttpResponse])


def requires(action: str) -> Callable[[ViewFunc], ViewFunc]:
    """Decorate a view: signed in, two-factor verified, and the role allows ``action``.

    Object-level checks happen inside the view through :func:`get_object_for`.
    """
    if action not in load_policy().actions:
        raise PolicyError(f"view requires unknown action {action!r}")

    def decorator(view: ViewFunc) -> ViewFunc:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not user.is_verified():
                from django.shortcuts import redirect

                return redirect("accounts:two_factor")
            if not decide(user, action).allowed:
                raise PermissionDenied(f"Your role may not {action}.")
            return view(request, *args, **kwargs)

        wrapper.harborlight_policy = action  # type: ignore[attr-defined]
        return wrapper  # type: ignore[return-value]

    return decorator


def requires_api(user: Any, action: str) -> None:
    """The API's counterpart of :func:`requires`: raise PermissionDenied unless allowed."""
    if not decide(user, action).allowed:
        raise PermissionDenied(f"Your role may not {action}.")


def public(view: ViewFunc) -> ViewFunc:
    """Mark a view as deliberately open to anyone (login page, public tip form)."""
    view.harborlight_policy = PUBLIC  # type: ignore[attr-defined]
    return view


def signed_in(view: ViewFunc) -> ViewFunc:
    """Mark a view that needs a password login but not yet two factors (enrolment)."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    wrapper.harborlight_policy = "signed-in"  # type: ignore[attr-defined]
    return wrapper  # type: ignore[return-value]
