"""The start-up check reports a broken catalog or rules file, naming the fault."""

from __future__ import annotations

import json

from harborlight.intake.checks import intake_vocabularies
from harborlight.vocab import indicators


def test_it_passes_with_the_shipped_files():
    assert intake_vocabularies() == []


def test_it_names_a_broken_catalog_entry(monkeypatch):
    document = json.loads(indicators.shipped_catalog_text())
    document["indicators"][0]["evidence_grade"] = "Z"
    monkeypatch.setattr(indicators, "shipped_catalog_text", lambda: json.dumps(document))
    problems = intake_vocabularies()
    assert [p.id for p in problems] == ["harborlight.intake.E001"]
    assert "evidence grade" in problems[0].msg


def test_it_names_levels_that_drifted_apart():
    from harborlight.intake.checks import level_drift

    assert level_drift(("emergency", "high"), ["emergency", "high"]) == []
    [problem] = level_drift(("emergency", "urgent", "high"), ["emergency", "high"])
    assert problem.id == "harborlight.intake.E002" and "urgent" in problem.msg
