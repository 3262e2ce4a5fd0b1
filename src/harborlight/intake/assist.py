"""Narrative assist: suggest indicators, HTCDS codings and signals from a tip's free text.

Each suggestion carries the span of text that triggered it (character offsets into the
narrative) so an operator can judge it in context, then confirm or reject it. Nothing here
decides on its own: suggestions feed triage until an operator rejects them.

What to look for is the catalog's (``vocab/indicators.json``); how to read it is
``vocab/narrative.json`` (:mod:`harborlight.vocab.narrative`), in English and Spanish:

1. the narrative is folded (accents off) and cut into sentences;
2. each indicator and coding cue takes its first match that counts: not negated ("was not
   forced", "no la obligan"), not in the "if" part of a condition ("if he tried to
   leave"), not a name of the crime in a request for training; a minor's age said of a
   dependant ("her kids are asleep") does not count, nor one said of a decoy in a sting,
   nor an age in a story with no sign of exploitation at all;
3. the type of exploitation is decided from the points of what was found
   (:func:`~harborlight.vocab.narrative.decide_types`); its suggestion shows the decisive
   spans, and codings that depend on a type (industry, form) follow it;
4. signals say whether it is happening now, with the sentence that says so.
"""

from __future__ import annotations

from dataclasses import dataclass

from harborlight.vocab.indicators import CODED_FIELDS, MINOR_FLAG, Catalog
from harborlight.vocab.narrative import Hit, Reading, Text, decide_types, load_reading
from harborlight.vocab.triage import Evidence

REPORTER_SIGNS = "reporter_signs"  # answers key: signs a reporter ticked in the self-check
MAX_REPORTER_SIGNS = 40


def public_signs(catalog: Catalog, language: str) -> dict[str, str]:
    """Indicator id -> public words, for the signs a reader can tick (the guide's sections
    but the recruiter disguises, which are ways in, not things seen)."""
    return {indicator.id: indicator.public[language]
            for section in catalog.public_guide if section["id"] != "recruiters"
            for category in section["categories"]
            for indicator in catalog.indicators
            if indicator.category == category and indicator.public}


def ticked_signs(catalog: Catalog, idents, language: str = "en") -> list[tuple[str, str]]:
    """(id, words) of the ticked ``idents`` that are public signs, each once, in order, at
    most MAX_REPORTER_SIGNS; anything else is dropped (the form and the API alike)."""
    known = public_signs(catalog, language)
    return [(ident, known[ident]) for ident in dict.fromkeys(idents)
            if ident in known][:MAX_REPORTER_SIGNS]


@dataclass(frozen=True)
class Suggestion:
    """One suggestion: ``kind`` is "indicator", "coding" or "signal"; ``key`` is stable
    per tip. ``evidence`` holds every span that decided it (a type of exploitation);
    ``note`` says how a Harborlight coding maps to HTCDS; ``sentence`` a signal's."""

    kind: str
    key: str
    label: str
    start: int
    end: int
    text: str
    field: str = ""
    value: str = ""
    indicator_ids: tuple[str, ...] = ()
    evidence: tuple[tuple[int, int, str], ...] = ()
    note: str = ""
    sentence: str = ""

    def to_dict(self) -> dict:
        return {"kind": self.kind, "key": self.key, "label": self.label,
                "field": self.field, "value": self.value,
                "span": {"start": self.start, "end": self.end, "text": self.text},
                "indicators": list(self.indicator_ids),
                "evidence": [{"start": s, "end": e, "text": t} for s, e, t in self.evidence],
                "note": self.note, "sentence": self.sentence}


# -- finding -----------------------------------------------------------------------------

def _counts(text: Text, reading: Reading, entry, start: int) -> bool:
    if reading.negated(text, start):
        return False
    if not getattr(entry, "in_conditions", False) and reading.in_condition(text, start):
        return False
    return not (getattr(entry, "topic", False) and reading.about_the_topic(text, start))


def _is_dependant(text: Text, reading: Reading, start: int, end: int) -> bool:
    """"her 4-year-old", "my kids are asleep", "threatened her children": a child of
    someone in the story, not a child being exploited (unless the sentence says so)."""
    minor = reading.minor
    sentence = text.folded[slice(*text.sentence_bounds(start))]
    if minor.exploited_after.search(sentence):
        return False
    return bool(minor.dependant_before.search(text.before(start, 30))
                or minor.dependant_sentence.search(sentence))


def _in_sting(text: Text, reading: Reading, start: int, end: int) -> bool:
    """In a narrative with a decoy, an age or "a minor" is the persona's unless its
    sentence speaks of a real victim ("two actual minor victims")."""
    sentence = text.folded[slice(*text.sentence_bounds(start))]
    keeps = reading.minor.decoy_keeps
    if keeps is not None and keeps.search(sentence) and not reading.minor.decoy_drops.search(
            text.folded[start:end]):
        return False
    return True


