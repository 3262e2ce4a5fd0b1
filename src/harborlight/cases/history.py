"""A record's history: its versions in words, what each act changed, and restore.

Versions are written in one place, beside the audit trail
(:mod:`harborlight.security.audit.versions`): every audited change of a case, a person,
a safety plan or a consent stores an encrypted copy of the record. This module reads
them for the history page (values decrypted in memory, only after the page's ``fetch()``
allowed the reader to open the record) and restores them:

- :func:`history` lists the versions, newest first, each with the fields it changed from
  the version before, labels and values in words (the vocab's words for HTCDS fields and
  codes, the organisation's own values in its words, people by username);
- :func:`restore` puts one field, or every restorable field, of an earlier version back:
  one act, audited once as an ``update`` with ``change: restore``, which keeps a new
  version like any other change. Fields the workflow owns (status, caseworker,
  closure...) and where a record sits are never restored; a consent is never restored.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from harborlight.accounts.models import User
from harborlight.cases.htcds_map import htcds_map
from harborlight.cases.validators import check_own_values
from harborlight.cases.vocabulary import in_words
from harborlight.errors import DomainError
from harborlight.security.audit.log import audited, record
from harborlight.security.audit.models import AuditAction, RecordVersion
from harborlight.security.audit.versions import kept_fields, snapshot, versions_of
from harborlight.vocab import words

EMPTY = "—"
# What an act did, in words, by the ``change`` its audit entry names.
CHANGE_WORDS = {
    "baseline": _("As it was before its history began"),
    "restore": _("Restored from an earlier version"),
    "assign": _("Caseworker assigned"),
    "status": _("Status changed"),
    "trafficking_status": _("Trafficking status decided"),
    "closure_requested": _("Closure requested"),
    "closure_approved": _("Closure approved"),
    "closure_rejected": _("Closure request rejected"),
    "reopened": _("Reopened"),
    "withdrawn": _("Consent withdrawn"),
}

# Harborlight's own fields (those without an HTCDS name), in words.
FIELD_WORDS = {
    "reference": _("Reference"),
    "external_id": _("Id in the system it came from"),
    "trafficking_status_decided_by": _("Trafficking status recorded by"),
    "trafficking_status_decided_at": _("Trafficking status recorded on"),
    "restricted": _("Restricted"),
    "summary": _("Summary"),
    "closure_requested_status": _("Closure asked for"),
    "closure_requested_by": _("Closure requested by"),
    "closure_requested_at": _("Closure requested on"),
    "closure_approved_by": _("Closure approved by"),
    "opened_at": _("Opened"),
    "closed_at": _("Closed"),
    "role": _("Role"),
    "other_citizenships": _("Other citizenships"),
    "erased_at": _("Erased on"),
    "created_by": _("Written by"),
    "created_at": _("Written on"),
    "safe_contacts": _("Safe contacts"),
    "safe_places": _("Safe places"),
    "code_words": _("Code words"),
    "risk_reduction_steps": _("Steps to stay safer"),
    "in_own_words": _("In the survivor's own words"),
    "review_on": _("Review on"),
    "updated_by": _("Updated by"),
    "purpose": _("Purpose"),
    "recipient_kind": _("Who may receive it"),
    "recipient": _("Recipient"),
    "fields_allowed": _("What may be shared"),
    "method": _("How consent was given"),
    "retention_explained": _("Retention explained"),
    "withdrawal_explained": _("Withdrawal explained"),
    "wording": _("What was agreed"),
    "given_at": _("Given on"),
    "expires_at": _("Expires on"),
    "recorded_by": _("Recorded by"),
    "withdrawn_at": _("Withdrawn on"),
    "withdrawn_by": _("Withdrawn by"),
    "withdrawal_note": _("Note on the withdrawal"),
}
# Values that are lists of HTCDS field names or of country codes, said in words.
FIELD_NAME_LISTS = {"fields_allowed"}
COUNTRY_LISTS = {"other_citizenships"}


class RestoreError(DomainError):
    """A restore that cannot be done: no such version or field, or nothing would change."""

    code = "restore"


@dataclass
class Change:
    name: str
    label: str
    before: str
    after: str
    restorable: bool


@dataclass
class Version:
    number: int
    created_at: datetime.datetime
    actor: str
    act: str
    changes: list[Change] = field(default_factory=list)
    restorable: bool = False


def restorable_fields(model: type[models.Model]) -> list[models.Field]:
    """The fields a restore may put back: kept, not relations, not the workflow's."""
    if not getattr(model, "restorable", True):
        return []
    workflow = set(getattr(model, "workflow_fields", ()))
    return [f for f in kept_fields(model) if not f.is_relation and f.name not in workflow]


