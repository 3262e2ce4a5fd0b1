"""How narrative assist reads a narrative: ``vocab/narrative.json`` and the reading rules.

The catalog (:mod:`harborlight.vocab.indicators`) says *what* to look for; this file says
*how to read it*, in English and Spanish (format ``harborlight-narrative``, version 1)::

    {"negation": {"before": "\\\\b(no|not|never|...|nunca|sin)\\\\b...$", "chars": 40},
     "conditions": {"openers": "\\\\b(if|unless|si)\\\\b", "closers": "[,:]", "words": 8},
     "topic_context": "\\\\b(information|training|...)\\\\b",
     "types": {"threshold": 3, "support_cap": 3, "own_before_support": 2,
               "mixed_needs_own": 3, "needs_coercion": ["ForcedLabour"],
               "family": {"ForcedLabour": "labour", ...}},
     "gated_fields": ["vic_TypeOfExploitation", ...],
     "context": [{"id", "label": {"en", "es"}, "points": {"ForcedLabour": -2}, "cues",
                  "unless_support": 2}],
     "minor": {"indicators": [...], "dependant_before", "dependant_sentence",
               "exploited_after", "decoy_field", "decoy_drops", "decoy_keeps",
               "age_indicators": [...], "needs_sign": true,
               "threat_before": "a threat just before 'their children': a dependant"},
     "signals": [{"id": "immediate", "label": {"en", "es"}, "cues": [...],
                  "with": "pattern its sentence must also match"}, ...],
     "own_fields": {"exploitation_form": {"label", "values": {"ForcedCriminality":
                    {"htcds": {"vic_TypeOfExploitation": ["ForcedLabour"]}, "note"}}}}}

Every pattern is matched against the *folded* narrative: accents removed and curly quotes
straightened, one character for one, so offsets stay those of the text as written and
"esta" matches "está". Patterns are folded the same way when compiled.

The type of exploitation is decided by :func:`decide_types`, a small sum anyone can redo
by hand: each sign found gives *points* to a type (the catalog's ``points``); means of
control lend *support* (``support``) to a type that has evidence of its own, capped, so
"kept the money" never decides a type alone; *context* adds or takes away a point or two
(someone works for a boss; "she goes home every night"; the one in control is a husband),
and is never suggested as a sign; context with ``unless_support`` ("I quit") no longer
speaks against a type once means of control lend it that much (quitting ends forced
labour, it does not undo it). A type is decided at ``threshold``. When two types pass, both
stay only if each has ``mixed_needs_own`` points of its own evidence (one number, or one
per family: labour's own signs are fewer, a trade and its hours). A type named in
``needs_coercion`` (forced labour) needs a sign strong enough alone or a means of control:
a job described in many words is still only a job.
"""

from __future__ import annotations

import bisect
import functools
import json
import re
import threading
import unicodedata
from re import _constants as _re_constants  # the standard library's own regex parser
from re import _parser as _re_parser
from dataclasses import dataclass, field

from harborlight.vocab.loader import VocabularyError, parse_document, read_package_file

FORMAT = "harborlight-narrative"
LANGUAGES = ("en", "es")
SENTENCE_END = re.compile(r"(?<!\b[A-Za-z])[.!?]+(?=[\s\"')\]]|$)|[;\n]")
WORD = re.compile(r"\w+")
# A negation reaches no further back than the last comma or "and"/"but" between clauses
# ("with no pay and keeps my passport": the passport is not negated).
# The subject that opens what follows a condition ("si no va [él le] pega", "if she says no
# [he] grabs her"): a cue after it is the consequence, not the condition.
CONSEQUENCE_SUBJECT = re.compile(
    r"\b(he|she|they|el (le|la|lo|les|los|las|me|nos)|ella|ellos|ellas)\b")
LIST_NEGATOR = re.compile(r"\b(no|not|never|without|nothing|none|nobody|neither|nunca|jamas|sin|"
                          r"ningun|ninguna|ninguno|ningunos|ningunas|nadie|nada|(?<!se )niega\w*|"
                          r"denies|denied|no one)\b", re.I)
LIST_SEPARATOR = re.compile(r",|;|\b(?:ni|nor|or|o)\b", re.I)
LIST_CLOSER = re.compile(r"\b(ni|nor|or|o)\b", re.I)
CLAUSE_BREAK = re.compile(r",|\b(and|but|y|pero)\b(?!\W+(no|not|never|nunca|sin|ni)\b)")


