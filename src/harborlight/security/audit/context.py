"""Who is acting right now, for audit entries written by model signals.

Model ``post_save``/``post_delete`` receivers have no request, so the actor travels in a
context variable: :class:`~harborlight.security.audit.middleware.ActorMiddleware` sets it
for each web request (resolving ``request.user`` lazily, so a sign-in or sign-out during
the request is seen), and commands or background jobs wrap their work in
``with acting_as(user): ...``. Outside both, the actor is ``None`` (system).
"""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, Callable, Iterator

ActorSource = Callable[[], Any]

_actor_source: ContextVar[ActorSource | None] = ContextVar("harborlight_audit_actor",
                                                           default=None)


@contextmanager
def acting_as(user: Any) -> Iterator[None]:
    """Attribute audit entries written inside the block to ``user`` (or None: system)."""
    with acting_through(lambda: user):
        yield


@contextmanager
def acting_through(source: ActorSource) -> Iterator[None]:
    """Like :func:`acting_as`, but ask ``source()`` for the actor each time it is needed."""
    token = _actor_source.set(source)
    try:
        yield
    finally:
        _actor_source.reset(token)


def current_actor() -> Any:
    """The signed-in user acting now, or ``None`` for anonymous, public or system work."""
    source = _actor_source.get()
    if source is None:
        return None
    user = source()
    return user if getattr(user, "is_authenticated", False) else None
