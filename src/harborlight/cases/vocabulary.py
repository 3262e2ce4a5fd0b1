"""An organisation's own picklist values: add, change, retire, delete; show; export.

The values (:class:`~harborlight.cases.models.LocalValue`) extend the person record's HTCDS
picklists (:data:`EXTENSIBLE`). Each act is audited once and makes a new version
(:class:`~harborlight.cases.models.LocalValueVersion`). A value is stored on records as its
code (``x-forced-criminality``), shown in the reader's language (:func:`in_words`), and
written by exports as the HTCDS value it maps to (:class:`ExportMapping`, which counts what
it mapped so the export can say so).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import get_language

from harborlight.cases.models import LocalValue, LocalValueVersion, Person
from harborlight.errors import DomainError
from harborlight.security.audit.log import audited, record
from harborlight.vocab import words
from harborlight.vocab.loader import htcds_codes

# HTCDS picklist -> the person's field that holds it (the picklists the person form shows).
EXTENSIBLE = {
    "vic_TypeOfExploitation": "types_of_exploitation",
    "vic_MethodsOfControl": "methods_of_control",
    "vic_MethodOfRecruitment": "methods_of_recruitment",
    "vic_TypeOfSexExploitation": "types_of_sex_exploitation",
    "vic_ForcedLabourIndustry": "forced_labour_industry",
    "vic_RelationshipToTrafficker": "relationship_to_trafficker",
    "per_RoleInProcess": "roles_in_process",
    "prs_Gender": "gender",
    "prs_MaritalStatus": "marital_status",
    "prs_HighestLevelOfEducation": "highest_level_of_education",
}
PREFIX = "x-"
# An indicator an organisation added to the catalog is a value of this "field"
# (:mod:`harborlight.intake.catalog` adds, changes and deletes them; retiring is shared).
INDICATOR = "indicator"
CODE_LENGTH = 20
LABEL_LENGTH = 120


class VocabularyError(DomainError):
    """A vocabulary change that cannot be made; the sentence says why."""

    code = "vocabulary"
    status = 400


def _check(field_name: str, label_en: str, label_es: str, maps_to: str) -> None:
    if field_name not in EXTENSIBLE:
        raise VocabularyError("Choose one of the picklists listed.", field="field")
    for name, text in (("label_en", label_en), ("label_es", label_es)):
        if not text.strip():
            raise VocabularyError("Give the value's words in English and in Spanish.",
                                  field=name)
        if len(text) > LABEL_LENGTH:
            raise VocabularyError(f"At most {LABEL_LENGTH} characters.", field=name)
    if maps_to not in htcds_codes(field_name):
        raise VocabularyError(f"“{maps_to}” is not an HTCDS value of this picklist; choose "
                              "the nearest one, which exports will write.", field="maps_to")


def _new_code(organisation, field_name: str, label_en: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", label_en.casefold()).strip("-") or "value"
    base = (PREFIX + slug)[:CODE_LENGTH - 3].rstrip("-")
    taken = set(LocalValue.objects.of(organisation, field_name).values_list("code", flat=True))
    code, number = base, 2
    while code in taken:
        code, number = f"{base}-{number}", number + 1
    return code


def new_version(value: LocalValue, by) -> None:
    """Keep what the value says now as its version (values and indicators alike)."""
    LocalValueVersion.objects.create(
        value=value, version=value.version, label_en=value.label_en, label_es=value.label_es,
        maps_to=value.maps_to, retired=value.retired_at is not None, entry=value.entry,
        changed_by=by)


def add_value(organisation, field_name: str, label_en: str, label_es: str, maps_to: str,
              by) -> LocalValue:
    """Add a value to one of the organisation's picklists (version 1); audited once."""
    label_en, label_es = label_en.strip(), label_es.strip()
    _check(field_name, label_en, label_es, maps_to)
    if LocalValue.objects.of(organisation, field_name).filter(
            label_en__iexact=label_en).exists():
        raise VocabularyError("This picklist already has a value with these words.",
                              field="label_en")
    with audited():
        value = LocalValue.objects.create(
            organisation=organisation, field=field_name,
            code=_new_code(organisation, field_name, label_en), label_en=label_en,
            label_es=label_es, maps_to=maps_to, added_by=by)
        new_version(value, by)
        record("create", actor=by, obj=value, organisation=organisation,
               details={"field": field_name, "code": value.code, "maps_to": maps_to,
                        "version": 1})
    return value


def change_value(value: LocalValue, label_en: str, label_es: str, maps_to: str, by
                 ) -> LocalValue:
    """New words or a new mapping: a new version (records keep the code); audited."""
    label_en, label_es = label_en.strip(), label_es.strip()
    _check(value.field, label_en, label_es, maps_to)
    with audited():
        value.label_en, value.label_es, value.maps_to = label_en, label_es, maps_to
        value.version += 1
        value.save()
        new_version(value, by)
        record("update", actor=by, obj=value, organisation=value.organisation_id,
               details={"change": "edit", "maps_to": maps_to, "version": value.version})
    return value