# -- folding: accents off, quotes straight, offsets kept -------------------------------

def _fold_table() -> dict[int, str]:
    table = {ord(a): b for a, b in {"‘": "'", "’": "'", "‚": "'", "“": '"', "”": '"',
                                    "„": '"', "–": "-", "—": "-", "´": "'", "¿": " ",
                                    "¡": " ", "\u00a0": " "}.items()}
    for code in range(0xC0, 0x250):
        base = unicodedata.normalize("NFD", chr(code))[0]
        if base != chr(code) and len(base) == 1 and base.isascii():
            table[code] = base
    return table


FOLD = _fold_table()


def fold(text: str) -> str:
    """``text`` with accents removed and quotes straightened, one character for one
    (precomposed letters; see :class:`Text` for text typed in decomposed form)."""
    return text if text.isascii() else text.translate(FOLD)


def _composed(text: str) -> tuple[str, list[int]]:
    """Text typed in decomposed form ("n" + U+0303) composed, with each composed
    character's offset in the original, so spans still point into what was written."""
    composed, offsets, index = [], [], 0
    while index < len(text):
        end = index + 1
        while end < len(text) and unicodedata.combining(text[end]):
            end += 1
        group = unicodedata.normalize("NFC", text[index:end])
        if len(group) == 1:
            composed.append(group)
            offsets.append(index)
        else:
            composed.extend(text[index:end])
            offsets.extend(range(index, end))
        index = end
    offsets.append(len(text))
    return "".join(composed), offsets


def compile_pattern(pattern: str, where: str) -> re.Pattern:
    try:
        return re.compile(fold(pattern), re.IGNORECASE)
    except re.error as exc:
        raise VocabularyError(f"{where}: not a valid pattern ({exc})") from None


def compile_any(patterns: list[str] | tuple[str, ...], where: str) -> re.Pattern | None:
    """One alternation of ``patterns`` (each checked alone first, to name a bad one)."""
    for number, pattern in enumerate(patterns):
        compile_pattern(pattern, f"{where} cue {number}")
    if not patterns:
        return None
    return compile_pattern("|".join(f"(?:{p})" for p in patterns), where)


# -- finding a cue list's matches quickly -------------------------------------------------

#: A cue list (:func:`compile_any`) of at least this many cues is read cue by cue.
MANY_CUES = 8
_AS_MANY_STRINGS = 64  # a cue's literal part is used only when it spells out this few


def top_level_branches(pattern: str) -> list[str]:
    """The alternatives of ``pattern`` at its top level: "a|(b|c)|[|]" -> "a", "(b|c)",
    "[|]" (a bar inside a group, a character class or after a backslash is not one)."""
    branches, depth, start, index, class_at = [], 0, 0, 0, None
    while index < len(pattern):
        char = pattern[index]
        if char == "\\":
            index += 2
            continue
        if class_at is not None:  # "]" first in a class ("[]a]", "[^]a]") is a literal
            first = class_at + (2 if pattern[class_at + 1:class_at + 2] == "^" else 1)
            if char == "]" and index > first:
                class_at = None
        elif char == "[":
            class_at = index
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "|" and depth == 0:
            branches.append(pattern[start:index])
            start = index + 1
        index += 1
    return branches + [pattern[start:]]


def _strings(items) -> set[str] | None:
    """Every string a parsed piece of pattern can match, when it is only literals, groups
    and alternations of them (and not too many); else None."""
    c = _re_constants
    results = {""}
    for op, arg in items:
        if op is c.LITERAL:
            options = {chr(arg)}
        elif op is c.IN and all(kind is c.LITERAL for kind, _ in arg):
            options = {chr(code) for _, code in arg}
        elif op is c.SUBPATTERN:
            options = _strings(arg[-1])
        elif op is c.AT:  # \b, ^, $: a place, not a character
            options = {""}
        elif op in (c.MAX_REPEAT, c.MIN_REPEAT) and arg[0] == 0 and arg[1] == 1:
            once = _strings(arg[2])  # "owes?", "(the )?": with it or without it
            options = None if once is None else once | {""}
        elif op is c.BRANCH:
            each = [_strings(branch) for branch in arg[1]]
            options = None if any(e is None for e in each) else set().union(*each)
        else:
            return None
        if options is None:
            return None
        results = {done + option for done in results for option in options}
        if len(results) > _AS_MANY_STRINGS:
            return None
    return results


