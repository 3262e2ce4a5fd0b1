"""The indicator catalog: signs of trafficking as data, with the text cues that suggest them.

The catalog ships as ``vocab/indicators.json`` (format ``harborlight-indicators``, envelope
version 1, plus a ``release`` string that every triage decision records)::

    {"format": "harborlight-indicators", "version": 1, "release": "2026.11.23",
     "categories": {"control": "Control and coercion", ...},
     "indicators": [
       {"id": "control.documents-held", "category": "control",
        "description": "Someone else holds the person's passport...",
        "evidence_grade": "A", "source": "ILO Indicators of Forced Labour (2012)",
        "cues": ["\\\\bpassports?\\\\b..."],            # case-insensitive regular expressions
        "codings": {"vic_MethodsOfControl": ["WithholdsDocuments"]},
        "emergency_if_now": false}, ...],
     "coding_cues": [
       {"id": "relation.family", "field": "vic_RelationshipToTrafficker", "value": "Familial",
        "description": "...", "source": "...", "cues": ["..."]}, ...]}

``coding_cues`` suggest an HTCDS coding that is not itself a sign of trafficking (who the
recruiter was, how the person was recruited, the industry): narrative assist proposes
them, triage does not count them.

Optional keys of an entry (indicator or coding cue), read by :mod:`.narrative`:

- ``points``: ``{"ForcedLabour": 3}``, what the sign is worth as evidence of a type of
  exploitation. A type is decided from these points, never from one coding: an entry that
  names a type in ``codings`` but gives no ``points`` is worth the full threshold (so
  administrators' older extensions keep working).
- ``support``: what a means of control lends to a type that has evidence of its own
  (``{"*": 2}`` to any type; ``{"SexualExploitation": 1}`` to one: earnings taken point to
  pimping, while unpaid wages alone are a wage dispute, not forced labour).
- ``in_conditions``: the cue counts inside an "if" clause (a threat is said that way).
- ``repeats``: how many distinct matches count (each worth ``points``): two euphemisms
  say more than one.
- ``topic``: a name of the crime ("sex trafficking"), which does not count in a sentence
  about training or information.
- ``ilo``: which of the ILO's 11 indicators of forced labour the entry is (the catalog's
  ``ilo_indicators``).
- ``public``: ``{"en": ..., "es": ...}``, the sign in plain words for the public "Learn
  the signs" guide; an entry without it is not shown there. The guide's sections (which
  categories, in which order, their titles) are the catalog's ``public_guide``, whose
  ``card`` names the entries printed on the one-page card and whose ``audiences`` are the
  short versions for workplaces (a title, where it is met, the entries to show). Nothing
  else of an entry (description, cues, codings, source) is ever shown to the public.

Codings of the *gated* fields (type of exploitation, industry, form) are suggested only
when a type the entry gives points to is decided: a restaurant is an industry only in a
case of forced labour.

Administrators extend it (``catalog.manage``) with entries of the same shape, kept in the
database and merged by :func:`build_catalog`; an extension may not reuse a shipped id.
Codings name HTCDS v2.0 fields and picklist codes, checked against the HTCDS vocabulary
when it is present; ``minor_involved`` (value ``Yes``) is Harborlight's own flag.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

from harborlight.vocab.loader import (VocabularyError, htcds_codes, parse_document,
                                      read_package_file)
from harborlight.vocab.narrative import compile_any, compile_pattern, load_reading

FORMAT = "harborlight-indicators"
EVIDENCE_GRADES = {"A": "Listed by several official indicator sets",
                   "B": "Practitioner guidance from one programme",
                   "C": "Contextual sign; needs other indicators"}
MINOR_FLAG = "minor_involved"
DECOY_FLAG = "decoy_minor"
FORM_FIELD = "exploitation_form"
CODED_FIELDS = ("vic_TypeOfExploitation", "vic_MethodsOfControl", MINOR_FLAG, DECOY_FLAG,
                FORM_FIELD, "vic_TypeOfSexExploitation", "vic_ForcedLabourIndustry",
                "vic_MethodOfRecruitment", "vic_RelationshipToTrafficker")
ID_PATTERN = re.compile(r"^[a-z][a-z0-9_-]*(\.[a-z0-9_-]+)+$")
MAX_CUE_LENGTH = 600


@dataclass(frozen=True)
class Indicator:
    id: str
    category: str
    description: str
    evidence_grade: str
    source: str
    cues: tuple[re.Pattern, ...]
    codings: dict[str, tuple[str, ...]]
    emergency_if_now: bool = False
    extension: bool = False
    points: dict[str, int] = field(default_factory=dict)
    support: dict[str, int] = field(default_factory=dict)
    in_conditions: bool = False
    topic: bool = False
    ilo: str = ""
    pattern: re.Pattern | None = None
    repeats: int = 1
    public: dict[str, str] = field(default_factory=dict)
    description_es: str = ""

    def words(self, language: str | None = None) -> str:
        """The description for staff in ``language`` (default: the active one): Spanish
        from ``description_es``, else from the public Spanish words, else English."""
        if (language or _active_language()) == "es":
            return self.description_es or self.public.get("es") or self.description
        return self.description


def _active_language() -> str:
    from django.utils.translation import get_language  # vocab stays importable alone

    return (get_language() or "en").split("-")[0]


@dataclass(frozen=True)
class CodingCue:
    id: str
    field: str
    value: str
    description: str
    source: str
    cues: tuple[re.Pattern, ...]
    points: dict[str, int] = field(default_factory=dict)
    in_conditions: bool = False
    topic: bool = False
    pattern: re.Pattern | None = None
    support: dict[str, int] = field(default_factory=dict)
    repeats: int = 1


@dataclass(frozen=True)
class Catalog:
    release: str
    categories: dict[str, str]
    indicators: tuple[Indicator, ...]
    by_id: dict[str, Indicator] = field(default_factory=dict)
    coding_cues: tuple[CodingCue, ...] = ()
    ilo_indicators: dict[str, dict] = field(default_factory=dict)
    public_guide: tuple[dict, ...] = ()
    public_card: tuple[str, ...] = ()
    public_audiences: tuple[dict, ...] = ()
    categories_es: dict[str, str] = field(default_factory=dict)

    def category_words(self, category: str) -> str:
        """A category's name in the reader's language (``categories_es`` beside
        ``categories``); the id itself for an unknown one."""
        if _active_language() == "es" and category in self.categories_es:
            return self.categories_es[category]
        return self.categories.get(category, category)

    def get(self, indicator_id: str) -> Indicator | None:
        return self.by_id.get(indicator_id)


def _allowed_codes(field_name: str) -> set[str] | None:
    """Picklist codes of an HTCDS field, or None when the HTCDS vocabulary is absent."""
    own = load_reading().own_fields.get(field_name)
    if own is not None:
        return set(own["values"])
    try:
        codes = htcds_codes(field_name)
    except VocabularyError:
        return None
    return codes or None


def _compile_cues(raw_cues: object, where: str) -> tuple[re.Pattern, ...]:
    if not isinstance(raw_cues, list):
        raise VocabularyError(f"{where}: 'cues' must be a list")
    cues = []
    for number, cue in enumerate(raw_cues):
        if not isinstance(cue, str) or not cue or len(cue) > MAX_CUE_LENGTH:
            raise VocabularyError(f"{where}: cue {number} must be a pattern of "
                                  f"1 to {MAX_CUE_LENGTH} characters")
        cues.append(compile_pattern(cue, f"{where}: cue {number}"))
    return tuple(cues)


def _reading_keys(raw: dict, where: str) -> dict:
    """The optional keys narrative assist reads (see the module docstring), checked."""
    points = raw.get("points", {})
    if not isinstance(points, dict) or not all(isinstance(v, int) and isinstance(k, str)
                                               for k, v in points.items()):
        raise VocabularyError(f"{where}: 'points' must map types of exploitation to integers")
    allowed = _allowed_codes("vic_TypeOfExploitation")
    unknown = sorted(set(points) - allowed) if allowed is not None else []
    if unknown:
        raise VocabularyError(f"{where}: points for unknown type(s) {', '.join(unknown)}")
    if not points:
        threshold = load_reading().threshold
        points = {value: threshold
                  for value in raw.get("codings", {}).get("vic_TypeOfExploitation", [])}
    support = raw.get("support", {})
    if not isinstance(support, dict) or not all(isinstance(v, int) and v >= 0
                                                for v in support.values()):
        raise VocabularyError(f"{where}: 'support' must map types (or '*') to counts")
    cues = raw.get("cues") or []
    repeats = raw.get("repeats", 1)
    if not isinstance(repeats, int) or not 1 <= repeats <= 5:
        raise VocabularyError(f"{where}: 'repeats' must be 1 to 5")
    return {"points": dict(points), "support": support, "repeats": repeats,
            "in_conditions": bool(raw.get("in_conditions", False)),
            "topic": bool(raw.get("topic", False)),
            "pattern": compile_any(cues, where) if isinstance(cues, list) else None}


def validate_coding_cue(raw: object, where: str) -> CodingCue:
    if not isinstance(raw, dict):
        raise VocabularyError(f"{where}: expected an object")
    for key in ("id", "field", "value", "description", "source"):
        if not isinstance(raw.get(key), str) or not raw[key].strip():
            raise VocabularyError(f"{where}: {key!r} is missing or empty")
    where = f"{where} ({raw['id']})"
    if raw["field"] not in CODED_FIELDS:
        raise VocabularyError(f"{where}: coding field {raw['field']!r} is not one of "
                              f"{', '.join(CODED_FIELDS)}")
    allowed = _allowed_codes(raw["field"])
    if allowed is not None and raw["value"] not in allowed:
        raise VocabularyError(f"{where}: {raw['field']} has no code {raw['value']}")
    cues = _compile_cues(raw.get("cues"), where)
    return CodingCue(raw["id"], raw["field"], raw["value"], raw["description"].strip(),
                     raw["source"].strip(), cues, **_reading_keys(raw, where))


def validate_indicator(raw: object, categories: dict[str, str], where: str,
                       extension: bool = False,
                       ilo_indicators: dict | None = None) -> Indicator:
    """Check one entry's shape, ids, grade, category, cues and codings; name any fault."""
    if not isinstance(raw, dict):
        raise VocabularyError(f"{where}: expected an object")
    for key, kind in (("id", str), ("category", str), ("description", str),
                      ("evidence_grade", str), ("source", str), ("cues", list),
                      ("codings", dict)):
        if not isinstance(raw.get(key), kind):
            raise VocabularyError(f"{where}: {key!r} is missing or not a {kind.__name__}")
    ident = raw["id"]
    if not ID_PATTERN.match(ident):
        raise VocabularyError(f"{where}: id {ident!r} must look like 'category.short-name'")
    if raw["category"] not in categories:
        raise VocabularyError(f"{where} ({ident}): unknown category {raw['category']!r}")
    if raw["evidence_grade"] not in EVIDENCE_GRADES:
        raise VocabularyError(f"{where} ({ident}): evidence grade must be one of "
                              f"{', '.join(EVIDENCE_GRADES)}")
    if not raw["description"].strip() or not raw["source"].strip():
        raise VocabularyError(f"{where} ({ident}): description and source are required")
    cues = _compile_cues(raw["cues"], f"{where} ({ident})")
    codings: dict[str, tuple[str, ...]] = {}
    for field_name, values in raw["codings"].items():
        if field_name not in CODED_FIELDS:
            raise VocabularyError(f"{where} ({ident}): coding field {field_name!r} is not one "
                                  f"of {', '.join(CODED_FIELDS)}")
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            raise VocabularyError(f"{where} ({ident}): codings of {field_name} must be a list")
        allowed = _allowed_codes(field_name)
        unknown = sorted(set(values) - allowed) if allowed is not None else []
        if unknown:
            raise VocabularyError(f"{where} ({ident}): {field_name} has no code "
                                  f"{', '.join(unknown)}")
        codings[field_name] = tuple(values)
    ilo = raw.get("ilo", "")
    if ilo and ilo_indicators is not None and ilo not in ilo_indicators:
        raise VocabularyError(f"{where} ({ident}): {ilo!r} is not one of the ILO indicators")
    return Indicator(ident, raw["category"], raw["description"].strip(),
                     raw["evidence_grade"], raw["source"].strip(), cues, codings,
                     bool(raw.get("emergency_if_now", False)), extension, ilo=ilo,
                     public=_public_words(raw.get("public"), f"{where} ({ident})"),
                     description_es=str(raw.get("description_es") or "").strip(),
                     **_reading_keys(raw, f"{where} ({ident})"))


