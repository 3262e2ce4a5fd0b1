"""The catalog and rules in force: the shipped files plus administrators' extensions.

Two kinds of extension: the older site-wide ones (:class:`CatalogExtension`, English only,
for every organisation), and an organisation's own indicators (issue 17), kept as its
vocabulary values (:class:`~harborlight.cases.models.LocalValue`, field ``"indicator"``):
words in English and Spanish, the HTCDS value the indicator stands for (``maps_to``,
``field=Code``: the coding triage reads, so the rules fire as for that value), versioned,
retired rather than deleted once a tip used it. A tip is read with its own organisation's
catalog (:func:`current_catalog` with the organisation's id).

Compiling the catalog's patterns costs a few milliseconds and reading the extensions a
query, which the public tip endpoint should not pay on every report. So each catalog is
kept per process for ``REFRESH_SECONDS``: an extension added here takes effect at once in
this process (:func:`forget_catalog`) and within that time in any other server process.
"""

from __future__ import annotations

import functools
import json
import re
import threading
import time

from harborlight.cases.models import LocalValue
from harborlight.cases.vocabulary import (INDICATOR, PREFIX, VocabularyError, delete_value,
                                          new_version, retire_value)
from harborlight.intake.models import CatalogExtension, Tip, SuggestionReview
from harborlight.security.audit.log import audited, record
from harborlight.vocab.indicators import (CODED_FIELDS, EVIDENCE_GRADES, Catalog,
                                          build_catalog)
from harborlight.vocab.loader import VocabularyError as CatalogError
from harborlight.vocab.triage import TriageRules, check_rules_against_catalog, load_rules

REFRESH_SECONDS = 30.0
_lock = threading.Lock()
_cached: dict[int | None, tuple[float, Catalog]] = {}


@functools.lru_cache(maxsize=8)
def _catalog_for(extensions_json: str) -> Catalog:
    catalog = build_catalog(json.loads(extensions_json))
    check_rules_against_catalog(load_rules(), catalog)
    return catalog


def current_catalog(organisation_id: int | None = None, now: float | None = None) -> Catalog:
    """The shipped catalog, the site-wide extensions and, given an organisation, its own
    indicators in force (not retired)."""
    now = time.monotonic() if now is None else now
    with _lock:
        cached = _cached.get(organisation_id)
        if cached is not None and now - cached[0] < REFRESH_SECONDS:
            return cached[1]
    entries = site_entries() + own_entries(organisation_id)
    catalog = _catalog_for(json.dumps(entries, sort_keys=True))
    with _lock:
        _cached[organisation_id] = (now, catalog)
    return catalog


def site_entries() -> list[dict]:
    return [extension.as_catalog_entry()
            for extension in CatalogExtension.objects.order_by("indicator_id")]


def own_entries(organisation_id: int | None, but=None) -> list[dict]:
    if organisation_id is None:
        return []
    rows = LocalValue.objects.filter(organisation_id=organisation_id, field=INDICATOR,
                                     retired_at__isnull=True).exclude(pk=getattr(but, "pk", None))
    return [as_catalog_entry(value) for value in rows.order_by("code")]


def as_catalog_entry(value: LocalValue) -> dict:
    """An organisation's indicator in the catalog's shape (the words in both languages,
    its HTCDS value as its one coding)."""
    field_name, _, code = value.maps_to.partition("=")
    return {"id": value.entry["id"], "category": value.entry["category"],
            "description": value.label_en, "description_es": value.label_es,
            "evidence_grade": value.entry["evidence_grade"], "source": value.entry["source"],
            "cues": list(value.entry["cues"]), "codings": {field_name: [code]}}


def forget_catalog() -> None:
    """Drop this process's copies (after an extension was added, or between tests)."""
    with _lock:
        _cached.clear()


def current_rules() -> TriageRules:
    return load_rules()


# -- an organisation's own indicators (issue 17) ------------------------------------------