def _minimal(strings: set[str]) -> set[str]:
    """Without the strings that contain another one ("owed" holds "owe"): a text has one of
    the set exactly when it has one of these."""
    lowered = {s.lower() for s in strings}
    return {s for s in lowered if not any(o != s and o in s for o in lowered)}


def _best(candidates) -> set[str] | None:
    """The cheapest candidate worth checking: each string is a substring test on every
    narrative, so fewest strings among those of at least 4 characters (then 3); with
    none that long, the one whose shortest string is longest."""
    usable = [_minimal(c) for c in candidates if c and "" not in c]
    for least in (4, 3):
        long_enough = [c for c in usable if min(map(len, c)) >= least]
        if long_enough:
            return min(long_enough, key=lambda c: (len(c), -min(map(len, c))))
    return max(usable, key=lambda c: min(map(len, c)), default=None)


def _required(items) -> set[str] | None:
    """Strings of which every match of a parsed sequence contains one, or None: a run of
    literal pieces spelled out, or one piece of it alone (a group's alternatives, a
    literal word), whichever is cheapest to look for (:func:`_best`)."""
    c = _re_constants
    candidates, run, word = [], [], ""
    for item in items:
        alone = _strings([item])
        if alone is not None and "" not in alone and item[0] is not c.LITERAL:
            candidates.append(alone)  # one group's alternatives: "(vende|venden)"
        if item[0] in (c.SUBPATTERN, c.BRANCH):
            candidates.append(_required_in(item))  # or what each alternative needs
        word = word + chr(item[1]) if item[0] is c.LITERAL else ""
        if len(word) >= 3:
            candidates.append({word})  # the literal run so far: "motel"
        if _strings(run + [item]) is not None:
            run.append(item)
            continue
        candidates.append(_strings(run) if run else None)  # a piece no string, or too many
        run = [item] if alone is not None else []
        if not run:
            candidates.append(_required_in(item))
    candidates.append(_strings(run) if run else None)
    return _best(candidates)


def _required_in(item) -> set[str] | None:
    """Strings one of which every match of one piece that is no plain string contains: a
    group's own, an alternation's branches' together (each branch needs one of its own),
    or a repeated piece's, when it must occur at least once."""
    c = _re_constants
    op, arg = item
    if op is c.SUBPATTERN:
        return _required(arg[-1])
    if op is c.BRANCH:
        each = [_required(branch) for branch in arg[1]]
        return None if any(e is None for e in each) else set().union(*each)
    if op in (c.MAX_REPEAT, c.MIN_REPEAT) and arg[0] >= 1:
        return _required(arg[2])
    return None


def required_strings(cue: str, flags: int) -> tuple[str, ...] | None:
    """Strings of which every match of ``cue`` contains one (lower case), the cheapest
    such set to look for (:func:`_best`) found in its sequence, inside its groups and
    across its alternatives (each alternative needs one of its own); None when it has
    none."""
    best = _required(_re_parser.parse(cue, flags))
    return tuple(sorted(best)) if best else None  # _best gives them lower case


@dataclass(frozen=True)
class _CueList:
    """A long cue list taken apart for :func:`find_all`: its cues in order, those that can
    match without any particular word (``always``), and for each word some cue needs, the
    cues that need it."""

    cues: tuple[re.Pattern, ...]
    always: frozenset[int]
    needing: dict[str, tuple[int, ...]]

    def live(self, lowered: str) -> list[re.Pattern]:
        """The cues that can match a text (lower case), in the list's order. Each word is
        looked for once with ``in`` (a substring test in C): one regular expression per
        cue cost a long tip ~2 ms, a Python loop over (cue, word) pairs about as much."""
        chosen = set(self.always)
        for indices in [ids for word, ids in self.needing.items() if word in lowered]:
            chosen.update(indices)
        return [self.cues[index] for index in sorted(chosen)]


# Taking every cue list apart costs a few seconds, once per process. A server's threads
# that read their first tips at once wait for one of them to do it, instead of each doing
# it under the GIL (24 tips sent at once timed out at 60 s).
_TAKING_APART = threading.Lock()


def _needs_of(pattern: re.Pattern) -> tuple[str, ...] | None:
    with _TAKING_APART:
        return _needs_of_once(pattern)


