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

import functools
import logging
import re
from dataclasses import dataclass, field

from harborlight.vocab.indicators import CODED_FIELDS, MINOR_FLAG, Catalog
from harborlight.vocab.loader import VocabularyError
from harborlight.vocab.narrative import (Hit, Reading, Text, decide_types, find_all,
                                        load_reading)
from harborlight.vocab.narrative_model import (DISPUTED_SIGNALS, LEARNED_SIGNAL_LABELS,
                                               LEVEL_SIGNALS, NO_EXPLOITATION_SIGNAL,
                                               WITHDRAWN_SIGNALS, Feature,
                                               NarrativeModel, load_model, probability,
                                               rule_features, text_features)
from harborlight.vocab.triage import Evidence

logger = logging.getLogger(__name__)
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
    chance: float = 0.0  # a coding the learned reading added: its chance (else 0)

    def to_dict(self) -> dict:
        return {"kind": self.kind, "key": self.key, "label": self.label,
                "field": self.field, "value": self.value,
                "span": {"start": self.start, "end": self.end, "text": self.text},
                "indicators": list(self.indicator_ids),
                "evidence": [{"start": s, "end": e, "text": t} for s, e, t in self.evidence],
                "note": self.note, "sentence": self.sentence}


# -- finding -----------------------------------------------------------------------------

# A sector word that is part of an address names a place, not the work done there
# (eleventh set: a DV call "at a duplex on Orchard St" read as farm work).
PLACE_FIELDS = frozenset({"vic_ForcedLabourIndustry"})
EMPLOYMENT_CONTEXT = "context.employment"  # "someone works for someone" (narrative.json)
PLACE_AFTER = re.compile(r"\W{0,2}\s(st|street|ave|avenue|rd|road|blvd|boulevard|lane|ln|"
                         r"dr|drive|court|ct|terrace|heights|hills|"
                         r"estates)\b\.?", re.I)
PLACE_BEFORE = re.compile(r"\b(calle|avenida|av|col|colonia|fraccionamiento|fracc|barrio|"
                          r"callejon|privada|blvd|boulevard)\.?\s+"
                          r"(de(l| la| los| las)?\s+)?$", re.I)


def _counts(text: Text, reading: Reading, entry, start: int) -> bool:
    if reading.negated(text, start):
        return False
    if not getattr(entry, "in_conditions", False) and reading.in_condition(text, start):
        return False
    return not (getattr(entry, "topic", False) and reading.about_the_topic(text, start))


TOPIC_CHILD = re.compile(r"\b(my|our|mi|nuestr[ao]) (\w+ )?(daughter|son|child|kid|niece|nephew|"
                         r"granddaughter|grandson|stepdaughter|stepson|hija|hijo|sobrina|"
                         r"sobrino|nieta|nieto|hijastr[ao])\W{0,3}(is|just turned|tiene|"
                         r"(eh|este|um|uh)\W+tiene|(de )?(1[0-7]|[1-9]))\b")
TOPIC_PRONOUN = re.compile(r"\b(she|her|he|him|ella|el|la|le|lo)\b")
TOPIC_CHILD_CHARS = 300


def _is_dependant(text: Text, reading: Reading, start: int, end: int) -> bool:
    """"her 4-year-old", "my kids are asleep", "threatened her children": a child of
    someone in the story, not a child being exploited (unless the sentence says so)."""
    minor = reading.minor
    sentence = text.folded[slice(*text.sentence_bounds(start))]
    before = text.before(start, 60)
    if minor.threat_before is not None and minor.dependant_before.search(before[-30:]) and \
            minor.threat_before.search(before):
        return True  # "threatened to hurt their children": named in a threat, not exploited
    if minor.exploited_after.search(sentence):
        return False
    if minor.dependant_sentence.search(sentence):
        return True
    if not minor.dependant_before.search(text.before(start, 30)):
        return False
    # "my daughter is 14. ... he says he will send her photos": a caller's child whose age
    # opens the story and whom the next sentences show exploited is the victim, not a child
    # mentioned in passing.
    stop = text.sentence_bounds(start)[1]
    following = text.folded[stop:stop + TOPIC_CHILD_CHARS]
    return not (TOPIC_CHILD.search(text.folded[slice(*text.sentence_bounds(start))])
                and minor.exploited_after.search(following)
                and TOPIC_PRONOUN.search(following))


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
    for match in find_all(entry.pattern, text.folded):
        start, end = match.span()
        if end == start or not _counts(text, reading, entry, start):
            continue
        if reading.answered_no is not None and reading.answered_no.match(text.folded, end):
            continue  # a form's question answered "no": "Anyone under 18: no"
        if getattr(entry, "field", None) in PLACE_FIELDS and (
                PLACE_AFTER.match(text.folded, end) or PLACE_BEFORE.search(text.folded[:start])):
            continue  # a street or district named after a trade: "Orchard St", "calle Granja"
        if (reading.promised_job is not None and (
                getattr(entry, "field", None) in PLACE_FIELDS or
                getattr(entry, "id", "") == EMPLOYMENT_CONTEXT)
                and reading.promised_job.search(text.before(start, 120))):
            continue  # the job promised as the lure, not the work done ("oferta de mesera")
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
    # ages the rules set aside as no case on their own (``needs_sign``): they count again
    # if the learned reading finds a type ("my niece, 14, worked two years for relatives")
    ages_alone: list = field(default_factory=list)


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
               dict(getattr(entry, "support", {})), start, end, said,
               getattr(entry, "unless_support", 0))


