"""The words people read for HTCDS fields and codes: ``vocab/field_words.json``.

One vocabulary for every page a front-line user reads (the consent form, the case page,
referrals, the referral letter, the tip page): a plain-language label per HTCDS field, in
English and Spanish, the groups a consent form shows them in, and purpose presets::

    {"format": "harborlight-field-words", "version": 1,
     "fields":  {"prs_FirstName": {"en": "First name", "es": "Nombre"}, ...},
     "groups":  [{"id": "contact", "label": {"en": "Contact details", ...},
                  "fields": ["prs_MobilePhone", ...]}, ...],
     "presets": [{"id": "shelter", "purpose": "referral",
                  "label": {"en": "Referral to a shelter: name, phone, languages", ...},
                  "fields": ["prs_FirstName", ...]}, ...],
     "not_offered": {"per_RoleDetails": "why a consent form does not list it"},
     "values":  {"vic_TypeOfExploitation": {"ForcedLabour": {"en": "Forced labour",
                                                            "es": "Trabajo forzoso"}}}}

HTCDS names stay in exports and the API; this module is what turns them into words, and
it never falls back to showing a code: a field without an entry reads as its HTCDS label
(the standard's English words), a picklist code as its picklist label.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from datetime import date

from django.utils.formats import date_format
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from harborlight.vocab.loader import (VocabularyError, check_entry, htcds_names,
                                      htcds_picklists, parse_document, read_package_file)

FORMAT = "harborlight-field-words"
DEFAULT_LANGUAGE = "en"


@dataclass(frozen=True)
class FieldGroup:
    id: str
    label: str
    fields: tuple[str, ...]
    labels: tuple[str, ...]


@dataclass(frozen=True)
class Preset:
    id: str
    purpose: str
    label: str
    fields: tuple[str, ...]


def _in_language(text: dict, where: str) -> str:
    if not isinstance(text, dict) or DEFAULT_LANGUAGE not in text:
        raise VocabularyError(f"field_words.json: {where} needs an English ('en') text")
    language = (get_language() or DEFAULT_LANGUAGE).split("-")[0]
    return text.get(language) or text[DEFAULT_LANGUAGE]


@functools.cache
def _document() -> dict:
    text = read_package_file("harborlight.vocab", "field_words.json")
    body = parse_document(text, "field_words.json", FORMAT, "fields")
    known = htcds_names()
    for name, words in body.items():
        if name not in known:
            raise VocabularyError(f"field_words.json: {name} is not an HTCDS field")
        _in_language(words, name)
    document = json.loads(text)
    seen: set[str] = set()
    for number, group in enumerate(document.get("groups", [])):
        check_entry(group, {"id": str, "label": dict, "fields": list}, f"group {number}")
        for name in group["fields"]:
            if name not in body:
                raise VocabularyError(f"field_words.json: group {group['id']} names "
                                      f"{name}, which has no words")
            if name in seen:
                raise VocabularyError(f"field_words.json: {name} is in two groups")
            seen.add(name)
    for number, preset in enumerate(document.get("presets", [])):
        check_entry(preset, {"id": str, "purpose": str, "label": dict, "fields": list},
                    f"preset {number}")
        unknown = set(preset["fields"]) - seen
        if unknown:
            raise VocabularyError(f"field_words.json: preset {preset['id']} names fields "
                                  f"no group offers: {sorted(unknown)}")
    for picklist, codes in document.get("values", {}).items():
        known_codes = {option["code"] for option in htcds_picklists().get(picklist, [])}
        if not known_codes or not set(codes) <= known_codes:
            raise VocabularyError(f"field_words.json: values.{picklist} names codes the "
                                  f"picklist does not have: {sorted(set(codes) - known_codes)}")
        for code, text in codes.items():
            _in_language(text, f"values.{picklist}.{code}")
    return document


def field_label(name: str) -> str:
    """The words for an HTCDS field, in the current language."""
    words = _document()["fields"].get(name)
    if words is not None:
        return _in_language(words, name)
    entry = htcds_names().get(name)
    return entry["label"] if entry else name.partition("_")[2] or name


COUNTRY_FORMAT = "harborlight-country-words"
ISO_3166 = "Use ISO 3166"  # how fields.json codes the fields that hold country codes


@functools.cache
def _countries() -> dict[str, dict]:
    """``vocab/countries.json``: ISO 3166-1 alpha-3 -> {"en": ..., "es": ...} (generated
    from iso-codes by scripts/generate_country_words.py)."""
    text = read_package_file("harborlight.vocab", "countries.json")
    countries = parse_document(text, "countries.json", COUNTRY_FORMAT, "countries")
    for code, names in countries.items():
        if len(code) != 3 or not code.isupper() or not {"en", "es"} <= set(names):
            raise VocabularyError(f"countries.json: {code} needs a 3-letter code and "
                                  "English and Spanish names")
    return countries


def country_name(code: str) -> str:
    """"MEX" -> "Mexico" / "México" in the current language; an unknown code as it is."""
    names = _countries().get(str(code or "").strip().upper())
    language = (get_language() or DEFAULT_LANGUAGE).split("-")[0]
    return (names.get(language) or names[DEFAULT_LANGUAGE]) if names else str(code or "")


def is_country_field(field: str) -> bool:
    if field in COUNTRY_FIELDS:
        return True
    entry = htcds_names().get(field)
    return bool(entry) and str(entry.get("coding") or "").startswith(ISO_3166)


# Fields that hold a country code (model names, and HTCDS names whose coding is silent).
COUNTRY_FIELDS = {"citizenship", "mailing_country", "country", "hte_Country",
                  "prs_MailingCountry", "org_ShippingCountry", "prs_Citizenship"}


def value_label(field: str, value) -> str:
    """The words for a stored value of ``field``: picklist codes become their labels,
    country codes their names, lists are joined; other values are shown as they are."""
    if isinstance(value, (list, tuple)):
        return ", ".join(value_label(field, item) for item in value)
    if isinstance(value, bool):
        return str(_("Yes") if value else _("No"))
    if isinstance(value, date):
        return date_format(value)
    entry = htcds_names().get(field)
    if entry and entry["type"] == "Date" and isinstance(value, str):
        try:
            return date_format(date.fromisoformat(value[:10]))
        except ValueError:
            return value
    if isinstance(value, str) and value and is_country_field(field):
        return country_name(value)
    picklist = entry.get("picklist") if entry else None
    if picklist:
        words = _document().get("values", {}).get(picklist, {}).get(value)
        if words:
            return _in_language(words, f"values.{picklist}.{value}")
        for option in htcds_picklists().get(picklist, []):
            if option["code"] == value:
                return option["label"]
    return "" if value is None else str(value)


def groups() -> list[FieldGroup]:
    """The groups a consent form shows, each with its fields in order."""
    return [FieldGroup(group["id"], _in_language(group["label"], group["id"]),
                       tuple(group["fields"]),
                       tuple(field_label(name) for name in group["fields"]))
            for group in _document()["groups"]]


def offered_fields() -> list[str]:
    """Every field a consent may name, in the groups' order."""
    return [name for group in _document()["groups"] for name in group["fields"]]


def not_offered() -> dict[str, str]:
    """Fields a consent form leaves out on purpose, with the reason."""
    return dict(_document().get("not_offered", {}))


def presets() -> list[Preset]:
    return [Preset(preset["id"], preset["purpose"],
                   _in_language(preset["label"], preset["id"]), tuple(preset["fields"]))
            for preset in _document()["presets"]]


def preset(preset_id: str) -> Preset | None:
    return next((p for p in presets() if p.id == preset_id), None)


def in_words(names) -> list[tuple[str, list[str]]]:
    """Field names as (group label, [field labels]) for a sentence on a page; fields no
    group offers come last, under an empty group label."""
    wanted = set(names or [])
    described = []
    for group in groups():
        labels = [label for name, label in zip(group.fields, group.labels) if name in wanted]
        if labels:
            described.append((group.label, labels))
    rest = [field_label(name) for name in names or [] if name not in set(offered_fields())]
    if rest:
        described.append(("", rest))
    return described