def _cues_of(pattern: re.Pattern) -> _CueList | None:
    with _TAKING_APART:
        return _cues_of_once(pattern)


@functools.cache
def _needs_of_once(pattern: re.Pattern) -> tuple[str, ...] | None:
    return required_strings(pattern.pattern, pattern.flags)


@functools.cache
def _cues_of_once(pattern: re.Pattern) -> _CueList | None:
    cues = top_level_branches(pattern.pattern)
    if len(cues) < MANY_CUES:
        return None
    always, needing = set(), {}
    for index, cue in enumerate(cues):
        needs = required_strings(cue, pattern.flags)
        if needs is None:
            always.add(index)
        for word in needs or ():
            needing.setdefault(word, []).append(index)
    return _CueList(tuple(re.compile(cue, pattern.flags) for cue in cues), frozenset(always),
                    {word: tuple(ids) for word, ids in needing.items()})


def find_all(pattern: re.Pattern, text: str):
    """The matches of ``pattern.finditer(text)`` (non-empty ones), found sooner.

    A long cue list runs slowly as one alternation, and most of its cues cannot match a
    given narrative: one that needs a word the narrative lacks is left out before any
    regular expression runs. The rest are searched one by one, and at the leftmost place
    any of them matches, the first cue in the list's order that matches there wins, as in
    the alternation; reading goes on after it.
    """
    cues, lowered = _cues_of(pattern), text.lower()
    if cues is None:  # a short list: searched whole, when the text has a word it needs
        needs = _needs_of(pattern)
        if needs is None or any(word in lowered for word in needs):
            yield from pattern.finditer(text)
        return
    live = [[cue, None] for cue in cues.live(lowered)]
    position = 0
    while live:
        for entry in live:  # each cue's next match at or after the position
            if entry[1] is None or entry[1].start() < position:
                entry[1] = entry[0].search(text, position)
        live = [entry for entry in live if entry[1] is not None]
        if not live:
            return
        start = min(entry[1].start() for entry in live)
        found = next(m for cue, _ in live if (m := cue.match(text, start)))
        yield found
        position = found.end() if found.end() > start else start + 1


# -- the narrative as read -------------------------------------------------------------

class Shorthand:
    """Texting and note-taking shorthand read as the words it stands for ("rn", "bf",
    "cant", "w/", "y/o", "q", "xq"; "CR" and "V" in an operator's notes), from the
    ``shorthand`` table of ``vocab/narrative.json``: ``words`` anywhere as a whole word,
    ``between_words`` only between two words ("n" in "her n him"), ``exact_case`` only as
    written ("CR", not "cr"). Quotation marks around a word (her 'boyfriend', su "papi")
    are read as if absent; an apostrophe inside a word stays. Offsets still point into
    what was written."""

    def __init__(self, raw: dict | None, where: str = "shorthand"):
        raw = raw or {}
        self.means: dict[str, str] = {}
        alternatives = []
        for key, wrap in (("words", r"(?<![\w/$#'-]){}(?![\w/'-])"),
                          ("between_words", r"(?<=\w ){}(?= \w)"),
                          ("exact_case", r"(?<![\w/'-]){}(?![\w/'-])")):
            table = raw.get(key, {})
            if not isinstance(table, dict) or not all(
                    isinstance(k, str) and k and isinstance(v, str) for k, v in table.items()):
                raise VocabularyError(f"{where}.{key}: must map shorthand to words")
            bodies = []
            for short, means in sorted(table.items(), key=lambda item: -len(item[0])):
                folded = fold(short) if key == "exact_case" else fold(short).lower()
                self.means[(key, folded)] = fold(means)
                bodies.append(re.escape(folded))
            if bodies:
                # One group per kind, its words one alternation inside one pair of
                # boundaries: the engine checks the boundary once per place, not once per
                # word (a narrative cost ~2 ms the other way).
                body = wrap.format("(?:" + "|".join(bodies) + ")")
                alternatives.append(f"(?P<{key}>{body if key == 'exact_case' else f'(?i:{body})'})")
        alternatives.append("(?P<quote>(?<!\\w)['\"]|['\"](?!\\w))")
        self.means[("quote", "'")] = self.means[("quote", '"')] = ""
        self.pattern = re.compile("|".join(alternatives))

    def expand(self, folded: str) -> tuple[str, list[int], list[int]] | None:
        """(expanded text, for each of its characters where it starts and where it ends
        in ``folded``) or None when there is nothing to expand."""
        pieces, starts, ends, cursor = [], [], [], 0
        for match in self.pattern.finditer(folded):
            key = match.lastgroup or ""
            said = match.group()
            means = self.means.get((key, said if key == "exact_case" else said.lower()))
            if means is None:
                continue
            start, end = match.span()
            pieces.append(folded[cursor:start])
            starts.extend(range(cursor, start))
            ends.extend(range(cursor + 1, start + 1))
            pieces.append(means)
            starts.extend([start] * len(means))
            ends.extend([end] * len(means))
            cursor = end
        if not pieces:
            return None
        pieces.append(folded[cursor:])
        starts.extend(range(cursor, len(folded)))
        ends.extend(range(cursor + 1, len(folded) + 1))
        return "".join(pieces), starts, ends


