"""Load and check the packaged data files under ``screening/data/``.

Vocabularies and the indicator catalog are data, not code: analysts change weights or add
a pattern by editing JSON/CSV. Each loader checks the shape it relies on and raises
:class:`CatalogProblem` naming the file and the offending entry, so a bad edit fails at
load time rather than silently scoring nothing.
"""

from __future__ import annotations

import csv
import io
import json
import re
from functools import lru_cache
from importlib import resources
from typing import Any

from harborlight.screening.errors import CatalogProblem

_DATA = "harborlight.screening.data"


def _read_text(name: str) -> str:
    return resources.files(_DATA).joinpath(name).read_text(encoding="utf-8")


def _require(condition: bool, file: str, message: str) -> None:
    if not condition:
        raise CatalogProblem(f"{file}: {message}")


@lru_cache(maxsize=None)
def numbers() -> dict[str, Any]:
    """Spelled-out number words (English and Spanish) and leetspeak digits."""
    data = json.loads(_read_text("numbers.json"))
    for section in ("units", "teens", "tens", "hundreds", "leet_digits"):
        _require(isinstance(data.get(section), dict), "numbers.json", f"missing '{section}'")
        for word, value in data[section].items():
            _require(word.isalpha() and word == word.lower() and value.isdigit(),
                     "numbers.json", f"bad entry {word!r}: {value!r} in '{section}'")
    _require(isinstance(data.get("connectors"), list), "numbers.json", "missing 'connectors'")
    return data


@lru_cache(maxsize=None)
def confusables() -> dict[str, Any]:
    """Lookalike letters and digits, and the invisible characters to drop."""
    data = json.loads(_read_text("confusables.json"))
    for section in ("letters", "digit_lookalikes"):
        _require(isinstance(data.get(section), dict), "confusables.json", f"missing '{section}'")
    for char, target in data["letters"].items():
        _require(len(char) == 1 and target.isascii() and target.isalpha(),
                 "confusables.json", f"bad letter mapping {char!r} -> {target!r}")
    for char, target in data["digit_lookalikes"].items():
        _require(target.isdigit(), "confusables.json", f"bad digit mapping {char!r}")
    _require(all(len(c) == 1 for c in data.get("zero_width", [])), "confusables.json",
             "zero_width entries must be single characters")
    return data


@lru_cache(maxsize=None)
def places() -> list[dict[str, str]]:
    """Gazetteer rows: ``name`` (lower case), ``kind`` (city/state), ``state`` (postal code)."""
    rows = list(csv.DictReader(io.StringIO(_read_text("places.csv"))))
    for number, row in enumerate(rows, start=2):
        _require(row.get("kind") in {"city", "state"} and bool(row.get("name"))
                 and len(row.get("state", "")) == 2, "places.csv", f"bad row on line {number}")
    return rows


@lru_cache(maxsize=None)
def common_words() -> frozenset[str]:
    """Everyday English and Spanish words (``common_words.txt``, see ``data/build.py``)."""
    words = frozenset(_read_text("common_words.txt").split())
    _require(len(words) > 1000 and all(w == w.lower() for w in words), "common_words.txt",
             "expected over 1,000 lower-case words")
    return words


_INDICATOR_KEYS = {"id", "label", "grade", "source", "weight", "direction"}
_SIGNALS = {"obscured_contact", "multiple_ages"}


def check_catalog(data: dict[str, Any], file: str = "indicators.json") -> dict[str, Any]:
    """Validate an indicator catalog (packaged or user-supplied) and return it."""
    _require(isinstance(data.get("version"), str), file, "missing 'version'")
    _require(data.get("schema") == 1, file, "unsupported 'schema' (expected 1)")
    sources, grades = data.get("sources", {}), data.get("grades", {})
    seen: set[str] = set()
    for entry in data.get("indicators", []):
        missing = _INDICATOR_KEYS - entry.keys()
        _require(not missing, file, f"indicator {entry.get('id')!r} lacks {sorted(missing)}")
        ident = entry["id"]
        _require(ident not in seen, file, f"duplicate indicator id {ident!r}")
        seen.add(ident)
        _require(entry["source"] in sources, file, f"{ident}: unknown source {entry['source']!r}")
        _require(entry["grade"] in grades, file, f"{ident}: unknown grade {entry['grade']!r}")
        _require(isinstance(entry["weight"], (int, float)), file, f"{ident}: weight not a number")
        has_patterns, has_signal = "patterns" in entry, "signal" in entry
        _require(has_patterns != has_signal, file, f"{ident}: needs exactly one of patterns/signal")
        if has_signal:
            _require(entry["signal"] in _SIGNALS, file,
                     f"{ident}: unknown signal {entry['signal']!r}")
        else:
            for pattern in entry["patterns"]:
                try:
                    re.compile(pattern)
                except re.error as exc:
                    raise CatalogProblem(f"{file}: {ident}: bad pattern ({exc})") from None
    _require(bool(seen), file, "no indicators")
    return data


@lru_cache(maxsize=None)
def indicator_catalog() -> dict[str, Any]:
    """The packaged, versioned indicator catalog."""
    return check_catalog(json.loads(_read_text("indicators.json")))


@lru_cache(maxsize=None)
def lead_scoring() -> dict[str, Any]:
    """Weights of the terms that rank networks as leads."""
    data = json.loads(_read_text("lead_scoring.json"))
    terms = data.get("terms")
    _require(isinstance(terms, dict), "lead_scoring.json", "missing 'terms'")
    for name in ("size", "shared_identifier", "template", "cities", "names", "ages", "ad_score"):
        _require(name in terms and isinstance(terms[name].get("weight"), (int, float)),
                 "lead_scoring.json", f"term {name!r} missing or without a numeric weight")
    grades = data.get("support")
    _require(isinstance(grades, dict) and {"contact", "text"} <= set(grades) and all(
        isinstance(value, (int, float)) for value in grades.values()), "lead_scoring.json",
        "'support' needs numeric factors for 'contact' and 'text'")
    return data
