"""Signal receivers that write the audit trail without the caller asking.

- Sign-in, sign-out and failed sign-in (Django's auth signals); lockouts and refused
  attempts are recorded by the lockout itself through :func:`record_attempt`.
  A failed sign-in stores the attempted username only when it names an account, plus that
  account's organisation; an unknown username is stored as a short keyed digest instead,
  because people type passwords into the username box and the trail can never be edited.
  Passwords, IP addresses and user agents are never stored.
- The backstop for plain saves: create, update and delete of models that declare
  ``audit_sensitive = True`` when no domain method performs them (a note added, a person
  edited through a form). The actor comes from
  :func:`~harborlight.security.audit.context.current_actor`. Updates list the names of
  the fields that changed (never their values), found by comparing with a snapshot taken
  when the instance was loaded. Inside :func:`~harborlight.security.audit.log.audited`
  these receivers stay quiet: the domain method there records its act itself, once.
  ``QuerySet.update()``, ``bulk_create()`` and raw SQL send no signals: code that writes
  sensitive records that way must record the act itself.
- The database side of an append-only trail (:mod:`.append_only`): each SQLite connection
  gets the function its triggers ask, and every ``migrate`` (re)installs the triggers.
"""

from __future__ import annotations

import copy
from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.backends.signals import connection_created
from django.db.models import Model
from django.db.models.signals import post_delete, post_init, post_migrate, post_save
from django.utils.crypto import salted_hmac

from harborlight.security.audit import append_only
from harborlight.security.audit.context import current_actor
from harborlight.security.audit.log import record, signals_muted
from harborlight.security.audit.versions import SNAPSHOT_ATTR

_UNKNOWN_USERNAME_SALT = "harborlight.audit.unknown-username"


def connect() -> None:
    """Connect every receiver (called once from ``AuditConfig.ready``)."""
    user_logged_in.connect(on_logged_in, dispatch_uid="audit.login")
    user_logged_out.connect(on_logged_out, dispatch_uid="audit.logout")
    user_login_failed.connect(on_login_failed, dispatch_uid="audit.login_failed")
    post_init.connect(on_post_init, dispatch_uid="audit.post_init")
    post_save.connect(on_post_save, dispatch_uid="audit.post_save")
    post_delete.connect(on_post_delete, dispatch_uid="audit.post_delete")
    connection_created.connect(append_only.register_sqlite_function,
                               dispatch_uid="audit.append_only.sqlite")
    post_migrate.connect(append_only.install_after_migrate,
                         sender=apps.get_app_config("audit"),
                         dispatch_uid="audit.append_only.install")


def on_logged_in(sender: Any, request: Any = None, user: Any = None, **kwargs: Any) -> None:
    record("login", actor=user)


def on_logged_out(sender: Any, request: Any = None, user: Any = None, **kwargs: Any) -> None:
    if user is not None and user.is_authenticated:
        record("logout", actor=user)


def on_login_failed(sender: Any, credentials: dict | None = None, request: Any = None,
                    **kwargs: Any) -> None:
    username_field = get_user_model().USERNAME_FIELD
    record_attempt("login_failed", (credentials or {}).get(username_field))


def record_attempt(action: str, username: Any, details: dict | None = None) -> None:
    """A failed or refused sign-in, or a lockout, naming the username only if it is an
    account's (with ``details``: names and flags, never an address)."""
    username = username if isinstance(username, str) else ""
    account = _account_named(username)
    if account is not None:
        record(action, obj=account, organisation=account.organisation_id,
               details={"attempted_username": account.get_username(), "username_known": True,
                        **(details or {})})
    else:
        record(action, details={"attempted_username_digest": unknown_username_digest(username),
                                "username_known": False, **(details or {})})


def unknown_username_digest(username: str) -> str:
    """A keyed digest that links repeated attempts with one unknown name, and hides it."""
    return salted_hmac(_UNKNOWN_USERNAME_SALT, username, algorithm="sha256").hexdigest()[:16]


def _account_named(username: str) -> Model | None:
    if not username or "\x00" in username:
        return None
    User = get_user_model()
    try:
        return User._default_manager.get_by_natural_key(username)
    except User.DoesNotExist:
        return None


def _is_sensitive(sender: Any) -> bool:
    return bool(getattr(sender, "audit_sensitive", False))


def _backstop(sender: Any) -> bool:
    """A plain save of a sensitive record, outside any act that records itself."""
    return _is_sensitive(sender) and not signals_muted()


def on_post_init(sender: Any, instance: Model, **kwargs: Any) -> None:
    if _is_sensitive(sender):
        _take_snapshot(instance)


def on_post_save(sender: Any, instance: Model, created: bool = False, raw: bool = False,
                 update_fields: Any = None, **kwargs: Any) -> None:
    if not _backstop(sender):
        if _is_sensitive(sender):
            _take_snapshot(instance)
        return
    details: dict[str, Any] = {"raw": True} if raw else {}
    if created:
        record("create", actor=current_actor(), obj=instance, details=details)
    else:
        details["changed_fields"] = _changed_fields(instance, update_fields)
        record("update", actor=current_actor(), obj=instance, details=details)
    _take_snapshot(instance)


def on_post_delete(sender: Any, instance: Model, **kwargs: Any) -> None:
    if _backstop(sender):
        record("delete", actor=current_actor(), obj=instance)


def _take_snapshot(instance: Model) -> None:
    loaded = instance.__dict__
    setattr(instance, SNAPSHOT_ATTR, {
        field.attname: _frozen(loaded[field.attname])
        for field in instance._meta.concrete_fields if field.attname in loaded
    })


def _frozen(value: Any) -> Any:
    # Mutable values (JSON fields) are copied so in-place edits show up as changes.
    return copy.deepcopy(value) if isinstance(value, (dict, list, set)) else value


def _changed_fields(instance: Model, update_fields: Any) -> list[str]:
    """Names (never values) of the concrete fields that differ from the last snapshot."""
    snapshot = getattr(instance, SNAPSHOT_ATTR, {})
    loaded = instance.__dict__
    wanted = set(update_fields) if update_fields else None
    changed = []
    for field in instance._meta.concrete_fields:
        if wanted is not None and field.name not in wanted and field.attname not in wanted:
            continue
        if field.attname not in loaded:
            continue
        if field.attname not in snapshot or snapshot[field.attname] != loaded[field.attname]:
            changed.append(field.name)
    return sorted(changed)
