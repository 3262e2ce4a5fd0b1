"""Start-up check: the shipped indicator catalog and triage rules load and agree.

A bad edit to ``vocab/indicators.json`` or ``vocab/triage_rules.json`` then stops
``harborlight check``/``serve`` with the file, entry and key at fault, instead of failing
on the first tip.
"""

from __future__ import annotations

from django.core import checks

from harborlight.vocab.loader import VocabularyError


@checks.register()
def intake_vocabularies(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    from harborlight.vocab.indicators import build_catalog
    from harborlight.vocab.triage import check_rules_against_catalog, load_rules

    try:
        check_rules_against_catalog(load_rules(), build_catalog())
    except VocabularyError as problem:
        return [checks.Error(f"intake vocabulary: {problem}", id="harborlight.intake.E001")]
    return []