def _indicator(organisation, value: LocalValue | None, *, category: str, label_en: str,
               label_es: str, evidence_grade: str, source: str, cues: list[str],
               maps_to: str) -> tuple[dict, str, str]:
    """Check an indicator as the catalog would hold it; (entry, words EN, words ES)."""
    label_en, label_es = label_en.strip(), label_es.strip()
    if not label_en or not label_es:
        raise VocabularyError("Give the indicator's words in English and in Spanish.",
                              field="label_en" if not label_en else "label_es")
    if len(label_en) > 120 or len(label_es) > 120:
        raise VocabularyError("At most 120 characters.", field="label_en")
    field_name, equals, code = maps_to.partition("=")
    if not equals or field_name.strip() not in CODED_FIELDS or len(maps_to) > 60:
        raise VocabularyError("Choose the HTCDS value the indicator stands for.",
                              field="maps_to")
    if evidence_grade not in EVIDENCE_GRADES:
        raise VocabularyError("Choose an evidence grade.", field="evidence_grade")
    if value is None:
        slug = re.sub(r"[^a-z0-9]+", "-", label_en.casefold()).strip("-") or "sign"
        base = (PREFIX + slug)[:17].rstrip("-")
        taken = set(LocalValue.objects.filter(organisation=organisation, field=INDICATOR)
                    .values_list("code", flat=True))
        code_here, number = base, 2
        while code_here in taken:
            code_here, number = f"{base}-{number}", number + 1
        ident = f"{category}.{code_here}"
    else:
        code_here, ident = value.code, value.entry["id"]
    entry = {"id": ident, "category": category, "evidence_grade": evidence_grade,
             "source": source.strip(), "cues": [c.strip() for c in cues if c.strip()]}
    probe = LocalValue(code=code_here, label_en=label_en, label_es=label_es,
                       maps_to=maps_to.strip(), entry=entry)
    try:  # as the catalog reads it: category, cues, the HTCDS code, ids used once
        build_catalog(site_entries() + own_entries(organisation.pk, but=value)
                      + [as_catalog_entry(probe)])
    except CatalogError as problem:
        raise VocabularyError(str(problem)) from None
    return {**entry, "code": code_here}, label_en, label_es


def add_indicator(organisation, by, **fields) -> LocalValue:
    """An indicator of the organisation's own (version 1), in force for its tips at once;
    audited once."""
    entry, label_en, label_es = _indicator(organisation, None, **fields)
    code = entry.pop("code")
    with audited():
        value = LocalValue.objects.create(
            organisation=organisation, field=INDICATOR, code=code, label_en=label_en,
            label_es=label_es, maps_to=fields["maps_to"].strip(), entry=entry, added_by=by)
        new_version(value, by)
        record("create", actor=by, obj=value, organisation=organisation.pk,
               details={"field": INDICATOR, "indicator": entry["id"],
                        "maps_to": value.maps_to, "version": 1})
    forget_catalog()
    return value


def change_indicator(value: LocalValue, by, **fields) -> LocalValue:
    """New words, cues or mapping: a new version (the id stays); audited once."""
    entry, label_en, label_es = _indicator(value.organisation, value, **fields)
    entry.pop("code")
    with audited():
        value.label_en, value.label_es = label_en, label_es
        value.maps_to, value.entry = fields["maps_to"].strip(), entry
        value.version += 1
        value.save()
        new_version(value, by)
        record("update", actor=by, obj=value, organisation=value.organisation_id,
               details={"change": "edit", "maps_to": value.maps_to,
                        "version": value.version})
    forget_catalog()
    return value


def indicator_uses(value: LocalValue) -> int:
    """How many of the organisation's tips used the indicator: an operator's decision on
    it, or a triage reason naming it."""
    ident = value.entry["id"]
    reviewed = set(SuggestionReview.objects.filter(tip__organisation_id=value.organisation_id,
                                            key=f"indicator:{ident}")
                   .values_list("tip_id", flat=True))
    quoted = json.dumps(ident)
    for tip in Tip.objects.filter(organisation_id=value.organisation_id).exclude(
            pk__in=reviewed).only("pk", "triage_reasons").iterator():
        if quoted in json.dumps(tip.triage_reasons):
            reviewed.add(tip.pk)
    return len(reviewed)


def retire_indicator(value: LocalValue, by) -> LocalValue:
    """No longer in force for new tips; tips that used it keep their reasons."""
    retire_value(value, by)
    forget_catalog()
    return value


def delete_indicator(value: LocalValue, by) -> None:
    """Delete an indicator no tip used; one in use must be retired instead."""
    delete_value(value, by, count=indicator_uses(value))
    forget_catalog()
