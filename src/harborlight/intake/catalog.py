"""The catalog and rules in force: the shipped files plus administrators' extensions.

Compiling the catalog's patterns costs a few milliseconds, so the result is cached and
rebuilt only when the set of extensions changes (their ids and timestamps are the key).
"""

from __future__ import annotations

import functools
import json

from harborlight.vocab.indicators import Catalog, build_catalog
from harborlight.vocab.triage import TriageRules, check_rules_against_catalog, load_rules


@functools.lru_cache(maxsize=8)
def _catalog_for(extensions_json: str) -> Catalog:
    catalog = build_catalog(json.loads(extensions_json))
    check_rules_against_catalog(load_rules(), catalog)
    return catalog


def current_catalog() -> Catalog:
    from harborlight.intake.models import CatalogExtension

    entries = [extension.as_catalog_entry()
               for extension in CatalogExtension.objects.order_by("indicator_id")]
    return _catalog_for(json.dumps(entries, sort_keys=True))


def current_rules() -> TriageRules:
    return load_rules()