NO_SHORTHAND = Shorthand(None)


def _outside_quotes(folded: str) -> list[int] | None:
    """The offsets of ``folded`` to keep once quotation marks around words are dropped
    (an apostrophe inside a word, "don't", stays), or None when there are none: callers
    quote the euphemism ("la pone a 'atender' clientes"), and a cue reads the words."""
    if "'" not in folded and '"' not in folded:
        return None
    last = len(folded) - 1
    kept = [i for i, c in enumerate(folded) if c not in "'\"" or (
        c == "'" and 0 < i < last and folded[i - 1].isalnum() and folded[i + 1].isalnum())]
    return kept if len(kept) < len(folded) else None


class Text:
    """A narrative, folded, with its sentence boundaries.

    Matching works on ``folded``; :meth:`span` turns its offsets into offsets of the
    narrative as written (the same, unless it was typed with combining accents,
    shorthand was read as words or quotation marks were dropped)."""

    def __init__(self, original: str, shorthand: Shorthand = NO_SHORTHAND):
        self.original = original
        self.offsets: list[int] | None = None
        readable = original
        if not original.isascii() and any(unicodedata.combining(c) for c in original):
            readable, self.offsets = _composed(original)
        self.folded = fold(readable)
        self.starts_at: list[int] | None = None
        self.ends_at: list[int] | None = None
        expanded = shorthand.expand(self.folded)
        if expanded is not None:
            self.folded, self.starts_at, self.ends_at = expanded
        kept = _outside_quotes(self.folded)
        if kept is not None:  # 'trabajar' con hombres: the quotes do not change the words
            starts = self.starts_at or range(len(self.folded))
            ends = self.ends_at or range(1, len(self.folded) + 1)
            self.starts_at = [starts[i] for i in kept]
            self.ends_at = [ends[i] for i in kept]
            self.folded = "".join(self.folded[i] for i in kept)
        self.starts = [0] + [m.end() for m in SENTENCE_END.finditer(self.folded)]

    def span(self, start: int, end: int) -> tuple[int, int, str]:
        if self.starts_at is not None:
            if end > start:
                start, end = self.starts_at[start], self.ends_at[end - 1]
            else:
                start = end = (self.starts_at[start] if start < len(self.starts_at)
                               else self.ends_at[-1] if self.ends_at else 0)
        if self.offsets is not None:
            start, end = self.offsets[start], self.offsets[end]
        return start, end, self.original[start:end]

    def sentence_bounds(self, position: int) -> tuple[int, int]:
        index = bisect.bisect_right(self.starts, position) - 1
        end = self.starts[index + 1] if index + 1 < len(self.starts) else len(self.folded)
        return self.starts[index], end

    def sentence(self, position: int) -> str:
        return self.span(*self.sentence_bounds(position))[2].strip()

    def before(self, position: int, chars: int | None = None) -> str:
        start, _ = self.sentence_bounds(position)
        if chars is not None:
            start = max(start, position - chars)
        return self.folded[start:position]

    def after(self, position: int) -> str:
        _, end = self.sentence_bounds(position)
        return self.folded[position:end]


@dataclass(frozen=True)
class Labelled:
    """A counter-evidence cue or a signal: an id, words in both languages, one pattern."""

    id: str
    label: dict[str, str]
    pattern: re.Pattern
    points: dict[str, int] = field(default_factory=dict)
    in_conditions: bool = False
    with_: re.Pattern | None = None  # a signal counts only in a sentence that also says this
    # context that speaks against a type ("I quit") but not once means of control lend
    # that type at least this much (documents kept, threats): 0, always
    unless_support: int = 0