def _note(reading: Reading, field_name: str, value: str, language: str = "en") -> str:
    spec = reading.own_fields.get(field_name, {}).get("values", {}).get(value)
    return spec["note"].get(language) or spec["note"]["en"] if spec else ""


# -- the learned reading ------------------------------------------------------------------

LEARNED_TYPES = {"sex": "SexualExploitation", "labour": "ForcedLabour"}
LEARNED_NOTE = ("Suggested by the learned reading (chance {chance:.0%}), not by a rule: "
                "the words shown carried it.")
LEARNED_SPANS = 3
FUNCTION_WORDS = frozenset(
    "a an the and or but of to in on at for from with by as is are was were be been it its "
    "he she they we i you his her their my our me him them this that there who what when "
    "not no so if then than up out into about over after before".split()
    + "el la los las un una unos unas y o pero de del al a en con por para que se su sus "
      "lo le les mi me te es son era fue ya no si como mas muy".split())
SHIPPED = "shipped"  # suggest(model=SHIPPED): the model in vocab/narrative_model.json
# A type the rules decided is withdrawn when the learned reading, which reads the rules'
# evidence beside the words, gives it less than this chance (leave-one-set-out over 1,480
# strangers' tips, 2026-12-07: type right 0.872 -> 0.882, labour precision 0.917 -> 0.946;
# bench/intake_loso.py --remove). Said to the operator as a signal with the words that
# weighed against it (WITHDRAWN_SIGNALS); the rules' signs stay on the page.
LEARNED_WITHDRAWS = 0.5
# With few words to weigh, a type that needs coercion is added without a means of control
# the rules found only at this chance or more with the job described masked (RulesHold).
LEARNED_COERCED_ALONE = 0.5
# A type the rules saw no sign of at all (no indicator, no cue), or in a narrative of one
# sentence, is added only at this chance or more: a short, ordinary sentence ("two men
# asked for room 208; they were plumbers") must not become commercial sex on a few words'
# weights. 0.6 until 2026-12-07 (evening): with 6,000 training narratives, 0.5 here and
# for forced labour added without a means of control took type right from 0.874 to 0.893
# and level from 0.837 to 0.854 over four new strangers' sets (1,000 tips,
# leave-one-set-out), each type's precision unchanged (0.96, 0.94); keeping 0.6 for one
# sentence cost 0.010 of type right (0.032 on the set of one-line tips) for no precision.
# Since the late night of 2026-12-07 a one-sentence tip of under SHORT_WORDS words needs
# LEARNED_SHORT instead.
LEARNED_ALONE = 0.5
# One sentence of fewer than SHORT_WORDS words gives word weights least to go on (the
# L2-1e-5 reading gives "We sell tamales at the market on Sundays and keep what we make"
# 0.87 for forced labour): there the learned reading needs LEARNED_SHORT. Measured on
# 2,020 tips it was not trained on (2026-12-07, late night), 0.9 cost no type right; 0.9
# for every one-sentence tip cost 0.005 (long run-on sentences are told well enough).
SHORT_WORDS = 20
LEARNED_SHORT = 0.9
# Signs the rules found with no type decided are information, not "standard", when the
# learned reading gives each type less than this chance (learned.no-exploitation): on the
# validation tips level right 0.900 -> 0.913 and 0.892 -> 0.907 (0.2 gained less).
LEARNED_NO_EXPLOITATION = 0.5
SENTENCE_END = re.compile(r"[.!?\n]+\s*(?=\S)")