def _public_words(raw: object, where: str) -> dict[str, str]:
    """An entry's plain words for the public guide: both languages, or none at all."""
    if raw is None:
        return {}
    if not isinstance(raw, dict) or not all(
            isinstance(raw.get(language), str) and raw[language].strip()
            for language in ("en", "es")):
        raise VocabularyError(f"{where}: 'public' must give the sign in words in 'en' "
                              "and 'es'")
    return {language: raw[language].strip() for language in ("en", "es")}


def _public_guide(raw: object, categories: dict[str, str], name: str) -> tuple[dict, ...]:
    """The guide's sections, each naming known categories and a title in both languages."""
    if raw is None:
        return ()
    sections = raw.get("sections") if isinstance(raw, dict) else None
    if not isinstance(sections, list):
        raise VocabularyError(f"{name}: 'public_guide' must hold a list of 'sections'")
    checked = []
    for number, section in enumerate(sections):
        where = f"{name} public_guide section {number}"
        if not isinstance(section, dict) or not isinstance(section.get("id"), str):
            raise VocabularyError(f"{where}: needs an 'id'")
        unknown = [c for c in section.get("categories") or [] if c not in categories]
        if unknown or not section.get("categories"):
            raise VocabularyError(f"{where}: 'categories' must name known categories"
                                  + (f" (not {', '.join(unknown)})" if unknown else ""))
        title = _public_words(section.get("title"), where)
        if not title:
            raise VocabularyError(f"{where}: needs a 'title' in 'en' and 'es'")
        checked.append({"id": section["id"], "categories": tuple(section["categories"]),
                        "title": title})
    return tuple(checked)