def _matches(text: Text, reading: Reading, entry, *, minor=False, decoy=False):
    """(start, end) of each match of the entry that counts, in order."""
    if entry.pattern is None:
        return
    with_ = getattr(entry, "with_", None)
    for match in entry.pattern.finditer(text.folded):
        start, end = match.span()
        if end == start or not _counts(text, reading, entry, start):
            continue
        if reading.answered_no is not None and reading.answered_no.match(text.folded, end):
            continue  # a form's question answered "no": "Anyone under 18: no"
        if with_ is not None and not with_.search(text.folded[slice(*text.sentence_bounds(start))]):
            continue
        if minor and (_is_dependant(text, reading, start, end)
                      or (decoy and _in_sting(text, reading, start, end))):
            continue
        yield start, end


def _first(text: Text, reading: Reading, entry, **kwargs):
    """(start, end) of the entry's first match that counts, or None. An entry with
    ``repeats`` > 1 (euphemisms) keeps how many distinct matches it had, up to that."""
    found = []
    for span in _matches(text, reading, entry, **kwargs):
        found.append(span)
        if len(found) >= getattr(entry, "repeats", 1):
            break
    if not found:
        return None
    return (*found[0], len(found)) if getattr(entry, "repeats", 1) > 1 else found[0]


@dataclass
class Found:
    """Everything read from one narrative, before it becomes suggestions."""

    indicators: list          # (indicator, start, end)
    coding_cues: list         # (coding cue, start, end)
    context: list             # (context cue, start, end)
    signals: list             # (signal, start, end)
    repeated: dict            # indicator id -> distinct matches counted (``repeats``)


def find(text: Text, catalog: Catalog, reading: Reading, without: frozenset = frozenset()
         ) -> Found:
    minor_ids = set(reading.minor.indicators)
    repeated: dict[str, int] = {}
    coding_cues = []
    for cue in catalog.coding_cues:
        span = _first(text, reading, cue)
        if span is not None:
            coding_cues.append((cue, *span))
    decoy = any(cue.field == reading.minor.decoy_field for cue, *_ in coding_cues)
    indicators = []
    for indicator in catalog.indicators:
        if indicator.id in without:
            continue
        span = _first(text, reading, indicator, minor=indicator.id in minor_ids, decoy=decoy)
        if span is not None:
            indicators.append((indicator, *span[:2]))
            if len(span) > 2:
                repeated[indicator.id] = span[2]
    indicators.sort(key=lambda item: (item[1], item[0].id))
    context = [(cue, *span) for cue in reading.context
               if (span := _first(text, reading, cue)) is not None]
    signals = [(signal, *span) for signal in reading.signals
               if (span := _first(text, reading, signal)) is not None]
    return Found(indicators, coding_cues, context, signals, repeated)


# -- deciding and suggesting -------------------------------------------------------------

def _hit(text: Text, entry, start: int, end: int, times: int = 1) -> Hit:
    start, end, said = text.span(start, end) if end > start else (0, 0, "")
    return Hit(entry.id, {k: v * times for k, v in entry.points.items()},
               dict(getattr(entry, "support", {})), start, end, said)


def _note(reading: Reading, field_name: str, value: str, language: str = "en") -> str:
    spec = reading.own_fields.get(field_name, {}).get("values", {}).get(value)
    return spec["note"].get(language) or spec["note"]["en"] if spec else ""


