"""The retention policy (``cases/data/retention.json``) and the purge that applies it.

Each rule names a record type, the date field that starts its clock and a number of days.
:func:`purge` deletes what is past its time, rule by rule, and reports per model what was
removed (cascades included); ``dry_run`` reports without deleting. Each rule that removed
something appends one ``delete`` entry to the audit trail with the counts.
"""

from __future__ import annotations

import datetime
import functools
from dataclasses import dataclass
from importlib import resources

from django.apps import apps
from django.contrib.admin.utils import NestedObjects
from django.db import router
from django.utils import timezone

from harborlight.security.audit.log import audited, record
from harborlight.vocab.loader import VocabularyError, check_entry, parse_document


@dataclass(frozen=True)
class Rule:
    record: str
    after: str
    days: int
    what: str

    def due(self, now: datetime.datetime):
        model = apps.get_model(self.record)
        cutoff = now - datetime.timedelta(days=self.days)
        return model._default_manager.filter(**{f"{self.after}__isnull": False,
                                                f"{self.after}__lt": cutoff})


def parse_rules(text: str) -> list[Rule]:
    body = parse_document(text, "retention.json", "harborlight-retention", "rules")
    rules = []
    for number, entry in enumerate(body):
        check_entry(entry, {"record": str, "after": str, "days": int, "what": str},
                    f"retention rule {number}")
        try:
            model = apps.get_model(entry["record"])
            model._meta.get_field(entry["after"])
        except (LookupError, ValueError, Exception) as exc:  # FieldDoesNotExist, LookupError
            raise VocabularyError(f"retention rule {number}: {exc}") from None
        if entry["days"] < 1:
            raise VocabularyError(f"retention rule {number}: days must be positive")
        rules.append(Rule(**entry))
    return rules


@functools.cache
def retention_rules() -> tuple[Rule, ...]:
    text = resources.files("harborlight.cases").joinpath("data/retention.json").read_text(
        "utf-8")
    return tuple(parse_rules(text))


def _would_delete(queryset) -> dict[str, int]:
    collector = NestedObjects(using=router.db_for_write(queryset.model))
    collector.collect(list(queryset))
    counts: dict[str, int] = {}
    for model, objects in collector.data.items():
        counts[model._meta.label] = counts.get(model._meta.label, 0) + len(objects)
    return counts


def purge(now: datetime.datetime | None = None, dry_run: bool = False, by=None,
          rules: tuple[Rule, ...] | None = None) -> list[tuple[Rule, dict[str, int]]]:
    """Apply the retention rules; return (rule, {model label: rows removed}) per rule."""
    now = now or timezone.now()
    report = []
    for rule in rules or retention_rules():
        queryset = rule.due(now)
        if dry_run:
            report.append((rule, _would_delete(queryset)))
            continue
        with audited():  # one entry per rule, not one per row deleted
            _, counts = queryset.delete()
            counts = {label: n for label, n in counts.items() if n}
            if counts:
                record("delete", actor=by, object_type=rule.record,
                       reason=f"retention: {rule.what}",
                       details={"retention": True, "days": rule.days, "removed": counts})
        report.append((rule, counts))
    return report