@dataclass(frozen=True)
class MinorReading:
    indicators: tuple[str, ...]
    dependant_before: re.Pattern
    dependant_sentence: re.Pattern
    exploited_after: re.Pattern
    decoy_field: str
    decoy_drops: re.Pattern
    age_indicators: tuple[str, ...] = ()
    needs_sign: bool = False
    decoy_keeps: re.Pattern | None = None
    # a child named in a threat ("threatened to hurt their children") is a dependant even
    # when the sentence also speaks of exploitation
    threat_before: re.Pattern | None = None


@dataclass(frozen=True)
class Reading:
    release: str
    negation: re.Pattern
    negation_chars: int
    condition_openers: re.Pattern
    condition_closers: re.Pattern
    condition_words: int
    topic_context: re.Pattern
    threshold: int
    support_cap: int
    own_before_support: int
    mixed_needs_own: int | dict
    family: dict[str, str]
    needs_coercion: tuple[str, ...]
    gated_fields: tuple[str, ...]
    context: tuple[Labelled, ...]
    minor: MinorReading
    signals: tuple[Labelled, ...]
    own_fields: dict[str, dict]
    shorthand: Shorthand = NO_SHORTHAND
    answered_no: re.Pattern | None = None  # "Anyone under 18: no" in a form's text
    # the job offered as the lure ("una oferta de trabajo de mesera", "recruited her for a
    # job as a waitress"): a trade named there is not the work the person is made to do
    promised_job: re.Pattern | None = None

    def signal(self, ident: str) -> Labelled | None:
        return next((s for s in self.signals if s.id == ident), None)

    # Which words around a cue make it not count.

    def negated(self, text: Text, start: int) -> bool:
        """A negation just before the cue, in its clause ("no, las amenaza" is not; nor
        is "no pay and keeps my passport")."""
        before = text.before(start, self.negation_chars)
        breaks = [m.end() for m in CLAUSE_BREAK.finditer(before)]
        clause = before[breaks[-1] if breaks else 0:]
        match = self.negation.search(clause)
        if match is None:
            return self.negated_list(text, start)
        # "si no va él le pega", "if she says no he grabs her": a negation that opens a
        # condition ("si no", "if she says no"), with the subject of what follows between
        # it and the cue, denies the condition, not the cue (what happens when it is met).
        lead = clause[:match.start()]
        openers = list(self.condition_openers.finditer(lead))
        said = match.re.groups >= 1 and match.group(1)
        between = (clause[match.end(1) if said else match.end():]
                   + text.folded[start:start + 8])
        return not (openers and len(WORD.findall(lead[openers[-1].end():])) <= 2
                    and CONSEQUENCE_SUBJECT.search(between) is not None)

    def negated_list(self, text: Text, start: int) -> bool:
        """A cue in a list the negation opened: "no forced work, debts with threats nor
        papers held", "ninguno refiere trabajo forzado, deudas ni amenazas". The items
        are short (at most four words), the cue follows a separator directly, and a list
        closed by a comma must go on to "or"/"ni" in the same sentence; "no pay, they keep
        her passport" is a new clause, not a list."""
        begin, stop = text.sentence_bounds(start)
        before = text.folded[max(begin, start - 120):start]
        negators = list(LIST_NEGATOR.finditer(before))
        if not negators:
            return False
        tail = before[negators[-1].end():]
        parts = LIST_SEPARATOR.split(tail)
        if len(parts) < 2 or parts[-1].strip() or not parts[0].strip():
            return False
        if any(len(WORD.findall(part)) > 4 for part in parts):
            return False
        if tail.rstrip().endswith(","):
            return LIST_CLOSER.search(text.folded[start:stop]) is not None
        return True

    def in_condition(self, text: Text, start: int) -> bool:
        """The cue stands in the "if" part of a condition ("if he tried to leave")."""
        before = text.before(start)
        openers = list(self.condition_openers.finditer(before))
        if not openers:
            return False
        clause = before[openers[-1].end():]
        return (not self.condition_closers.search(clause)
                and len(WORD.findall(clause)) <= self.condition_words)

    def about_the_topic(self, text: Text, start: int) -> bool:
        """The sentence asks about the subject (training, information), not a case."""
        begin, end = text.sentence_bounds(start)
        return bool(self.topic_context.search(text.folded[begin:end]))