@functools.cache
def shipped_model() -> NarrativeModel | None:
    """The shipped learned reading, or None (rules alone) when its file is missing or
    damaged: the assist keeps working on its rules, the log says why once, and
    ``harborlight check`` names the file (:mod:`harborlight.intake.checks`)."""
    try:
        return load_model()
    except VocabularyError as exc:
        logger.warning("narrative assist reads with its rules alone: %s", exc)
        return None


def _points_band(points: int) -> str:
    return "0" if points <= 0 else "1-2" if points <= 2 else "3-5" if points <= 5 else "6+"


def is_means_of_control(entry) -> bool:
    """A sign that points to no type by itself ("kept the money", "took her passport"):
    no points of its own, only support lent to a type that has evidence."""
    if any(points > 0 for points in getattr(entry, "points", {}).values()):
        return False
    return bool(getattr(entry, "support", {})) or getattr(entry, "category", "") == "control"


def rule_evidence(found: Found, decisions, reading: Reading) -> list[tuple[str, int, int]]:
    """The rule engine's reading as named features, (name, start, end) in the folded text:
    the signs, cues, context and signals found, the types decided and the points each type
    had (decided or not), the minor and decoy findings."""
    named: list[tuple[str, int, int]] = []
    own: dict[str, int] = {}
    kinds = (("ind", found.indicators), ("cue", found.coding_cues), ("ctx", found.context))
    for kind, entry, start, end in ((k, *item) for k, items in kinds for item in items):
        named.append((f"{kind}:{entry.id}", start, end))
        if hasattr(entry, "category"):
            named.append((f"cat:{entry.category}", start, end))
        for value, points in getattr(entry, "points", {}).items():
            family = reading.family.get(value, value)
            own[family] = own.get(family, 0) + points
    named += [(f"sig:{signal.id}", start, end) for signal, start, end in found.signals]
    families = {reading.family.get(d.value, d.value) for d in decisions}
    named += [(f"rtype:{family}", 0, 0) for family in sorted(families) or ["none"]]
    named += [(f"pts:{family}:{_points_band(points)}", 0, 0)
              for family, points in sorted(own.items())]
    minor_ids = set(reading.minor.indicators)
    if any(entry.id in minor_ids for entry, *_ in found.indicators):
        named.append(("rminor", 0, 0))
    if any(cue.field == reading.minor.decoy_field for cue, *_ in found.coding_cues):
        named.append(("rdecoy", 0, 0))
    return named


def features_of(text: Text, found: Found, decisions, reading: Reading, dim: int
                ) -> list[Feature]:
    """What the learned reading sees: the narrative's n-grams and the rules' evidence."""
    return (text_features(text.folded, dim)
            + rule_features(rule_evidence(found, decisions, reading), dim))


def learning_view(text: Text, found: Found, decisions, reading: Reading, dim: int
                  ) -> tuple[list[Feature], set[str], bool, bool, list[Feature]]:
    """(features outside the means of control's spans, the families the rules decided,
    whether the rules raised the minor flag, whether they found a decoy, every feature)."""
    features = features_of(text, found, decisions, reading, dim)
    control = [(start, end) for entry, start, end in found.indicators + found.coding_cues
               if is_means_of_control(entry)]

    families = {reading.family.get(d.value, d.value) for d in decisions}
    minor_ids = set(reading.minor.indicators)
    rule_minor = any(entry.id in minor_ids for entry, *_ in found.indicators)
    decoy = any(cue.field == reading.minor.decoy_field for cue, *_ in found.coding_cues)
    return _outside(features, control), families, rule_minor, decoy, features


def view_of(narrative: str, catalog: Catalog, dim: int, reading: Reading | None = None):
    """:func:`learning_view` of a narrative as :func:`suggest` reads it (for training)."""
    reading = reading or load_reading()
    text = Text(narrative or "", reading.shorthand)
    found, _, decisions = _read(text, catalog, reading)
    return learning_view(text, found, decisions, reading, dim)


