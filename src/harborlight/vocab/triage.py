"""Triage rules as data, and the evaluator that explains every decision.

``vocab/triage_rules.json`` (format ``harborlight-triage-rules``) lists the levels from most
to least urgent, the structured questions an operator (or the public form) asks, and ordered rules (the
emergency numbers are settings: :mod:`harborlight.intake.helplines`)::

    {"id": "danger-now", "level": "emergency", "explain": "Someone is in danger now.",
     "when": {"answer": "danger_now", "in": ["yes"]}}

A condition is one of: ``answer`` + ``in``; ``indicator`` (ids); ``indicator_category``;
``coding`` (an HTCDS field, optionally + ``in``); ``signal`` (ids of
``vocab/narrative.json``'s signals: "immediate", "ongoing", ...); ``indicators_at_least`` /
``indicators_at_most``; or ``all`` / ``any`` (lists) / ``not`` (one condition); or
``condition``: the name of a condition the file defines once under ``conditions`` (such as
"points-to-trafficking", which several rules share), put in its place when the file is read.

:func:`decide_level` evaluates every rule. The tip takes the most urgent level among the
rules that fired, and the decision lists each of them with the answers and indicators that
made it fire, so an operator can see, and challenge, why.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field
from typing import Any

from harborlight.vocab.indicators import Catalog
from harborlight.vocab.loader import (VocabularyError, htcds_picklists, parse_document,
                                      read_package_file)
from harborlight.vocab.narrative import load_reading
from harborlight.vocab.narrative_model import (DISPUTED_SIGNALS, LEVEL_SIGNALS,
                                               NO_EXPLOITATION_SIGNAL)

FORMAT = "harborlight-triage-rules"
LEAF_KEYS = {"answer", "indicator", "indicator_category", "coding", "signal",
             "indicators_at_least", "indicators_at_most"}
MAX_CONDITION_DEPTH = 8  # named conditions may use each other, never in a loop


@dataclass(frozen=True)
class Evidence:
    """What the evaluator saw: the indicators in play and the structured answers, plus
    what narrative assist decided from the narrative as a whole: ``found`` codings (a
    type of exploitation, the minor flag; field -> {value: the text behind it}) and
    ``signals`` (id -> {"text", "sentence"}); ``learned`` (field -> {value: chance}): the
    found codings that the learned reading added, not a rule, so a reason says so."""

    answers: dict[str, Any]
    indicators: dict[str, dict]  # id -> {"category", "codings", "origin", "span_text"}
    found: dict[str, dict[str, str]] = field(default_factory=dict)
    signals: dict[str, dict] = field(default_factory=dict)
    learned: dict[str, dict[str, float]] = field(default_factory=dict)

    def codings(self) -> dict[str, set[str]]:
        found: dict[str, set[str]] = {}
        for indicator in self.indicators.values():
            for name, values in indicator["codings"].items():
                found.setdefault(name, set()).update(values)
        for name, values in self.found.items():
            found.setdefault(name, set()).update(values)
        for name, value in self.answers.items():
            if name.startswith("vic_") and value:
                found.setdefault(name, set()).update(value if isinstance(value, list)
                                                     else [value])
        return found


@dataclass(frozen=True)
class Reason:
    """One rule that fired: its level, why, and the evidence (what made it fire).

    ``facts`` are the evidence as data, for pages that say it in words::

        {"kind": "answer", "question": "danger_now", "values": ["yes"]}
        {"kind": "indicator", "id": "control.documents-held", "origin": "suggested",
         "text": "took their passports"}
        {"kind": "coding", "field": "vic_TypeOfExploitation", "values": ["ForcedLabour"]}
        {"kind": "count", "count": 0}
        {"kind": "signal", "id": "immediate", "text": "right now",
         "sentence": "He is outside right now."}

    ``evidence`` is the same, one line each, for the API and the audit of a decision.
    """

    rule: str
    level: str
    evidence: tuple[str, ...]
    explain: str
    facts: tuple[dict, ...] = ()

    def to_dict(self) -> dict:
        return {"rule": self.rule, "level": self.level, "explain": self.explain,
                "evidence": list(self.evidence), "facts": [dict(f) for f in self.facts]}


@dataclass(frozen=True)
class TriageDecision:
    level: str
    reasons: tuple[Reason, ...]
    rules_release: str
    catalog_release: str
    is_default: bool = False

    def to_dict(self) -> dict:
        return {"level": self.level, "reasons": [r.to_dict() for r in self.reasons],
                "rules_release": self.rules_release, "catalog_release": self.catalog_release,
                "default": self.is_default}


@dataclass(frozen=True)
class Question:
    id: str
    label: str
    public: bool
    multiple: bool
    choices: tuple[str, ...]
    htcds: bool = False
    label_es: str = ""

    def words(self) -> str:
        """The question in the reader's language (``label_es`` beside ``label``)."""
        from django.utils.translation import get_language  # vocab stays importable alone

        spanish = (get_language() or "en").split("-")[0] == "es"
        return self.label_es if spanish and self.label_es else self.label