def parse_catalog(text: str, name: str = "indicators.json",
                  extensions: list[dict] | tuple = ()) -> Catalog:
    import json

    indicators_raw = parse_document(text, name, FORMAT, "indicators")
    document = json.loads(text)
    release, categories = document.get("release"), document.get("categories")
    if not isinstance(release, str) or not release:
        raise VocabularyError(f"{name}: 'release' must be a non-empty string")
    if not isinstance(categories, dict) or not categories:
        raise VocabularyError(f"{name}: 'categories' must be a non-empty object")
    if not isinstance(indicators_raw, list) or not indicators_raw:
        raise VocabularyError(f"{name}: 'indicators' must be a non-empty list")
    ilo = document.get("ilo_indicators") or {}
    indicators = [validate_indicator(raw, categories, f"{name} entry {number}",
                                     ilo_indicators=ilo)
                  for number, raw in enumerate(indicators_raw)]
    indicators += [validate_indicator(raw, categories, f"extension {raw.get('id', number)}",
                                      extension=True)
                   for number, raw in enumerate(extensions)]
    by_id: dict[str, Indicator] = {}
    for indicator in indicators:
        if indicator.id in by_id:
            raise VocabularyError(f"{name}: indicator id {indicator.id!r} is used twice")
        by_id[indicator.id] = indicator
    coding_cues = tuple(validate_coding_cue(raw, f"{name} coding cue {number}")
                        for number, raw in enumerate(document.get("coding_cues") or []))
    if len({cue.id for cue in coding_cues}) != len(coding_cues):
        raise VocabularyError(f"{name}: a coding cue id is used twice")
    suffix = f"+{len(extensions)}" if extensions else ""
    guide = document.get("public_guide") or {}
    card = tuple(guide.get("card") or ())
    audiences = tuple(_audience(raw, f"{name} public_guide audience {number}")
                      for number, raw in enumerate(guide.get("audiences") or []))
    named = [("the public card", ident) for ident in card] + [
        (f"audience {audience['id']}", ident) for audience in audiences
        for ident in audience["signs"]]
    unfit = [f"{where}: {ident}" for where, ident in named
             if not (by_id.get(ident) and by_id[ident].public)]
    if unfit:
        raise VocabularyError(f"{name}: entries without public words named by "
                              f"{'; '.join(map(str, unfit))}")
    return Catalog(release + suffix, dict(categories), tuple(indicators), by_id, coding_cues,
                   dict(ilo), _public_guide(guide or None, categories, name), card,
                   audiences, _categories_es(document.get("categories_es"), categories, name))


