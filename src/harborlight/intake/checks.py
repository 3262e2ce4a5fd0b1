"""Start-up checks: the shipped indicator catalog and triage rules load and agree, the
triage levels the rules name are the levels tips can store, and the learned reading's
weights load (a warning: without them narrative assist reads with its rules alone).

A bad edit to ``vocab/indicators.json`` or ``vocab/triage_rules.json`` then stops
``harborlight check``/``serve`` with the file, entry and key at fault, instead of failing
on the first tip.
"""

from __future__ import annotations

from django.core import checks

from harborlight.intake.models import TriageLevel
from harborlight.vocab import indicators
from harborlight.vocab.loader import VocabularyError
from harborlight.vocab.narrative_model import load_model
from harborlight.vocab.triage import check_rules_against_catalog, load_rules


@checks.register()
def intake_vocabularies(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    try:
        rules = load_rules()
        # read afresh, not the cached catalog: the check is of the file as shipped
        shipped = indicators.parse_catalog(indicators.shipped_catalog_text())
        check_rules_against_catalog(rules, shipped)
    except VocabularyError as problem:
        return [checks.Error(f"intake vocabulary: {problem}", id="harborlight.intake.E001")]
    return level_drift(rules.levels, TriageLevel.values) + learned_reading()


def learned_reading() -> list[checks.CheckMessage]:
    """A warning when the learned reading's weights are missing or damaged: narrative
    assist then reads with its rules alone (it keeps working), and says so here."""
    try:
        load_model()
    except VocabularyError as problem:
        return [checks.Warning(
            f"narrative assist reads with its rules alone: {problem}",
            hint="reinstall Harborlight, or rewrite the file with "
                 "`python bench/intake_loso.py --ship`", id="harborlight.intake.W001")]
    return []


def level_drift(rule_levels, stored_levels) -> list[checks.CheckMessage]:
    """An error unless the rules' levels are exactly the storable levels, in urgency order."""
    if list(rule_levels) == list(stored_levels):
        return []
    return [checks.Error(f"triage levels differ: vocab/triage_rules.json has "
                         f"{', '.join(rule_levels)}; tips store {', '.join(stored_levels)}",
                         id="harborlight.intake.E002")]