def _read(text: Text, catalog: Catalog, reading: Reading, without: frozenset = frozenset(),
          adding: tuple = ()):
    """(what was found, its hits, the types they decide): the rules' reading."""
    found = find(text, catalog, reading, without)
    hits = [_hit(text, entry, s, e, found.repeated.get(entry.id, 1))
            for entry, s, e in found.indicators + found.coding_cues]
    hits += [Hit(indicator.id, dict(indicator.points), dict(indicator.support))
             for indicator in adding if indicator.id not in {h.source for h in hits}]
    hits += [_hit(text, cue, s, e) for cue, s, e in found.context]
    decisions = decide_types(hits, reading)
    ages = set(reading.minor.age_indicators)
    if reading.minor.needs_sign and not decisions and all(
            entry.id in ages for entry, *_ in found.indicators):
        # an age alone ("my 13-year-old is bullied") is no case
        found.ages_alone, found.indicators = found.indicators, []
    return found, hits, decisions


def _outside(features: list[Feature], spans: list[tuple[int, int]]) -> list[Feature]:
    """``features`` without those read inside any of ``spans``."""
    return [f for f in features if not (f.end > f.start and any(
        f.start < stop and start < f.end for start, stop in spans))]


def read_by(model: NarrativeModel, features: list[Feature]) -> list[Feature]:
    """The features ``model`` reads: all of them, or its words alone when it was trained
    without the rules' evidence."""
    return features if model.with_rules else [f for f in features if not f.rule]


def learned(text: Text, found: Found, view, reading: Reading, model: NarrativeModel,
            withdraws: float = 0.0
            ) -> list[tuple[str, str, list[tuple[int, int, str]], float]]:
    """Codings the learned reading adds to the rules': (field, value, spans, chance), and
    ("-", family, spans, chance) for a type the rules decided that it withdraws.

    The learned reading decides the sex and labour types; the rules' evidence is among
    what it reads. It adds a type the rules did not decide, or the minor flag the rules did
    not raise (never with a decoy, only beside a type, the rules' or its own); it withdraws
    a sex or labour type the rules decided below ``withdraws``, naming the words that
    weighed against it (none, nothing withdrawn), and never touches the rules' signs, the
    minor flag or a type it has not learned. The score that decides is the model's without
    whatever the means of control found say (their spans are masked, with the n-grams
    inside them): a narrative with only a means of control gets no type from the model.
    Each coding names the spans (up to LEARNED_SPANS) of the n-grams and signs that added
    most to it, function words left out; none, no coding.

    Where the narrative gives few words to weigh (one sentence, or no sign at all), where
    its context speaks against a type, and for a strong sign beside both types, the rules
    keep the last word (:class:`RulesHold`): one sentence is too little for word weights
    to overrule a sign ("He sells my friend to guys at the rest area"), and "she places her
    own ads and keeps all her money" is not outweighed by the words of the trade. Until the
    late night of 2026-12-07 the rules kept it everywhere; once the reading was trained
    with a lighter penalty (``bench/intake_loso.py``, L2 1e-5) it read longer narratives
    better than the cues did: on 1,500 strangers' tips it had not been trained on, type
    right went from 0.942 to 0.951 (docs/bench/intake.md, late night, has the table)."""
    _, families, rule_minor, decoy, _ = view  # learning_view()
    kept = read_by(model, view[0])
    least = least_chance_alone(text, found)
    held = RulesHold.of(found, reading, few_words=bool(least), both=len(families) > 1)
    out: list = []
    for name in LEARNED_TYPES if withdraws else ():
        decision = model.decisions.get(name)
        if name not in families or name in held.strong or decision is None:
            continue
        chance = probability(decision.logit(kept))
        spans = carried_by(text, decision, kept, against=True) if chance < withdraws else []
        if spans:  # with the folded start, for the sentence shown
            out.append(("-", name, spans, chance))
    # Another type the rules decided (forced marriage) is an explanation the model has
    # never learned: it adds no type then.
    wanted = [(name, "vic_TypeOfExploitation", value) for name, value in LEARNED_TYPES.items()
              if name not in families and families <= set(LEARNED_TYPES)]
    if not rule_minor and not decoy:
        wanted.append(("minor", MINOR_FLAG, "Yes"))
    for name, field_name, value in wanted:
        decision = model.decisions.get(name)
        if decision is None or (field_name == MINOR_FLAG and not (
                families or any(f == "vic_TypeOfExploitation" for f, *_ in out))):
            continue  # a minor with no exploitation read is a caller's child, not a case
        chance = probability(decision.logit(kept))
        if chance < decision.threshold or (field_name != MINOR_FLAG and chance < least) or (
                value in held.against) or (
                value in held.needs_coercion and probability(
                    decision.logit(_outside(kept, held.work))) < LEARNED_COERCED_ALONE):
            continue  # as for the rules: a job described is not forced labour
        spans = [span[:3] for span in carried_by(text, decision, kept)]
        if spans:
            out.append((field_name, value, spans, chance))
    return out