@dataclass(frozen=True)
class TriageRules:
    """The rules file as read: its levels (most urgent first), default, questions, rules."""

    levels: tuple[str, ...]
    release: str
    default_level: str
    default_explain: str
    default_explain_es: str
    questions: tuple[Question, ...]
    rules: tuple[dict, ...] = field(default_factory=tuple)

    def question(self, question_id: str) -> Question | None:
        return next((q for q in self.questions if q.id == question_id), None)

    def urgency(self, level: str) -> int:
        return self.levels.index(level)


def _htcds_codes(field_name: str) -> tuple[str, ...]:
    return tuple(value["code"] for value in htcds_picklists().get(field_name, []))


def _check_condition(node: Any, where: str, questions: dict[str, Question]) -> None:
    if not isinstance(node, dict) or len(node.keys() - {"in"}) != 1:
        raise VocabularyError(f"{where}: a condition has exactly one kind (and 'in' for "
                              "answer or coding)")
    kind = next(iter(node.keys() - {"in"}))
    value = node[kind]
    if kind in ("all", "any"):
        if not isinstance(value, list) or not value:
            raise VocabularyError(f"{where}: {kind!r} needs a non-empty list")
        for number, child in enumerate(value):
            _check_condition(child, f"{where}.{kind}[{number}]", questions)
    elif kind == "not":
        _check_condition(value, f"{where}.not", questions)
    elif kind == "answer":
        question = questions.get(value)
        if question is None:
            raise VocabularyError(f"{where}: unknown question {value!r}")
        allowed = set(question.choices)
        if not isinstance(node.get("in"), list) or not set(node["in"]) <= allowed:
            raise VocabularyError(f"{where}: answer {value!r} 'in' must list some of "
                                  f"{sorted(allowed)}")
    elif kind in ("indicator", "indicator_category"):
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise VocabularyError(f"{where}: {kind!r} needs a list of names")
    elif kind == "coding":
        if not isinstance(value, str):
            raise VocabularyError(f"{where}: 'coding' names one field")
    elif kind == "signal":
        known = {signal.id for signal in load_reading().signals} | set(
            LEVEL_SIGNALS.values()) | set(DISPUTED_SIGNALS) | {NO_EXPLOITATION_SIGNAL}
        if not isinstance(value, list) or not set(value) <= known or not value:
            raise VocabularyError(f"{where}: 'signal' lists some of {sorted(known)}")
    elif kind in ("indicators_at_least", "indicators_at_most"):
        if not isinstance(value, int) or value < 0:
            raise VocabularyError(f"{where}: {kind!r} needs a count")
    else:
        raise VocabularyError(f"{where}: unknown condition {kind!r}")


def _expand(node: Any, named: dict, where: str, depth: int = 0) -> Any:
    """``node`` with every ``{"condition": name}`` replaced by the named condition."""
    if depth > MAX_CONDITION_DEPTH:
        raise VocabularyError(f"{where}: named conditions refer to each other in a loop")
    if not isinstance(node, dict):
        return node
    if set(node) == {"condition"}:
        if node["condition"] not in named:
            raise VocabularyError(f"{where}: unknown condition {node['condition']!r}")
        return _expand(named[node["condition"]], named, where, depth + 1)
    out = {}
    for kind, value in node.items():
        if kind in ("all", "any") and isinstance(value, list):
            out[kind] = [_expand(child, named, where, depth) for child in value]
        elif kind == "not":
            out[kind] = _expand(value, named, where, depth)
        else:
            out[kind] = value
    return out


