"""Narrative assist: suggest indicators and HTCDS codings from a tip's free text.

Each suggestion carries the span of text that triggered it (character offsets into the
narrative) so an operator can judge it in context, then confirm or reject it. Nothing here
decides on its own: suggestions feed triage until an operator rejects them.

The cues are the catalog's (``vocab/indicators.json``), written from published indicator
lists. This module only adds one general rule: a cue preceded, in the same sentence and
within three words, by a negation ("no", "not", "never", "without", "denies") does not
count, so "there were no bruises" suggests nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from harborlight.vocab.indicators import CODED_FIELDS, Catalog

NEGATION_BEFORE = re.compile(
    r"\b(no|not|never|without|denies|denied|isn't|wasn't|aren't|weren't|doesn't|didn't|"
    r"don't|nothing|none|nobody|no one|neither|nor)\b(\W+\w+){0,2}\W*$", re.IGNORECASE)
LOOKBEHIND_CHARS = 40  # how far back a negation may stand before a cue
SENTENCE_BREAK = re.compile(r"[.!?;\n]")


@dataclass(frozen=True)
class Suggestion:
    """One suggestion: ``kind`` is "indicator" or "coding"; ``key`` is stable per tip."""

    kind: str
    key: str
    label: str
    start: int
    end: int
    text: str
    field: str = ""
    value: str = ""
    indicator_ids: tuple[str, ...] = ()

    def to_dict(self) -> dict:
        return {"kind": self.kind, "key": self.key, "label": self.label,
                "field": self.field, "value": self.value,
                "span": {"start": self.start, "end": self.end, "text": self.text},
                "indicators": list(self.indicator_ids)}


def _is_negated(narrative: str, start: int) -> bool:
    before = narrative[max(0, start - LOOKBEHIND_CHARS):start]
    breaks = list(SENTENCE_BREAK.finditer(before))
    if breaks:
        before = before[breaks[-1].end():]
    return bool(NEGATION_BEFORE.search(before))


def _first_match(narrative: str, cues) -> re.Match | None:
    """The first non-empty, non-negated match of the first cue that has one."""
    for cue in cues:
        match = next((m for m in cue.finditer(narrative)
                      if m.end() > m.start() and not _is_negated(narrative, m.start())), None)
        if match is not None:
            return match
    return None


def find_indicator_spans(narrative: str, catalog: Catalog) -> list[tuple]:
    """(indicator, start, end) for the first non-negated match of each indicator."""
    found = []
    for indicator in catalog.indicators:
        match = _first_match(narrative, indicator.cues)
        if match is not None:
            found.append((indicator, match.start(), match.end()))
    return sorted(found, key=lambda item: (item[1], item[0].id))


def suggest(narrative: str, catalog: Catalog) -> list[Suggestion]:
    """Indicator suggestions, then the HTCDS codings they imply, each with a text span."""
    narrative = narrative or ""
    suggestions: list[Suggestion] = []
    codings: dict[tuple[str, str], list] = {}
    for indicator, start, end in find_indicator_spans(narrative, catalog):
        suggestions.append(Suggestion("indicator", f"indicator:{indicator.id}",
                                      indicator.description, start, end,
                                      narrative[start:end], indicator_ids=(indicator.id,)))
        for field_name, values in indicator.codings.items():
            for value in values:
                codings.setdefault((field_name, value), []).append((indicator.id, start, end))
    for cue in catalog.coding_cues:
        if (cue.field, cue.value) in codings:
            continue
        match = _first_match(narrative, cue.cues)
        if match is not None:
            codings[(cue.field, cue.value)] = [(cue.id, match.start(), match.end())]
    order = {name: number for number, name in enumerate(CODED_FIELDS)}
    for (field_name, value), sources in sorted(codings.items(),
                                                key=lambda item: (order[item[0][0]], item[0])):
        _, start, end = sources[0]
        suggestions.append(Suggestion("coding", f"coding:{field_name}:{value}",
                                      f"{field_name} = {value}", start, end,
                                      narrative[start:end], field_name, value,
                                      tuple(source[0] for source in sources
                                            if catalog.get(source[0]) is not None)))
    return suggestions


def codings_of(suggestions: list[Suggestion]) -> dict[str, set[str]]:
    """{HTCDS field: values} from coding suggestions (what the benchmark scores)."""
    found: dict[str, set[str]] = {}
    for suggestion in suggestions:
        if suggestion.kind == "coding":
            found.setdefault(suggestion.field, set()).add(suggestion.value)
    return found


def segments(narrative: str, suggestions: list[Suggestion]) -> list[tuple[str, bool]]:
    """The narrative cut into (text, marked) pieces, marking every suggestion's span.

    Overlapping spans merge into one mark; templates escape each piece, so marking never
    turns a reporter's text into markup.
    """
    spans = sorted((s.start, s.end) for s in suggestions if s.end > s.start)
    merged: list[list[int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    pieces, cursor = [], 0
    for start, end in merged:
        if start > cursor:
            pieces.append((narrative[cursor:start], False))
        pieces.append((narrative[start:end], True))
        cursor = end
    if cursor < len(narrative):
        pieces.append((narrative[cursor:], False))
    return pieces
