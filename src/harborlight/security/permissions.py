"""Every access decision in Harborlight, in one place: one family of calls.

Views, API endpoints and commands never decide access on their own. They ask this module:

- :func:`requires` decorates a page with the action it performs, named once: signed in,
  two factors, the role allows it. :func:`public` and :func:`signed_in` mark the few
  pages that need less; a test walks every URL and fails on a view with no marker;
- :func:`fetch` fetches one record *and* authorises the action on it in one call (the
  page's action, or the one an API endpoint names): another organisation's record is a
  404 (its existence is not confirmed), a role that may not is a 403, a restricted record
  outside one's assignments raises :class:`BreakGlassRequired`. A page or response that
  shows a sensitive record is written to the audit trail as one ``read``;
- :func:`listing` and :func:`scope` narrow a queryset to what a user may see, for lists;
- :func:`decide` answers "may this user do this action (to this record)?" with a
  :class:`Decision` that carries its reason as a :class:`Refusal`, so pages and the API
  branch on the reason without deciding again; :func:`can` is its yes or no.

Role grants are data (:mod:`harborlight.security.policy`); the rules about organisations,
restricted records and break-glass are the code below. Records take part through
attributes and hooks on their model, all optional but ``organisation_id``:

``organisation_id``
    the organisation that owns the record;
``is_shared_with(organisation, action)`` and ``shared_with_filter(organisation, action)``
    consented sharing with another organisation (a referral's receiver), for one record
    and as a ``Q`` for lists;
``restricted``, ``is_assigned_to(user)`` and ``restricted_filter(user)``
    a restricted record opens only to the people assigned to it; ``restricted_filter`` is
    the ``Q`` of the rows a user sees in lists (unrestricted, or assigned). A model with
    ``restricted`` must say how lists filter it, or :func:`scope` refuses to guess;
``allows(user, action)``
    a rule of the record itself beyond organisation, role and restriction (only the
    receiving organisation answers a referral; nobody reviews their own break-glass).
"""

from __future__ import annotations

import enum
import functools
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Callable, TypeVar

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Model, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect

from harborlight.security.audit.log import record
from harborlight.security.models import BreakGlassGrant
from harborlight.security.policy import PolicyError, load_policy

PUBLIC = "public"
SIGNED_IN = "signed-in"
READ_METHODS = frozenset({"GET", "HEAD"})
_ACTION_ATTRIBUTE = "harborlight_action"


class Refusal(enum.Enum):
    """Why an action is refused, with the HTTP status the refusal produces."""

    NOT_SIGNED_IN = ("Sign in first.", 403)
    OTHER_ORGANISATION = ("No such record.", 404)
    ROLE = ("Your role does not allow this.", 403)
    RESTRICTED = ("This record is restricted.", 403)
    RECORD_RULE = ("This record does not allow it.", 403)

    def __init__(self, message: str, status: int):
        self.message = message
        self.status = status


@dataclass(frozen=True)
class Decision:
    """An answer from :func:`decide`: allowed, or refused with a :class:`Refusal`."""

    allowed: bool
    reason: Refusal | None = None
    via_break_glass: bool = False
    break_glass_available: bool = False
    action: str = ""

    def __bool__(self) -> bool:
        return self.allowed

    @property
    def status(self) -> int:
        return 200 if self.allowed else self.reason.status

    def refusal_for(self, obj: Model | None = None) -> Exception:
        """The exception a page or endpoint raises for this refusal."""
        if self.reason is Refusal.OTHER_ORGANISATION:
            return Http404(Refusal.OTHER_ORGANISATION.message)
        if self.break_glass_available and obj is not None:
            return BreakGlassRequired(obj)
        if self.reason is Refusal.ROLE and self.action:
            return PermissionDenied(f"Your role may not {self.action}.")
        return PermissionDenied(self.reason.message)


class BreakGlassRequired(PermissionDenied):
    """A restricted record the user may open only through break-glass, with a reason."""

    def __init__(self, obj: Model):
        super().__init__(Refusal.RESTRICTED.message)
        self.obj = obj


ALLOWED = Decision(True)


def _is_staff_user(user: Any) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active
                and getattr(user, "organisation_id", None))


