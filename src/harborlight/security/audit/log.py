"""Append entries to the audit trail: ``record("read", actor=user, obj=case)``.

Every call adds one :class:`~harborlight.security.audit.models.AuditEntry`, chained to the
one before it (see :mod:`harborlight.security.audit.chain` for the hashed format). The
append joins the caller's transaction: if the audited action rolls back, so does its
entry, and an entry is never written for an action that did not happen.

Each act is recorded once, by the code that performs it, inside its transaction
(:func:`audited`); model signals are only the backstop for plain saves that no domain
method performs (:mod:`harborlight.security.audit.signals`).

What is stored, and what is not:

- the actor as a snapshot (id, username, role), so deleting a user never breaks the chain;
- the object as ``app_label.model``, its primary key and a non-identifying label (the
  model's ``audit_label`` if it has one, else "case #42"); never a person's name;
- ``details``: a small JSON object of names, ids and flags. Never put record values,
  passwords, IP addresses or user agents in it: the trail cannot be edited afterwards.
"""

from __future__ import annotations

import json
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime
from typing import Any, Iterator

from django.db import router, transaction
from django.db.models import Model
from django.utils import timezone

from harborlight.security.audit import versions
from harborlight.security.audit.chain import CURRENT_VERSION
from harborlight.security.audit.models import AuditAction, AuditEntry
from harborlight.security.audit.store import append

MAX_DETAILS_CHARS = 8000
_LABEL_MAX = 200
# How many audited() blocks are open in this thread or task (signals stay quiet while > 0).
_muted: ContextVar[int] = ContextVar("harborlight_audit_muted", default=0)


def record(action: str, *, actor=None, organisation=None, obj: Model | None = None,
           object_type: str = "", object_id: str = "", reason: str = "",
           details: dict | None = None, now: datetime | None = None) -> AuditEntry:
    """Append one entry to the audit trail and return it.

    Validates the action, the details and the object reference (``ValueError``), then
    chains the entry after the head (:func:`~.store.append`, in the caller's transaction).
    A ``create`` or ``update`` of a record that keeps versions also stores its encrypted
    version, naming this entry (:mod:`.versions`): the one place versions are written.
    """
    action = _checked_action(action)
    now = now or timezone.now()
    if timezone.is_naive(now):
        raise ValueError("record() needs a timezone-aware 'now'")
    actor = actor if getattr(actor, "is_authenticated", False) else None
    if obj is not None:
        object_type = object_type or f"{obj._meta.app_label}.{obj._meta.model_name}"
        object_id = object_id or ("" if obj.pk is None else str(obj.pk))
    fields = {
        "version": CURRENT_VERSION,
        "created_at": now,
        "actor_id": actor.pk if actor is not None else None,
        "actor_username": actor.get_username() if actor is not None else "",
        "actor_role": getattr(actor, "role", "") or "",
        "organisation_id": _organisation_id(organisation, actor, obj),
        "action": action,
        "object_type": _checked_text("object_type", object_type, 100),
        "object_id": _checked_text("object_id", str(object_id), 64),
        "object_label": object_label(obj) if obj is not None else "",
        "reason": _checked_text("reason", reason or "", None),
        "details": canonical_details(details),
    }
    using = router.db_for_write(AuditEntry)
    if obj is None or action not in versions.VERSIONED_ACTIONS \
            or not versions.keeps_versions(obj):
        return append(fields, using)
    with transaction.atomic(using=using):  # the entry and its version, or neither
        entry = append(fields, using)
        versions.keep(obj, entry)
    return entry


@contextmanager
def audited() -> Iterator[None]:
    """One act, audited by the code that performs it, in one transaction.

    Inside the block the caller's saves write no entries of their own (the signal
    receivers stay quiet, see :func:`signals_muted`), and the caller writes the one entry
    that says what happened with :func:`record`. The block is a transaction (joining the
    caller's): the act and its entry are kept or rolled back together::

        with audited():
            self.owner = to
            self.save(update_fields=["owner"])
            record("update", actor=by, obj=self, details={"change": "assign"})
    """
    token = _muted.set(_muted.get() + 1)
    try:
        with transaction.atomic():
            yield
    finally:
        _muted.reset(token)


def signals_muted() -> bool:
    """True inside :func:`audited`: the act there is recorded once, by its own code."""
    return _muted.get() > 0


def object_label(obj: Model) -> str:
    """A label that identifies the record to staff without naming anyone in it.

    Models may define ``audit_label`` (a reference such as "CASE-2026-0042"); it must
    never contain a person's name. Otherwise the label is "<model name> #<pk>".
    """
    label = getattr(obj, "audit_label", None)
    if callable(label):
        label = label()
    if not label:
        label = f"{obj._meta.verbose_name} #{obj.pk}"
    return _checked_text("object_label", str(label)[:_LABEL_MAX], None)


def canonical_details(details: dict | None) -> dict:
    """Check that ``details`` is a small JSON object that hashes the same after storage.

    Floats are refused because PostgreSQL's ``jsonb`` may print them differently from
    Python, which would make an intact entry fail verification; store them as strings.
    """
    if details is None:
        return {}
    if not isinstance(details, dict):
        raise ValueError("audit details must be a dict")
    _check_json_value(details, "details")
    text = json.dumps(details, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    if len(text) > MAX_DETAILS_CHARS:
        raise ValueError(f"audit details are {len(text)} characters; the limit is "
                         f"{MAX_DETAILS_CHARS}")
    return json.loads(text)


def _check_json_value(value: Any, path: str) -> None:
    if value is None or isinstance(value, (bool, int)):
        return
    if isinstance(value, str):
        _checked_text(path, value, None)
        return
    if isinstance(value, float):
        raise ValueError(f"audit {path} is a float; store it as a string")
    if isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            _check_json_value(item, f"{path}[{index}]")
        return
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise ValueError(f"audit {path} has a non-string key {key!r}")
            _checked_text(f"{path} key", key, None)
            _check_json_value(item, f"{path}.{key}")
        return
    raise ValueError(f"audit {path} holds a {type(value).__name__}; use str, int, bool, "
                     "None, list or dict")


def _checked_action(action: str) -> str:
    if action not in AuditAction.values:
        raise ValueError(f"unknown audit action {action!r}; known actions: "
                         f"{', '.join(AuditAction.values)}")
    return action


def _checked_text(name: str, value: str, max_length: int | None) -> str:
    if not isinstance(value, str):
        raise ValueError(f"audit {name} must be text, not {type(value).__name__}")
    if "\x00" in value:
        raise ValueError(f"audit {name} contains a NUL character")
    if max_length is not None and len(value) > max_length:
        raise ValueError(f"audit {name} is longer than {max_length} characters")
    return value


def _organisation_id(organisation, actor, obj) -> int | None:
    if organisation is not None:
        return organisation if isinstance(organisation, int) else organisation.pk
    if actor is not None and getattr(actor, "organisation_id", None) is not None:
        return actor.organisation_id
    if obj is None:
        return None
    if obj._meta.label == "accounts.Organisation":
        return obj.pk
    return getattr(obj, "organisation_id", None)