def parse_rules(text: str, name: str = "triage_rules.json") -> TriageRules:
    rules = parse_document(text, name, FORMAT, "rules")
    document = json.loads(text)
    levels = document.get("levels")
    if not isinstance(levels, list) or not levels or len(set(levels)) != len(levels):
        raise VocabularyError(f"{name}: 'levels' must list distinct levels")
    default = document.get("default") or {}
    if default.get("level") not in levels:
        raise VocabularyError(f"{name}: the default level must be one of the levels")
    questions: dict[str, Question] = {}
    for number, raw in enumerate(document.get("questions") or []):
        if not isinstance(raw, dict) or not isinstance(raw.get("id"), str):
            raise VocabularyError(f"{name}: question {number} needs an id")
        choices = raw.get("choices")
        if raw.get("htcds"):
            choices = _htcds_codes(raw["id"])
        if not choices:
            raise VocabularyError(f"{name}: question {raw['id']!r} has no choices")
        questions[raw["id"]] = Question(raw["id"], str(raw.get("label", raw["id"])),
                                        bool(raw.get("public")), bool(raw.get("multiple")),
                                        tuple(choices), bool(raw.get("htcds")),
                                        str(raw.get("label_es") or ""))
    if not isinstance(rules, list):
        raise VocabularyError(f"{name}: 'rules' must be a list")
    named = document.get("conditions") or {}
    if not isinstance(named, dict):
        raise VocabularyError(f"{name}: 'conditions' maps a name to a condition")
    for condition_name, condition in named.items():
        where = f"{name} condition {condition_name!r}"
        _check_condition(_expand(condition, named, where), where, questions)
    rules = [{**rule, "when": _expand(rule["when"], named, f"{name} rule {rule.get('id')}")}
             if isinstance(rule, dict) and "when" in rule else rule for rule in rules]
    seen = set()
    for number, rule in enumerate(rules):
        where = f"{name} rule {number}"
        if not isinstance(rule, dict) or not {"id", "level", "explain", "when"} <= rule.keys():
            raise VocabularyError(f"{where}: needs id, level, explain and when")
        if rule["level"] not in levels:
            raise VocabularyError(f"{where} ({rule['id']}): unknown level {rule['level']!r}")
        if rule["id"] in seen:
            raise VocabularyError(f"{where}: rule id {rule['id']!r} is used twice")
        seen.add(rule["id"])
        _check_condition(rule["when"], f"{where} ({rule['id']})", questions)
    return TriageRules(levels=tuple(levels), release=document.get("release", "?"),
                       default_level=default["level"],
                       default_explain=default.get("explain", ""),
                       default_explain_es=default.get("explain_es", ""),
                       questions=tuple(questions.values()), rules=tuple(rules))


def check_rules_against_catalog(rules: TriageRules, catalog: Catalog) -> None:
    """Every indicator id and category a rule names must exist in the catalog."""
    def walk(node: dict, where: str) -> None:
        for kind, value in node.items():
            if kind in ("all", "any"):
                for child in value:
                    walk(child, where)
            elif kind == "not":
                walk(value, where)
            elif kind == "indicator":
                missing = [v for v in value if catalog.get(v) is None]
                if missing:
                    raise VocabularyError(f"{where}: unknown indicator(s) {missing}")
            elif kind == "indicator_category":
                missing = [v for v in value if v not in catalog.categories]
                if missing:
                    raise VocabularyError(f"{where}: unknown categor(ies) {missing}")

    for rule in rules.rules:
        walk(rule["when"], f"rule {rule['id']}")


@functools.cache
def load_rules() -> TriageRules:
    return parse_rules(read_package_file("harborlight.vocab", "triage_rules.json"))


def describe_fact(fact: dict) -> str:
    """A fact as the API's one-line evidence ("answer danger_now = yes")."""
    kind = fact["kind"]
    if kind == "answer":
        return f"answer {fact['question']} = {', '.join(map(str, fact['values']))}"
    if kind == "coding":
        said = f' ("{fact["text"]}")' if fact.get("text") else ""
        return (f"coding {fact['field']} = {', '.join(fact['values'])}{said}"
                f"{_learned_said(fact)}")
    if kind == "count":
        return f"{fact['count']} indicator(s) found"
    if kind == "signal":
        return (f"signal {fact['id']}: \"{fact.get('sentence') or fact.get('text', '')}\""
                f"{_learned_said(fact)}")
    text = fact.get("text")
    return f"indicator {fact['id']} ({fact['origin']}" + (f': "{text}")' if text else ")")