@dataclass(frozen=True)
class RulesHold:
    """Where the rules keep the last word over the learned reading. Everywhere: a type
    the narrative's context cues speak against (an adult's own ads and money, "I quit",
    "he comes and goes") is not added by the learned reading. (Lifting that where a means
    of control is told beside it gained 0.003 of type right on the validation tips, but
    made "still owes the man who crossed him ... comes and goes, was never threatened"
    forced labour.) Where the rules decided both types, a type a sign strong enough alone
    decided is not withdrawn: word weights read a narrative whole, and its other story
    weighs against it ("her brother is made to sell drugs for a gang" told beside his
    sister's camera shows). With few words to weigh (:func:`least_chance_alone`) also:
    such a type is never withdrawn, and with no means of control found, a type that needs
    coercion is added only if the chance holds with the spans of the job described
    (``work``) masked as well. The learned reading decides the rest."""

    strong: frozenset = frozenset()
    against: frozenset = frozenset()
    needs_coercion: frozenset = frozenset()
    work: tuple = ()

    @classmethod
    def of(cls, found: Found, reading: Reading, few_words: bool, both: bool = False
           ) -> "RulesHold":
        signs = found.indicators + found.coding_cues
        points = [(entry, value, given) for entry, *_ in signs
                  for value, given in getattr(entry, "points", {}).items()]
        against = frozenset(value for entry, *_ in found.context
                            for value, given in getattr(entry, "points", {}).items() if given < 0)
        strong = frozenset(reading.family.get(value, value) for _, value, given in points
                           if given >= reading.threshold)
        if not few_words:
            return cls(against=against, strong=strong if both else frozenset())
        coerced = any(is_means_of_control(entry) for entry, *_ in signs) or any(
            given >= reading.threshold and value in reading.needs_coercion
            for _, value, given in points)
        return cls(
            strong=strong,
            against=against,
            needs_coercion=frozenset(() if coerced else reading.needs_coercion),
            work=tuple((start, end) for entry, start, end in signs
                       if set(getattr(entry, "points", {})) & set(reading.needs_coercion)))


def least_chance_alone(text: Text, found: Found) -> float:
    """The chance the learned reading needs to add a type or raise a level signal with
    few words to weigh: LEARNED_SHORT for one short sentence ("Two men asked for room 208;
    they were plumbers"), LEARNED_ALONE for a longer one or where the rules saw no sign at
    all, else none (0)."""
    sentences = len(SENTENCE_END.findall(text.folded.strip())) + 1
    if sentences < 2:
        return LEARNED_SHORT if len(text.folded.split()) < SHORT_WORDS else LEARNED_ALONE
    return LEARNED_ALONE if not (found.indicators or found.coding_cues) else 0.0


def carried_by(text: Text, decision, features: list[Feature], against: bool = False
               ) -> list[tuple[int, int, str, int]]:
    """The spans (up to LEARNED_SPANS: start, end and text as written, and the start in the
    folded text) of the n-grams and signs that added most to a decision (``against``: that
    took most from it), function words left out."""
    spans: list[tuple[int, int, str, int]] = []
    contributions = decision.contributions(features)
    if against:
        contributions = [(-weight, feature) for weight, feature in reversed(contributions)]
    for weight, feature in contributions:
        if weight <= 0 or len(spans) == LEARNED_SPANS:
            break
        span = text.span(feature.start, feature.end)
        if not feature.rule and set(text.folded[feature.start:feature.end].lower()
                                    .split()) <= FUNCTION_WORDS:
            continue  # "and", "for the": it counts, but says nothing to a reader
        if span[1] > span[0] and not any(span[0] < e and s < span[1] for s, e, *_ in spans):
            spans.append((*span, feature.start))
    return spans