def suggest(narrative: str, catalog: Catalog, reading: Reading | None = None, *,
            without: frozenset = frozenset(), adding: tuple = ()) -> list[Suggestion]:
    """Indicators, then the codings they imply, then signals, each with its text span.

    ``without``: indicator ids an operator rejected; ``adding``: indicators an operator
    selected (no span). Triage reads the narrative this way; the page shows the plain
    reading, with the operator's decisions beside it.
    """
    reading = reading or load_reading()
    text = Text(narrative or "", reading.shorthand)
    found = find(text, catalog, reading, without)
    hits = [_hit(text, entry, s, e, found.repeated.get(entry.id, 1))
            for entry, s, e in found.indicators + found.coding_cues]
    hits += [Hit(indicator.id, dict(indicator.points), dict(indicator.support))
             for indicator in adding if indicator.id not in {h.source for h in hits}]
    hits += [_hit(text, cue, s, e) for cue, s, e in found.context]
    decisions = decide_types(hits, reading)
    decided = {decision.value for decision in decisions}
    ages = set(reading.minor.age_indicators)
    if reading.minor.needs_sign and not decisions and all(
            entry.id in ages for entry, *_ in found.indicators):
        found.indicators = []  # an age alone ("my 13-year-old is bullied") is no case

    suggestions: list[Suggestion] = []
    codings: dict[tuple[str, str], list[Hit]] = {}
    for decision in decisions:
        codings[("vic_TypeOfExploitation", decision.value)] = list(decision.evidence)
    for entry, start, end in found.indicators:
        start, end, said = text.span(start, end)
        suggestions.append(Suggestion("indicator", f"indicator:{entry.id}", entry.words(),
                                      start, end, said, indicator_ids=(entry.id,)))
    by_source = {hit.source: hit for hit in hits}
    for entry, *_ in found.indicators + found.coding_cues:
        entry_codings = (entry.codings if hasattr(entry, "codings")
                         else {entry.field: (entry.value,)})
        follows_type = bool(set(entry.points) & decided)
        for field_name, values in entry_codings.items():
            if field_name in reading.gated_fields and not follows_type:
                continue
            for value in values:
                codings.setdefault((field_name, value), []).append(by_source[entry.id])
    for (field_name, value) in list(codings):
        mapped = reading.own_fields.get(field_name, {}).get("values", {}).get(value)
        for htcds_field, htcds_values in (mapped or {}).get("htcds", {}).items():
            for htcds_value in htcds_values:
                codings.setdefault((htcds_field, htcds_value), codings[(field_name, value)])
    order = {name: number for number, name in enumerate(CODED_FIELDS)}
    for (field_name, value), sources in sorted(
            codings.items(), key=lambda item: (order.get(item[0][0], 99), item[0])):
        first = sources[0]
        suggestions.append(Suggestion(
            "coding", f"coding:{field_name}:{value}", f"{field_name} = {value}",
            first.start, first.end, first.text, field_name, value,
            tuple(dict.fromkeys(h.source for h in sources if catalog.get(h.source))),
            evidence=tuple(dict.fromkeys((h.start, h.end, h.text) for h in sources
                                         if h.end > h.start)),
            note=_note(reading, field_name, value)))
    for signal, start, end in found.signals:
        begin, stop, said = text.span(start, end)
        suggestions.append(Suggestion("signal", f"signal:{signal.id}", signal.label["en"],
                                      begin, stop, said, sentence=text.sentence(start)))
    return suggestions


def evidence(narrative: str, answers: dict, catalog: Catalog, reading: Reading | None = None,
             *, found: list[Suggestion] | None = None, rejected=frozenset(),
             confirmed=frozenset()) -> Evidence:
    """What triage judges (:class:`~harborlight.vocab.triage.Evidence`): the answers, the
    indicators in play (suggested and not rejected, confirmed, or selected by the operator
    in ``answers["indicators"]``), and the codings and signals of the narrative read again
    with them. A rejected coding or signal (its suggestion key) is left out, so "no, this
    is not sexual exploitation" or "no, this is not happening now" changes the level.
    """
    reading = reading or load_reading()
    found = found if found is not None else suggest(narrative, catalog, reading)
    indicators: dict[str, dict] = {}

    def add(indicator, origin: str, span_text: str = "") -> None:
        codings = {name: [v for v in values if f"coding:{name}:{v}" not in rejected]
                   for name, values in indicator.codings.items()
                   if name not in reading.gated_fields}
        indicators[indicator.id] = {"category": indicator.category,
                                    "codings": {k: v for k, v in codings.items() if v},
                                    "origin": origin, "span_text": span_text}

    for suggestion in found:
        if suggestion.kind == "indicator" and suggestion.key not in rejected:
            add(catalog.get(suggestion.indicator_ids[0]),
                "confirmed" if suggestion.key in confirmed else "suggested", suggestion.text)
    selected = [i for i in map(catalog.get, answers.get("indicators", [])) if i is not None]
    for indicator in selected:
        if indicator.id not in indicators:
            add(indicator, "selected by operator")
    ticked = [i for i in map(catalog.get, answers.get(REPORTER_SIGNS, [])) if i is not None]
    for indicator in ticked:  # "Assess what you saw": signs the reporter ticked
        if indicator.id not in indicators:
            add(indicator, "ticked by the reporter")
    selected += [i for i in ticked if i not in selected]
    read_again = found if not (rejected or selected) else suggest(
        narrative, catalog, reading, adding=tuple(selected),
        without=frozenset(key.split(":", 1)[1] for key in rejected
                          if key.startswith("indicator:")))
    codings: dict[str, dict[str, str]] = {}
    signals: dict[str, dict] = {}
    for suggestion in read_again:
        if suggestion.key in rejected:
            continue
        if suggestion.kind == "coding" and (suggestion.field in reading.gated_fields
                                            or suggestion.field == MINOR_FLAG):
            codings.setdefault(suggestion.field, {})[suggestion.value] = suggestion.text
        elif suggestion.kind == "signal":
            signals[suggestion.key.split(":", 1)[1]] = {"text": suggestion.text,
                                                        "sentence": suggestion.sentence}
    answered = {k: v for k, v in answers.items() if k not in ("indicators", REPORTER_SIGNS)}
    return Evidence(answered, indicators, codings, signals)


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