def retire_value(value: LocalValue, by) -> LocalValue:
    """No longer offered; records that hold it keep it, shown and exported as before."""
    if value.retired_at is not None:
        raise VocabularyError("This value is already retired.")
    with audited():
        value.retired_at = timezone.now()
        value.version += 1
        value.save()
        new_version(value, by)
        record("update", actor=by, obj=value, organisation=value.organisation_id,
               details={"change": "retire", "version": value.version})
    return value


def delete_value(value: LocalValue, by, count: int | None = None) -> None:
    """Delete a value no record holds; one in use must be retired instead. ``count``: how
    many records hold it, when the caller counts them (an indicator: tips)."""
    if value.field == INDICATOR and count is None:  # tips use it, not records
        raise VocabularyError("Delete an indicator on your organisation's indicators page.")
    count = uses(value) if count is None else count
    if count:
        raise VocabularyError(f"“{value.label_en}” is held by {count} record"
                              f"{'' if count == 1 else 's'}: retire it instead, so they "
                              "keep it.")
    with audited():
        record("delete", actor=by, obj=value, organisation=value.organisation_id,
               details={"field": value.field, "code": value.code})
        value.delete()


def uses(value: LocalValue) -> int:
    """How many people of the organisation hold the value (none hold an indicator)."""
    if value.field not in EXTENSIBLE:
        return 0
    name = EXTENSIBLE[value.field]
    held = Person.objects.filter(organisation_id=value.organisation_id).values_list(
        name, flat=True)
    return sum(1 for stored in held.iterator()
               if stored == value.code or (isinstance(stored, list) and value.code in stored))


def choices(organisation, field_name: str, keep=()) -> list[tuple[str, str]]:
    """The organisation's values of a picklist, in the reader's language: the offered ones,
    and retired ones only when the record already holds them (``keep``)."""
    if organisation is None:
        return []
    language = get_language() or "en"
    rows = LocalValue.objects.of(organisation, field_name)
    return [(v.code, v.label(language)) for v in rows
            if v.retired_at is None or v.code in keep]


def in_words(organisation_id, field_name: str, value) -> str:
    """A stored value in words (the vocab's for HTCDS codes, the organisation's own for
    its values)."""
    items = value if isinstance(value, (list, tuple)) else [value]
    local = [item for item in items if isinstance(item, str) and item.startswith(PREFIX)]
    if not local:
        return words.value_label(field_name, value)
    language = get_language() or "en"
    labels = {v.code: v.label(language) for v in LocalValue.objects.filter(
        organisation_id=organisation_id, field=field_name, code__in=local)}
    return ", ".join(labels.get(item) or words.value_label(field_name, item)
                     for item in items)


def with_htcds_values(organisation_id, answers: dict) -> dict:
    """A tip's answers for triage: beside each of the organisation's own values, the HTCDS
    value it maps to. So a rule on an HTCDS value (``coding`` vic_TypeOfExploitation in
    ForcedLabour) fires for a value mapped to it, and a rule may name the organisation's
    code itself (``"in": ["x-forced-criminal"]``)."""
    local = {name: value for name, value in answers.items() if name in EXTENSIBLE
             and any(str(v).startswith(PREFIX) for v in
                     (value if isinstance(value, list) else [value]))}
    if not local:
        return answers
    mapped = {(v.field, v.code): v.maps_to for v in LocalValue.objects.filter(
        organisation_id=organisation_id, field__in=list(local))}
    out = dict(answers)
    for name, value in local.items():
        values = value if isinstance(value, list) else [value]
        extra = [mapped[(name, v)] for v in values if (name, v) in mapped]
        out[name] = list(dict.fromkeys([*values, *extra]))
    return out


@dataclass
class ExportMapping:
    """Writes local values as their HTCDS value in exports and counts each one mapped."""

    values: dict[tuple[int, str, str], LocalValue] = field(default_factory=dict)
    mapped: Counter = field(default_factory=Counter)

    @classmethod
    def for_organisations(cls, organisation_ids) -> "ExportMapping":
        rows = LocalValue.objects.filter(organisation_id__in=list(organisation_ids))
        return cls({(v.organisation_id, v.field, v.code): v for v in rows})

    def export(self, organisation_id: int, field_name: str, code: str) -> str:
        value = self.values.get((organisation_id, field_name, code))
        if value is None:
            return code
        self.mapped[value] += 1
        return value.maps_to

    def value(self, organisation_id: int, field_name: str, stored):
        """A stored value (a code or a list of codes) as HTCDS values."""
        if isinstance(stored, list):
            return [self.export(organisation_id, field_name, code) for code in stored]
        if isinstance(stored, str) and stored.startswith(PREFIX):
            return self.export(organisation_id, field_name, stored)
        return stored

    def lines(self) -> list[str]:
        return [f"{value.field}: “{value.label_en}” ({value.code}) written as "
                f"{value.maps_to}, {count} time{'' if count == 1 else 's'}"
                for value, count in sorted(self.mapped.items(),
                                           key=lambda item: (item[0].field, item[0].code))]


def versions(value: LocalValue):
    return value.versions.select_related("changed_by")