def _categories_es(raw: object, categories: dict[str, str], name: str) -> dict[str, str]:
    """Spanish names of the categories, each naming a known category."""
    if raw is None:
        return {}
    if not isinstance(raw, dict) or not set(raw) <= set(categories) or \
            not all(isinstance(v, str) and v.strip() for v in raw.values()):
        raise VocabularyError(f"{name}: 'categories_es' must give known categories a name")
    return {key: value.strip() for key, value in raw.items()}


def _audience(raw: object, where: str) -> dict:
    """A short version of the guide for one workplace: id, title, where, signs."""
    if not isinstance(raw, dict) or not isinstance(raw.get("id"), str) or not isinstance(
            raw.get("signs"), list) or not raw["signs"]:
        raise VocabularyError(f"{where}: needs an 'id' and a list of 'signs'")
    title, seen = _public_words(raw.get("title"), where), _public_words(raw.get("where"), where)
    if not title or not seen:
        raise VocabularyError(f"{where}: needs 'title' and 'where' in 'en' and 'es'")
    return {"id": raw["id"], "title": title, "where": seen, "signs": tuple(raw["signs"])}


@functools.cache
def shipped_catalog_text() -> str:
    return read_package_file("harborlight.vocab", "indicators.json")


def build_catalog(extensions: list[dict] | tuple = ()) -> Catalog:
    """The shipped catalog plus administrators' extensions (dicts of the shipped shape)."""
    if not extensions:
        return shipped_catalog()
    return parse_catalog(shipped_catalog_text(), extensions=extensions)


@functools.cache
def shipped_catalog() -> Catalog:
    """The shipped catalog alone, read once per process (reading it takes ~0.6 s; the
    catalog is frozen)."""
    return parse_catalog(shipped_catalog_text())