def _learned_said(fact: dict) -> str:
    """", learned reading, chance 74%" for a fact the learned reading gave, else ""."""
    return f", learned reading, chance {fact['chance']:.0%}" if fact.get("chance") else ""


def _indicator_fact(ident: str, info: dict) -> dict:
    return {"kind": "indicator", "id": ident, "origin": info.get("origin", "confirmed"),
            "text": info.get("span_text") or ""}


def _evaluate(node: dict, evidence: Evidence) -> tuple[bool, list[dict]]:
    """Whether ``node`` holds, and the facts that made it hold."""
    kind = next(iter(node.keys() - {"in"}))
    value = node[kind]
    if kind == "all":
        found: list[dict] = []
        for child in value:
            holds, items = _evaluate(child, evidence)
            if not holds:
                return False, []
            found += items
        return True, found
    if kind == "any":
        found, any_held = [], False
        for child in value:
            holds, items = _evaluate(child, evidence)
            if holds:
                any_held, found = True, found + items
        return any_held, found
    if kind == "not":
        holds, _ = _evaluate(value, evidence)
        return (not holds), []
    if kind == "answer":
        answer = evidence.answers.get(value)
        answers = answer if isinstance(answer, list) else [answer]
        matched = [a for a in answers if a in node["in"]]
        return bool(matched), [{"kind": "answer", "question": value, "values": matched}]
    if kind == "indicator":
        hits = [i for i in value if i in evidence.indicators]
        return bool(hits), [_indicator_fact(i, evidence.indicators[i]) for i in hits]
    if kind == "indicator_category":
        hits = [i for i, info in evidence.indicators.items() if info["category"] in value]
        return bool(hits), [_indicator_fact(i, evidence.indicators[i]) for i in hits]
    if kind == "coding":
        values = evidence.codings().get(value, set())
        if "in" in node:
            values &= set(node["in"])
        sources = [i for i, info in evidence.indicators.items()
                   if values & set(info["codings"].get(value, ()))]
        said = [evidence.found.get(value, {}).get(v, "") for v in sorted(values)]
        # Only the learned reading says so (no rule, no sign): the reason must tell.
        chances = [evidence.learned.get(value, {}).get(v) for v in sorted(values)]
        learned = bool(chances) and all(chances) and not sources
        items = [{"kind": "coding", "field": value, "values": sorted(values),
                  **({"text": next(t for t in said if t)} if any(said) else {}),
                  **({"chance": round(min(chances), 2)} if learned else {})}]
        items += [_indicator_fact(i, evidence.indicators[i]) for i in sources]
        return bool(values), items
    if kind == "signal":
        hits = [i for i in value if i in evidence.signals]
        return bool(hits), [{"kind": "signal", "id": i, **evidence.signals[i]} for i in hits]
    count = len(evidence.indicators)
    if kind == "indicators_at_least":
        holds = count >= value
    else:
        holds = count <= value
    items = [_indicator_fact(i, info) for i, info in evidence.indicators.items()]
    return holds, (items if kind == "indicators_at_least" else
                   [{"kind": "count", "count": count}])


def decide_level(evidence: Evidence, rules: TriageRules, catalog_release: str = ""
                 ) -> TriageDecision:
    """Evaluate every rule; the most urgent level that fired wins, with all the reasons."""
    reasons = []
    for rule in rules.rules:
        holds, facts = _evaluate(rule["when"], evidence)
        if holds:
            unique = {describe_fact(fact): fact for fact in facts}
            reasons.append(Reason(rule=rule["id"], level=rule["level"],
                                  explain=rule["explain"], evidence=tuple(unique),
                                  facts=tuple(unique.values())))
    if not reasons:
        default = Reason(rule="default", level=rules.default_level,
                         explain=rules.default_explain, evidence=())
        return TriageDecision(rules.default_level, (default,), rules.release,
                              catalog_release, is_default=True)
    reasons.sort(key=lambda r: rules.urgency(r.level))
    return TriageDecision(reasons[0].level, tuple(reasons), rules.release, catalog_release)
