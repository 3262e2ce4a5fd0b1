"""Reading a long cue list cue by cue (vocab/narrative.py: find_all) finds exactly what
the one alternation finds, sooner."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from harborlight.vocab.indicators import build_catalog
from harborlight.vocab.narrative import (Text, find_all, load_reading, required_strings,
                                         top_level_branches)

DATA = Path(__file__).resolve().parents[1] / "intake" / "data"


@pytest.mark.parametrize("pattern, branches", [
    ("a|(b|c)|d", ["a", "(b|c)", "d"]),
    (r"x\|y|z", [r"x\|y", "z"]),
    ("[|]|[]|]|[^]|]|q", ["[|]", "[]|]", "[^]|]", "q"]),
    ("(?:a|b)", ["(?:a|b)"]),
])
def test_it_splits_a_pattern_at_its_top_level_bars_only(pattern, branches):
    assert top_level_branches(pattern) == branches


def test_it_names_the_words_every_match_must_contain():
    # Each word is a substring test on every narrative: the fewest strings of 4 characters
    # or more win, out of the literal runs, the groups and the runs spelled out.
    needs = required_strings(r"\b(men|guys)\b.{0,80}\b(gets|cobra) (money|dinero) "
                             r"(from them|de ellos)\b", re.I)
    assert needs == ("de ellos", "from them")
    assert required_strings(r"\b(\w+ ){0,2}\d+", re.I) is None, "nothing literal: none"
    assert required_strings(r"(?<!hours )\b(Lap Dance|VIP Room)", re.I) == (
        "lap dance", "vip room"), "lower case, past a look-behind"
    assert required_strings(r"\b(owes?|owed|owing)\b(?! me)", re.I) == ("owe", "owing"), (
        "an optional letter: with it and without it, and 'owed' holds 'owe'")
    assert required_strings(r"\b(the )?(\w+ )?debt", re.I) == ("debt",), (
        "an optional word alone is no requirement; the word after it is")
    assert required_strings(r"\bthe (boss|jefe) (took|tomo) (her|his) passport", re.I) == (
        " passport",), "one literal word beats a run spelled out eight ways"
    assert required_strings(r"\b(he|she) (is|was)\b", re.I) == (
        "he is", "he was"), "short runs spelled out, shortened where one holds another"


def test_it_finds_the_words_needed_inside_groups_and_across_alternatives():
    # A catalog cue is one group holding its English and Spanish alternatives: each needs
    # a word of its own, so the cue needs one of them.
    assert required_strings(r"(?:\b(prostitut\w*|brothel\w*)\b|\b(burdel|prostibulo)\b)",
                            re.I) == ("brothel", "burdel", "prostibulo", "prostitut")
    needs = required_strings(r"(?:\b(spend|be) with (a|the) client for money\b"
                             r"|\b(dormir|estar) con un cliente( por dinero)?\b)", re.I)
    assert needs == (" client for money", " con un cliente"), "each alternative's own"
    assert required_strings(r"(?:\bdebt\b|\b(\w+ ){0,2}\d+ hours)", re.I) == (
        " hours", "debt"), "a literal after a repeat"
    assert required_strings(r"(?:\bdebt\b|\b\d+\w*)", re.I) is None, (
        "one alternative needs no word: the cue needs none")
    assert required_strings(r"(la|las)+ (venden|vende)", re.I) == (" vende",), (
        "after a group repeated at least once; ' venden' holds ' vende'")


def every_entry():
    catalog, reading = build_catalog(), load_reading()
    entries = list(catalog.coding_cues) + list(catalog.indicators) + list(
        reading.context) + list(reading.signals)
    return [entry for entry in entries if entry.pattern is not None], reading


def test_it_finds_what_the_alternation_finds_in_the_labelled_narratives():
    """Every list, on 1,500 narratives spread over every labelled set (all ~3,000 took a
    minute and a half, the whole alternation being the slow reference)."""
    entries, reading = every_entry()
    long_lists = [e for e in entries if len(top_level_branches(e.pattern.pattern)) >= 8]
    assert len(long_lists) > 20, "the fast path is exercised"
    narratives = [json.loads(line)["text"] for path in sorted(DATA.glob("*.jsonl"))
                  for line in path.read_text(encoding="utf-8").splitlines() if line]
    assert len(narratives) > 1000
    stride = max(1, len(narratives) // 1500)
    for narrative in narratives[::stride]:
        folded = Text(narrative, reading.shorthand).folded
        for entry in entries:  # long lists cue by cue, short ones after their words' test
            expected = [m.span() for m in entry.pattern.finditer(folded)
                        if m.end() > m.start()]
            assert [m.span() for m in find_all(entry.pattern, folded)] == expected, (
                entry.id, narrative)


def test_the_first_cue_in_order_wins_where_two_match_at_one_place():
    cues = "|".join(f"(?:{cue})" for cue in
                    ["zz1", "zz2", "zz3", "zz4", "zz5", "zz6", r"\bhe (took|kept)", r"\bhe took her"])
    pattern = re.compile(cues, re.I)
    text = "Then he took her passport. He kept it."
    assert [m.group() for m in find_all(pattern, text)] == [
        m.group() for m in pattern.finditer(text)] == ["he took", "He kept"]