def decide(user: Any, action: str, obj: Model | None = None,
           now: datetime | None = None) -> Decision:
    """Decide whether ``user`` may perform ``action``, on ``obj`` if given.

    The order matters and is the security argument: organisation first (so an outsider
    learns nothing, 404), then the role (403), then the record's own rule, then
    restriction and break-glass.
    """
    policy = load_policy()
    policy.check_action(action)
    if not _is_staff_user(user):
        return Decision(False, Refusal.NOT_SIGNED_IN)
    if obj is not None and not _same_or_shared(user, action, obj):
        return Decision(False, Refusal.OTHER_ORGANISATION)
    if not policy.role_allows(user.role, action):
        return Decision(False, Refusal.ROLE, action=action)
    if obj is None:
        return ALLOWED
    allows = getattr(obj, "allows", None)
    if allows is not None and not allows(user, action):
        return Decision(False, Refusal.RECORD_RULE)
    if getattr(obj, "restricted", False) and not _is_assigned(user, obj):
        can_break = policy.role_allows(user.role, "breakglass.use")
        if can_break and BreakGlassGrant.objects.active_for(user, obj, now) is not None:
            return Decision(True, via_break_glass=True)
        return Decision(False, Refusal.RESTRICTED, break_glass_available=can_break)
    return ALLOWED


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
    reachable by reference through :func:`fetch`, which offers break-glass.
    """
    if not _is_staff_user(user) or not load_policy().role_allows(user.role, action):
        return queryset.none()
    model = queryset.model
    own = Q(organisation_id=user.organisation_id)
    shared_filter = getattr(model, "shared_with_filter", None)
    if shared_filter is not None:
        own |= shared_filter(user.organisation, action)
    queryset = queryset.filter(own)
    restricted_filter = getattr(model, "restricted_filter", None)
    if restricted_filter is not None:
        return queryset.filter(restricted_filter(user))
    if hasattr(model, "restricted"):
        raise PolicyError(f"{model._meta.label} has restricted records but no "
                          "restricted_filter(user) to list them by")
    return queryset


def listing(request: HttpRequest, action: str, queryset: QuerySet) -> QuerySet:
    """An API list: the caller's role must allow ``action`` (else 403), then :func:`scope`."""
    authorise(request, action)
    return scope(request.user, action, queryset)


def authorise(request: HttpRequest, action: str) -> None:
    """Raise ``PermissionDenied`` unless the caller's role allows ``action`` at all."""
    decision = decide(request.user, action)
    if not decision.allowed:
        raise decision.refusal_for()


def fetch(request: HttpRequest, queryset: QuerySet | type[Model], *, action: str = "",
          shows_record: bool = False, **lookup: Any) -> Model:
    """Fetch one record for the request's action and authorise it, or raise the refusal.

    The action is the one the page's :func:`requires` named, or ``action`` for an API
    endpoint (which has no decorator). A missing record and another organisation's
    record both raise ``Http404``.

    One ``read`` entry is written to the audit trail when this request shows a sensitive
    record: a GET of a ``*.view`` action, or of a page that says it shows the record
    (``shows_record``, an edit form filled with its values). A blank form and a POST
    write nothing here: the act a POST performs is recorded by the code that performs
    it. Access through a break-glass grant is always recorded, with the reason.
    """
    action = action or getattr(request, _ACTION_ATTRIBUTE, "")
    if not action:
        raise PolicyError("fetch() needs a view decorated with @requires, or an action")
    if isinstance(queryset, type):
        queryset = queryset._default_manager.all()
    try:
        obj = queryset.get(**lookup)
    except (queryset.model.DoesNotExist, ValueError, ValidationError):
        raise Http404(Refusal.OTHER_ORGANISATION.message) from None
    decision = decide(request.user, action, obj)
    if not decision.allowed:
        raise decision.refusal_for(obj)
    if _shows_sensitive_record(request, action, shows_record) or decision.via_break_glass:
        record("read", actor=request.user, obj=obj,
               reason="break-glass" if decision.via_break_glass else "",
               details={"action": action, "break_glass": decision.via_break_glass})
    return obj


def _shows_sensitive_record(request: HttpRequest, action: str, shows_record: bool) -> bool:
    if request.method not in READ_METHODS or not load_policy().is_sensitive(action):
        return False
    return shows_record or action.endswith(".view")


ViewFunc = TypeVar("ViewFunc", bound=Callable[..., HttpResponse])


def requires(action: str, *also: str) -> Callable[[ViewFunc], ViewFunc]:
    """Decorate a page: signed in, two factors, and the role allows ``action`` (and
    ``also``, for a page that does two things, such as opening a case from a tip).

    ``action`` is the page's one statement of what it does: :func:`fetch` uses it, and the
    URL walk in the tests reads it from ``harborlight_policy``.
    """
    actions = (action, *also)
    for name in actions:
        load_policy().check_action(name)

    def decorator(view: ViewFunc) -> ViewFunc:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not user.is_verified():
                return redirect("accounts:two_factor")
            for name in actions:
                authorise(request, name)
            setattr(request, _ACTION_ATTRIBUTE, action)
            return view(request, *args, **kwargs)

        wrapper.harborlight_policy = action  # type: ignore[attr-defined]
        wrapper.harborlight_actions = actions  # type: ignore[attr-defined]
        return wrapper  # type: ignore[return-value]

    return decorator


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

    wrapper.harborlight_policy = SIGNED_IN  # type: ignore[attr-defined]
    return wrapper  # type: ignore[return-value]