def _labelled(raw: dict, where: str, with_points: bool) -> Labelled:
    for key in ("id", "label", "cues"):
        if key not in raw:
            raise VocabularyError(f"{where}: missing {key!r}")
    label = raw["label"]
    if not isinstance(label, dict) or any(not label.get(lang) for lang in LANGUAGES):
        raise VocabularyError(f"{where} ({raw['id']}): label needs 'en' and 'es'")
    points = raw.get("points", {}) if with_points else {}
    if not isinstance(points, dict) or not all(isinstance(v, int) for v in points.values()):
        raise VocabularyError(f"{where} ({raw['id']}): points must map types to integers")
    pattern = compile_any(raw["cues"], f"{where} ({raw['id']})")
    if pattern is None:
        raise VocabularyError(f"{where} ({raw['id']}): needs at least one cue")
    with_ = compile_pattern(raw["with"], f"{where} with") if raw.get("with") else None
    unless = raw.get("unless_support", 0) if with_points else 0
    if not isinstance(unless, int) or isinstance(unless, bool) or unless < 0:
        raise VocabularyError(f"{where} ({raw['id']}): unless_support must be a count")
    return Labelled(raw["id"], dict(label), pattern, dict(points),
                    bool(raw.get("in_conditions", False)), with_, unless)


def _own_fields(raw: object, name: str) -> dict[str, dict]:
    if not isinstance(raw, dict) or not raw:
        raise VocabularyError(f"{name}: 'own_fields' must name Harborlight's own codings")
    for field_name, spec in raw.items():
        values = spec.get("values") if isinstance(spec, dict) else None
        if not isinstance(values, dict) or not values:
            raise VocabularyError(f"{name}: own field {field_name} needs values")
        for code, value in values.items():
            note = value.get("note", {})
            if not isinstance(value.get("htcds"), dict) or any(not note.get(lang)
                                                                for lang in LANGUAGES):
                raise VocabularyError(f"{name}: {field_name} = {code} needs 'htcds' and "
                                      "a note in 'en' and 'es'")
    return raw


def parse_reading(text: str, name: str = "narrative.json") -> Reading:
    parse_document(text, name, FORMAT, "signals")
    doc = json.loads(text)
    try:
        negation, conditions, types, minor = (doc["negation"], doc["conditions"],
                                              doc["types"], doc["minor"])
        reading = Reading(
            release=str(doc.get("release", "?")),
            negation=compile_pattern(negation["before"] , f"{name} negation"),
            negation_chars=int(negation["chars"]),
            condition_openers=compile_pattern(conditions["openers"], f"{name} conditions"),
            condition_closers=compile_pattern(conditions["closers"], f"{name} conditions"),
            condition_words=int(conditions["words"]),
            topic_context=compile_pattern(doc["topic_context"], f"{name} topic_context"),
            threshold=int(types["threshold"]), support_cap=int(types["support_cap"]),
            own_before_support=int(types["own_before_support"]),
            mixed_needs_own=(dict(types["mixed_needs_own"]) if isinstance(
                types["mixed_needs_own"], dict) else int(types["mixed_needs_own"])),
            family=dict(types["family"]),
            needs_coercion=tuple(types.get("needs_coercion", ())),
            gated_fields=tuple(doc["gated_fields"]),
            context=tuple(_labelled(raw, f"{name} context {n}", True)
                          for n, raw in enumerate(doc["context"])),
            minor=MinorReading(
                indicators=tuple(minor["indicators"]),
                decoy_field=minor["decoy_field"],
                age_indicators=tuple(minor.get("age_indicators", ())),
                needs_sign=bool(minor.get("needs_sign", False)),
                decoy_keeps=(compile_pattern(minor["decoy_keeps"], f"{name} minor.decoy_keeps")
                             if minor.get("decoy_keeps") else None),
                threat_before=(compile_pattern(minor["threat_before"],
                                               f"{name} minor.threat_before")
                               if minor.get("threat_before") else None),
                **{key: compile_pattern(minor[key], f"{name} minor.{key}")
                   for key in ("dependant_before", "dependant_sentence", "exploited_after",
                               "decoy_drops")}),
            signals=tuple(_labelled(raw, f"{name} signal {n}", False)
                          for n, raw in enumerate(doc["signals"])),
            own_fields=_own_fields(doc.get("own_fields"), name),
            shorthand=Shorthand(doc.get("shorthand"), f"{name} shorthand"),
            answered_no=(compile_pattern(doc["answered_no"], f"{name} answered_no")
                         if doc.get("answered_no") else None),
            promised_job=(compile_pattern(doc["promised_job"], f"{name} promised_job")
                          if doc.get("promised_job") else None))
    except (KeyError, TypeError, ValueError) as exc:
        if isinstance(exc, VocabularyError):
            raise
        raise VocabularyError(f"{name}: missing or malformed {exc}") from None
    if len({s.id for s in reading.signals}) != len(reading.signals):
        raise VocabularyError(f"{name}: a signal id is used twice")
    return reading


