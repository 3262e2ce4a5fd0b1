"""Versions of records, kept beside the audit trail: what a record held after each act.

A model takes part by declaring ``keeps_versions = True`` (cases, people, safety plans,
consents). Then every audited ``create`` or ``update`` of one of its rows, whoever
performs it (a domain method inside :func:`~.log.audited`, or the backstop for a plain
form save), also stores an encrypted copy of the row: :func:`~.log.record` calls
:func:`keep` with the act's entry, so the version names who acted, when and which act,
and there is one place that writes versions. A version holds the row's own fields:
not its primary key, its organisation or case, its blind indexes (derived) or its
automatic timestamps. Relations are kept as ids.

Reading versions, showing them in words and restoring them is the cases app's work
(:mod:`harborlight.cases.history`); :func:`forget` is for erasure. Versions of a row
deleted through the ORM go with it (each model has a ``GenericRelation`` to them).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Max

from harborlight.security.audit.models import AuditEntry, RecordVersion
from harborlight.security.fields import BlindIndexField

VERSIONED_ACTIONS = frozenset({"create", "update"})
# Where the audit backstop keeps a sensitive row's values as loaded (signals.py).
SNAPSHOT_ATTR = "_audit_snapshot"
# Where a record sits, never what it holds: not kept, never restored.
PLACEMENT = frozenset({"organisation", "case", "tip"})


def keeps_versions(obj: Any) -> bool:
    return bool(getattr(obj, "keeps_versions", False)) and getattr(obj, "pk", None) is not None


def kept_fields(model: type[models.Model]) -> list[models.Field]:
    """The fields a version of ``model`` holds, in the model's order."""
    return [field for field in model._meta.concrete_fields
            if not field.primary_key and field.name not in PLACEMENT
            and not isinstance(field, BlindIndexField)
            and not getattr(field, "auto_now", False)
            and not getattr(field, "auto_now_add", False)]


def snapshot(obj: models.Model) -> dict[str, Any]:
    """The row's kept fields as JSON values (relations as ids, dates as ISO text)."""
    values = {}
    for field in kept_fields(type(obj)):
        value = getattr(obj, field.attname)
        if isinstance(value, (datetime.date, datetime.datetime)):
            value = value.isoformat()
        values[field.name] = value
    return values


def keep(obj: models.Model, entry: AuditEntry) -> RecordVersion:
    """Store the next version of ``obj`` for the act recorded as ``entry``.

    The first update of a row that has no version yet (it was imported in bulk, or stored
    before versions were kept) first keeps the row as it was loaded, when the audit
    backstop's snapshot still holds it (a plain form save): a baseline (``change``
    "baseline", no actor), so that the change shows what it replaced.
    """
    content_type = ContentType.objects.get_for_model(obj, for_concrete_model=True)
    latest = (RecordVersion.objects.filter(content_type=content_type, object_id=obj.pk)
              .aggregate(n=Max("number"))["n"]) or 0
    values = snapshot(obj)
    common = {"content_type": content_type, "object_id": obj.pk, "entry_seq": entry.seq,
              "organisation_id": obj.organisation_id, "created_at": entry.created_at}
    if latest == 0 and entry.action == "update":
        before = _as_loaded(obj)
        if before is not None and before != values:
            latest = RecordVersion.objects.create(
                **common, number=1, action=entry.action, change="baseline",
                values=before).number
    change = entry.details.get("change", "") if isinstance(entry.details, dict) else ""
    return RecordVersion.objects.create(
        **common, number=latest + 1, actor_id=entry.actor_id,
        actor_username=entry.actor_username, action=entry.action,
        change=str(change)[:40], values=values)


def _as_loaded(obj: models.Model) -> dict[str, Any] | None:
    """The row's kept fields as loaded (the audit snapshot taken at load), or None."""
    loaded = getattr(obj, SNAPSHOT_ATTR, None)
    fields = kept_fields(type(obj))
    if not loaded or any(f.attname not in loaded for f in fields):
        return None
    values = {}
    for field in fields:
        value = loaded[field.attname]
        if isinstance(value, (datetime.date, datetime.datetime)):
            value = value.isoformat()
        values[field.name] = value
    return values


def versions_of(obj: models.Model):
    """The versions of ``obj``, oldest first."""
    content_type = ContentType.objects.get_for_model(obj, for_concrete_model=True)
    return RecordVersion.objects.filter(content_type=content_type, object_id=obj.pk) \
        .order_by("number")


def forget(model: type[models.Model], pks) -> int:
    """Delete every version of the rows ``pks`` of ``model``; return how many."""
    content_type = ContentType.objects.get_for_model(model, for_concrete_model=True)
    count, _ = RecordVersion.objects.filter(content_type=content_type,
                                            object_id__in=list(pks)).delete()
    return count