def learned_signals(text: Text, found: Found, view, model: NarrativeModel, typed: bool = True
                    ) -> list[tuple[str, list[tuple[int, int, str, int]], float]]:
    """Signals the learned reading raises for triage: (signal id, spans, chance).

    ``learned.urgent``: it reads the narrative as the labelling policy's emergency (a minor
    or someone under violence exploited now); ``learned.coerced``: as exploitation with a
    means of control or of a minor. Triage rules name them (triage_rules.json) and only
    ever raise a level with them, where something points to trafficking. These read every
    feature, the means of control's included (the types' decisions read without them); with
    few words to weigh each needs :func:`least_chance_alone`. Each names the
    words that carried it; none, no signal.

    ``learned.not-urgent`` (DISPUTED_SIGNALS): where a type of exploitation is read
    (``typed``), the rules read the narrative as going on now (present tense) but the
    learned reading's urgency stays under its threshold; it names
    the words that weighed against it. Triage rules then hold back an emergency that rested
    on the present tense alone (an operator's "happening now: yes" or rejecting the signal
    restores it)."""
    kept = read_by(model, view[4])  # learning_view(): every feature
    out = []
    least = least_chance_alone(text, found)
    for name, signal_id in LEVEL_SIGNALS.items():
        decision = model.decisions.get(name)
        if decision is None:
            continue
        chance = probability(decision.logit(kept))
        spans = (carried_by(text, decision, kept)
                 if chance >= max(decision.threshold, least) else [])
        if spans:
            out.append((signal_id, spans, chance))
    rules_signals = {signal.id for signal, *_ in found.signals}
    for signal_id, (name, disputed) in DISPUTED_SIGNALS.items():
        decision = model.decisions.get(name)
        if decision is None or not typed or disputed not in rules_signals:
            continue
        chance = probability(decision.logit(kept))
        spans = carried_by(text, decision, kept, against=True) \
            if chance < decision.threshold else []
        if spans:
            out.append((signal_id, spans, chance))
    if not typed and found.indicators:
        out += no_exploitation(text, view, model)
    return out


def no_exploitation(text: Text, view, model: NarrativeModel
                    ) -> list[tuple[str, list[tuple[int, int, str, int]], float]]:
    """``learned.no-exploitation`` where the rules found signs but no type was decided and
    the learned reading gives each type less than LEARNED_NO_EXPLOITATION: the words that
    weighed most against the likelier type, and its chance. Triage rules then take the
    sign alone for information, as when the narrative says the person is free."""
    kept = read_by(model, view[0])
    chances = {name: probability(model.decisions[name].logit(kept))
               for name in LEARNED_TYPES if name in model.decisions}
    if not chances or max(chances.values()) >= LEARNED_NO_EXPLOITATION:
        return []
    likelier = max(chances, key=chances.get)
    spans = carried_by(text, model.decisions[likelier], kept, against=True)
    return [(NO_EXPLOITATION_SIGNAL, spans, chances[likelier])] if spans else []