@functools.cache
def load_reading() -> Reading:
    return parse_reading(read_package_file("harborlight.vocab", "narrative.json"))


# -- deciding the type of exploitation -------------------------------------------------

@dataclass(frozen=True)
class Hit:
    """One sign found (or marked by an operator): what it is worth, and where it is."""

    source: str
    points: dict[str, int]
    support: dict[str, int]
    start: int = 0
    end: int = 0
    text: str = ""
    unless_support: int = 0  # see Labelled.unless_support


@dataclass(frozen=True)
class TypeDecision:
    """A decided type: its score, the sum behind it, and the hits that made it."""

    value: str
    score: int
    own: int
    support: int
    counter: int
    evidence: tuple[Hit, ...]

    def explain(self) -> str:
        parts = [f"{self.own} from signs of it"]
        if self.support:
            parts.append(f"{self.support} from means of control")
        if self.counter:
            parts.append(f"{self.counter} from what speaks against it")
        return f"{self.value}: {self.score} points ({', '.join(parts)})"


def lends(hit: Hit, value: str) -> int:
    """What a means of control lends to a type: its own figure, else the one for all."""
    return hit.support.get(value, hit.support.get("*", 0))


def _one_per_span(hits: list[Hit], value: str) -> list[Hit]:
    """The hits that lend to ``value``, one for the same words: "me ofrecieron trabajo" is
    read both as a promise and as a recruiter's offer, but it is one fact, lent once (the
    one lending most)."""
    kept: list[Hit] = []
    for hit in sorted(hits, key=lambda h: (-lends(h, value), h.start)):
        if not any(hit.start < other.end and other.start < hit.end for other in kept):
            kept.append(hit)
    return sorted(kept, key=lambda h: h.start)


def _needs_own(reading: Reading, value: str) -> int:
    """Own points a second type needs beside another family's (per family, or one number)."""
    needs = reading.mixed_needs_own
    if isinstance(needs, dict):
        return int(needs.get(reading.family.get(value, value), needs.get("default", 3)))
    return needs


def decide_types(hits: list[Hit], reading: Reading) -> list[TypeDecision]:
    """The types of exploitation the hits decide, strongest first (see module docstring)."""
    types = {t for hit in hits for t, p in hit.points.items() if p > 0}
    decided = []
    for value in types:
        own_hits = [hit for hit in hits if hit.points.get(value, 0) > 0]
        own = sum(hit.points[value] for hit in own_hits)
        support_hits = _one_per_span([hit for hit in hits if lends(hit, value) > 0], value)
        lent_in_all = sum(lends(hit, value) for hit in support_hits)
        counter = sum(hit.points.get(value, 0) for hit in hits if hit.points.get(value, 0) < 0
                      and not (hit.unless_support and lent_in_all >= hit.unless_support))
        support = min(reading.support_cap, sum(lends(hit, value) for hit in support_hits))
        lent = support if own >= reading.own_before_support else 0
        score = own + lent + counter
        strong = max(hit.points[value] for hit in own_hits) >= reading.threshold
        if value in reading.needs_coercion and not (strong or lent):
            continue  # a job described ("a nanny for a family") is not forced labour
        if score >= reading.threshold:
            ranked = sorted(own_hits, key=lambda hit: (-hit.points[value], hit.start))
            decided.append(TypeDecision(value, score, own, lent, counter,
                                        tuple(ranked) + (tuple(support_hits) if lent else ())))
    decided.sort(key=lambda d: (-d.score, -d.own, d.value))
    if len(decided) > 1:
        families = {reading.family.get(d.value, d.value) for d in decided}
        if len(families) > 1:
            decided = [decided[0]] + [d for d in decided[1:]
                                      if d.own >= _needs_own(reading, d.value)]
    return decided
