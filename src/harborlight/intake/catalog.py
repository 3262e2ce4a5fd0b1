"""The catalog and rules in force: the shipped files plus administrators' extensions.

Compiling the catalog's patterns costs a few milliseconds and reading the extensions a
query, which the public tip endpoint should not pay on every report. So the catalog is
kept per process for ``REFRESH_SECONDS``: an extension added here takes effect at once in
this process (:func:`forget_catalog`) and within that time in any other server process.
"""

from __future__ import annotations

import functools
import json
import threading
import time

from harborlight.intake.models import CatalogExtension
from harborlight.vocab.indicators import Catalog, build_catalog
from harborlight.vocab.triage import TriageRules, check_rules_against_catalog, load_rules

REFRESH_SECONDS = 30.0
_lock = threading.Lock()
_cached: tuple[float, Catalog] | None = None


@functools.lru_cache(maxsize=8)
def _catalog_for(extensions_json: str) -> Catalog:
    catalog = build_catalog(json.loads(extensions_json))
    check_rules_against_catalog(load_rules(), catalog)
    return catalog


def current_catalog(now: float | None = None) -> Catalog:
    global _cached
    now = time.monotonic() if now is None else now
    with _lock:
        if _cached is not None and now - _cached[0] < REFRESH_SECONDS:
            return _cached[1]
    entries = [extension.as_catalog_entry()
               for extension in CatalogExtension.objects.order_by("indicator_id")]
    catalog = _catalog_for(json.dumps(entries, sort_keys=True))
    with _lock:
        _cached = (now, catalog)
    return catalog


def forget_catalog() -> None:
    """Drop this process's copy (after an extension was added, or between tests)."""
    global _cached
    with _lock:
        _cached = None


def current_rules() -> TriageRules:
    return load_rules()


def add_extension(entry: dict, by) -> CatalogExtension:
    """Add an administrator's indicator to the catalog in force (this process at once)."""
    extension = CatalogExtension.objects.create(
        indicator_id=entry["id"], category=entry["category"],
        description=entry["description"], evidence_grade=entry["evidence_grade"],
        source=entry["source"], cues=entry["cues"], codings=entry["codings"], added_by=by)
    forget_catalog()
    return extension