def suggest(narrative: str, catalog: Catalog, reading: Reading | None = None, *,
            without: frozenset = frozenset(), adding: tuple = (),
            model: NarrativeModel | str | None = SHIPPED,
            kept_types: frozenset = frozenset()) -> list[Suggestion]:
    """Indicators, then the codings they imply, then signals, each with its text span.

    ``without``: indicator ids an operator rejected; ``adding``: indicators an operator
    selected (no span). Triage reads the narrative this way; the page shows the plain
    reading, with the operator's decisions beside it. ``model``: a learned reading
    (:mod:`harborlight.vocab.narrative_model`) that may add a type or the minor flag the
    rules missed, each with the spans that carried it, or withdraw a type the rules decided
    (:func:`learned`); SHIPPED (the default): the shipped one, or rules alone if its file
    is unusable; None: rules alone. ``kept_types``: families ("sex", "labour") whose
    withdrawal an operator rejected: the rules' type stands.
    """
    reading = reading or load_reading()
    if isinstance(model, str):
        model = shipped_model()
    text = Text(narrative or "", reading.shorthand)
    found, hits, decisions = _read(text, catalog, reading, without, adding)
    decided = {decision.value for decision in decisions}

    suggestions: list[Suggestion] = []
    codings: dict[tuple[str, str], list[Hit]] = {}
    for decision in decisions:
        codings[("vic_TypeOfExploitation", decision.value)] = list(decision.evidence)
    learned_chances: dict[tuple[str, str], float] = {}
    withdrawn: list[tuple[str, list, float]] = []
    view = model and learning_view(text, found, decisions, reading, model.dim)
    if model is not None:
        for field_name, value, spans, chance in learned(text, found, view, reading,
                                                       model, LEARNED_WITHDRAWS):
            if field_name == "-":  # the learned reading withdraws a type the rules decided
                if value in kept_types:
                    continue  # the operator rejected the withdrawal: the rules' type stands
                for decision in decisions:
                    if reading.family.get(decision.value, decision.value) == value:
                        codings.pop(("vic_TypeOfExploitation", decision.value), None)
                        decided.discard(decision.value)
                withdrawn.append((WITHDRAWN_SIGNALS[value], spans, chance))
                continue
            codings[(field_name, value)] = [Hit("model", {}, {}, *span) for span in spans]
            learned_chances[(field_name, value)] = chance
            if field_name == "vic_TypeOfExploitation":
                decided.add(value)
    if decided and found.ages_alone:
        found.indicators = found.ages_alone  # a case after all: its ages count
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
            note=(LEARNED_NOTE.format(chance=learned_chances[(field_name, value)])
                  if (field_name, value) in learned_chances else
                  _note(reading, field_name, value)),
            chance=learned_chances.get((field_name, value), 0.0)))
    for signal, start, end in found.signals:
        begin, stop, said = text.span(start, end)
        suggestions.append(Suggestion("signal", f"signal:{signal.id}", signal.label["en"],
                                      begin, stop, said, sentence=text.sentence(start)))
    learned_said = (learned_signals(text, found, view, model, typed=bool(decided))
                    if model else []) + withdrawn
    for signal_id, spans, chance in (said for said in learned_said if said[1]):
        begin, stop, said, folded_start = spans[0]
        suggestions.append(Suggestion(
            "signal", f"signal:{signal_id}", LEARNED_SIGNAL_LABELS[signal_id]["en"], begin, stop,
            said, evidence=tuple(span[:3] for span in spans),
            note=LEARNED_NOTE.format(chance=chance), sentence=text.sentence(folded_start),
            chance=chance))
    return suggestions


def prepare(catalog: Catalog) -> None:
    """Take every cue list apart now (a few seconds, once per process), so that the first
    tips a server reads are as quick as the rest."""
    suggest("", catalog, model=SHIPPED)


def evidence(narrative: str, answers: dict, catalog: Catalog, reading: Reading | None = None,
             *, found: list[Suggestion] | None = None, rejected=frozenset(),
             confirmed=frozenset(), model: NarrativeModel | str | None = SHIPPED
             ) -> Evidence:
    """What triage judges (:class:`~harborlight.vocab.triage.Evidence`): the answers, the
    indicators in play (suggested and not rejected, confirmed, or selected by the operator
    in ``answers["indicators"]``), and the codings and signals of the narrative read again
    with them. A rejected coding or signal (its suggestion key) is left out, so "no, this
    is not sexual exploitation" or "no, this is not happening now" changes the level.
    """
    reading = reading or load_reading()
    found = found if found is not None else suggest(narrative, catalog, reading, model=model)
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
        narrative, catalog, reading, adding=tuple(selected), model=model,
        without=frozenset(key.split(":", 1)[1] for key in rejected
                          if key.startswith("indicator:")),
        kept_types=frozenset(family for family, signal_id in WITHDRAWN_SIGNALS.items()
                             if f"signal:{signal_id}" in rejected))
    codings: dict[str, dict[str, str]] = {}
    learned: dict[str, dict[str, float]] = {}
    signals: dict[str, dict] = {}
    for suggestion in read_again:
        if suggestion.key in rejected:
            continue
        if suggestion.kind == "coding" and (suggestion.field in reading.gated_fields
                                            or suggestion.field == MINOR_FLAG):
            codings.setdefault(suggestion.field, {})[suggestion.value] = suggestion.text
            if suggestion.chance:
                learned.setdefault(suggestion.field, {})[suggestion.value] = suggestion.chance
        elif suggestion.kind == "signal":
            signals[suggestion.key.split(":", 1)[1]] = {
                "text": suggestion.text, "sentence": suggestion.sentence,
                **({"chance": round(suggestion.chance, 2)} if suggestion.chance else {})}
    answered = {k: v for k, v in answers.items() if k not in ("indicators", REPORTER_SIGNS)}
    return Evidence(answered, indicators, codings, signals, learned)


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