def history(obj: models.Model) -> list[Version]:
    """The versions of ``obj``, newest first, each with what it changed (in words)."""
    model = type(obj)
    labels = _field_words(model)
    restorable = {f.name for f in restorable_fields(model)}
    versions = list(versions_of(obj))
    current = snapshot(obj)  # a value the record holds now is not offered back
    users = _usernames(model, versions)
    out: list[Version] = []
    previous: dict[str, Any] = {}
    for version in versions:
        values = version.values
        changes = [
            Change(name, labels[name][0], _words(obj, name, labels, previous.get(name), users)
                   if version.number > 1 else "",
                   _words(obj, name, labels, values.get(name), users),
                   name in restorable and current.get(name) != values[name])
            for name in labels
            if name in values and (version.number == 1 or previous.get(name) != values[name])
            and not (version.number == 1 and values[name] in (None, "", []))]
        out.append(Version(version.number, version.created_at,
                           version.actor_username or gettext("(system)"), _act(version),
                           changes, restorable=any(
                               current.get(name) != values[name]
                               for name in restorable & set(values))))
        previous = values
    out.reverse()
    return out


def restore(obj: models.Model, number: int, by, field_name: str = "") -> RecordVersion:
    """Put back field ``field_name`` (or every restorable field) of version ``number``.

    Checked before anything is written: the version exists, the field may be restored,
    something would change, and the values pass the model's validation (a value no longer
    allowed is refused with its message). Then saved and recorded in one transaction;
    returns the new version the act kept.
    """
    if not getattr(obj, "restorable", True):
        raise RestoreError(gettext("A consent is never changed after it is given; record "
                                   "a new consent instead."))
    version = versions_of(obj).filter(number=number).first()
    if version is None:
        raise RestoreError(gettext("There is no version %(number)s of this record.")
                           % {"number": number}, field="version")
    fields = {f.name: f for f in restorable_fields(type(obj)) if f.name in version.values}
    if field_name:
        if field_name not in fields:
            raise RestoreError(gettext("That field cannot be restored from the history."),
                               field="field")
        fields = {field_name: fields[field_name]}
    current = snapshot(obj)
    changed = [name for name in fields if current.get(name) != version.values[name]]
    if not changed:
        raise RestoreError(gettext("Nothing to restore: the record already holds these "
                                   "values."))
    for name in changed:
        model_field = fields[name]
        setattr(obj, model_field.attname, model_field.to_python(version.values[name]))
    try:
        obj.clean_fields(exclude=[f.name for f in type(obj)._meta.fields
                                  if f.name not in changed])
        check_own_values(obj)  # a value the organisation deleted since cannot come back
    except ValidationError as error:
        obj.refresh_from_db()  # nothing of the refused restore stays, even in memory
        labels = _field_words(type(obj))
        problems = "; ".join(f"{labels.get(name, (name,))[0]}: {' '.join(msgs)}"
                             for name, msgs in error.message_dict.items())
        raise RestoreError(gettext("Version %(number)s cannot be restored: %(problems)s")
                           % {"number": number, "problems": problems}) from None
    with audited():
        obj.save()
        after = getattr(obj, "history_restored", None)
        if after is not None:
            after(by)
        record("update", actor=by, obj=obj,
               details={"change": "restore", "from_version": number, "fields": changed})
    return versions_of(obj).last()


def _act(version: RecordVersion) -> str:
    if version.change in CHANGE_WORDS:
        return str(CHANGE_WORDS[version.change])
    return str(AuditAction(version.action).label) if version.action in AuditAction.values \
        else version.action


def _field_words(model: type[models.Model]) -> dict[str, tuple[str, str]]:
    """Field name -> (label in words, HTCDS name or "") for the fields a version holds."""
    label = model._meta.label
    htcds = {home.field: home.htcds for home in htcds_map().values() if home.model == label}
    out = {}
    for model_field in kept_fields(model):
        if model_field.is_relation and model_field.related_model is not User:
            continue  # where a record points (a person, a directory entry): not shown
        name = htcds.get(model_field.name, "")
        text = words.field_label(name) if name else str(
            FIELD_WORDS.get(model_field.name, model_field.verbose_name))
        out[model_field.name] = (text[:1].upper() + text[1:], name)
    return out


def _usernames(model: type[models.Model], versions: list[RecordVersion]) -> dict[int, str]:
    user_fields = [f.name for f in kept_fields(model)
                   if f.is_relation and f.related_model is User]
    ids = {v.values.get(name) for v in versions for name in user_fields} - {None}
    return dict(User.objects.filter(pk__in=ids).values_list("pk", "username"))


def _words(obj: models.Model, name: str, labels: dict, value: Any,
           users: dict[int, str]) -> str:
    if value in (None, "", []):
        return EMPTY
    model_field = type(obj)._meta.get_field(name)
    if model_field.is_relation:
        if model_field.related_model is User:
            return users.get(value, gettext("user #%(id)s") % {"id": value})
        return f"#{value}"
    if name in FIELD_NAME_LISTS:
        return ", ".join(words.field_label(item) for item in value)
    if name in COUNTRY_LISTS:
        return ", ".join(words.country_name(item) for item in value)
    htcds_name = labels[name][1]
    if htcds_name:
        return in_words(getattr(obj, "organisation_id", None), htcds_name, value) or EMPTY
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return gettext("Yes") if value else gettext("No")
    if isinstance(model_field, models.DateTimeField):
        try:
            return date_format(datetime.datetime.fromisoformat(value), "DATETIME_FORMAT")
        except ValueError:
            return str(value)
    if isinstance(model_field, models.DateField):
        try:
            return date_format(datetime.date.fromisoformat(value))
        except ValueError:
            return str(value)
    if isinstance(value, list):
        return ", ".join(map(str, value))
    return str(value)
