"""A tip's triage in sentences, for the operator at 3 a.m.: why this level, in words.

The rules store each reason with its facts (:class:`harborlight.vocab.triage.Reason`):
answers to the structured questions, indicators found in the narrative or marked by the
operator, codings, counts. This module says them the way a person would, with the
question as it was asked, the indicator's plain description and the text that suggested
it, and HTCDS codes turned into their labels (:mod:`harborlight.vocab.words`). Reasons
stored before facts existed keep their rule's own sentence.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from harborlight.intake.assist import Suggestion
from harborlight.intake.models import TriageLevel
from harborlight.vocab import words
from harborlight.vocab.indicators import MINOR_FLAG, Catalog
from harborlight.vocab.narrative import load_reading
from harborlight.vocab.narrative_model import (DISPUTED_SIGNALS, LEARNED_SIGNAL_LABELS,
                                               NO_EXPLOITATION_SIGNAL, WITHDRAWN_SIGNALS)
from harborlight.vocab.triage import TriageRules

ANSWER_WORDS = {"yes": gettext_lazy("yes"), "no": gettext_lazy("no"),
                "unknown": gettext_lazy("don't know")}


@dataclass(frozen=True)
class ReasonInWords:
    level: str
    level_label: str
    sentence: str
    because: tuple[str, ...]


def answer_label(question_id: str, value: str, rules: TriageRules) -> str:
    question = rules.question(question_id)
    if question is not None and question.htcds:
        return words.value_label(question_id, value)
    return str(ANSWER_WORDS.get(value, value.replace("_", " ")))


def _in_language(words: dict) -> str:
    return words.get((get_language() or "en").split("-")[0]) or words["en"]


def coding_label(field: str, values: list[str]) -> str:
    if field == MINOR_FLAG:
        return _("Someone under 18 is involved.")
    own = load_reading().own_fields.get(field)
    if own is not None:  # Harborlight's own codings (decoy, form): their words, no code
        named = [_in_language(own["values"].get(v, {}).get("label") or own["label"])
                 for v in values]
        return f"{_in_language(own['label'])}: {', '.join(named)}."
    return _("%(field)s: %(values)s.") % {"field": words.field_label(field),
                                          "values": words.value_label(field, values)}


def fact_in_words(fact: dict, rules: TriageRules, catalog: Catalog) -> str:
    """One fact behind a reason, as a sentence."""
    kind = fact.get("kind")
    if kind == "answer":
        question = rules.question(fact["question"])
        asked = question.words() if question else fact["question"]
        answers = ", ".join(answer_label(fact["question"], v, rules) for v in fact["values"])
        return _("Asked “%(question)s”, the answer was: %(answer)s.") % {
            "question": asked, "answer": answers}
    if kind == "coding":
        said = fact.get("text", "").strip(" ,.;:!?\n")
        label = coding_label(fact["field"], fact["values"])
        if fact.get("chance"):
            return _("%(coding)s Suggested by the learned reading (chance %(chance)d%%), "
                     "not by a rule, from words such as “%(text)s”: check it.") % {
                "coding": label, "chance": round(fact["chance"] * 100), "text": said}
        return label if not said else _("%(coding)s The narrative says “%(text)s”.") % {
            "coding": label, "text": said}
    if kind == "signal":
        what = signal_label(fact.get("id", ""))
        if fact.get("chance"):
            return _("%(signal)s: suggested by the learned reading (chance %(chance)d%%), not "
                     "by a rule, from words such as “%(text)s”: check it.") % {
                "signal": what, "chance": round(fact["chance"] * 100),
                "text": fact.get("text", "").strip(" ,.;:!?\n")}
        return _("The narrative says “%(sentence)s”: %(signal)s.") % {
            "sentence": fact.get("sentence") or fact.get("text", ""),
            "signal": _lower_first(what)}
    if kind == "count":
        if not fact["count"]:
            return _("No sign of trafficking was found.")
        return ngettext("%(count)d sign of trafficking was found.",
                        "%(count)d signs of trafficking were found.",
                        fact["count"]) % {"count": fact["count"]}
    indicator = catalog.get(fact.get("id", ""))
    sign = indicator.words() if indicator else _("a sign of trafficking")
    if fact.get("origin") == "selected by operator":
        return _("Marked by the operator: %(sign)s") % {"sign": sign}
    if fact.get("origin") == "ticked by the reporter":
        return _("Ticked by the reporter: %(sign)s") % {"sign": sign}
    text = fact.get("text", "").strip(" ,.;:!?\n")
    if text:
        said = _("The narrative says “%(text)s”: %(sign)s") % {"text": text,
                                                               "sign": _lower_first(sign)}
        return said + (" " + _("(confirmed)") if fact.get("origin") == "confirmed" else "")
    return sign


def _lower_first(text: str) -> str:
    """"The person…" -> "the person…" after a colon; "ID card…" stays as it is."""
    if len(text) > 1 and text[1].isupper():
        return text
    return text[:1].lower() + text[1:]


def _telling(facts: list[dict]) -> list[dict]:
    """The facts worth saying: the minor flag coded from an indicator repeats the
    indicator (or the answer) beside it, so it is left out when anything else is said."""
    others = [fact for fact in facts
              if not (fact.get("kind") == "coding" and fact.get("field") == MINOR_FLAG)]
    return others or facts


def reasons_in_words(reasons: list[dict], rules: TriageRules, catalog: Catalog
                     ) -> list[ReasonInWords]:
    """The stored reasons, most urgent first, each with the facts behind it."""
    described = []
    for reason in reasons:
        level = reason.get("level", "")
        label = TriageLevel(level).label if level in TriageLevel.values else level
        because = tuple(dict.fromkeys(fact_in_words(fact, rules, catalog)
                                      for fact in _telling(reason.get("facts", []))))
        described.append(ReasonInWords(level, str(label), _explain(reason, rules), because))
    return described


def _explain(reason: dict, rules: TriageRules) -> str:
    """The rule's sentence in the reader's language: the rules file keeps ``explain`` and
    ``explain_es`` side by side; a stored reason carries the English one as it was."""
    if (get_language() or "en").split("-")[0] != "es":
        return reason.get("explain", "")
    if reason.get("rule") == "default":
        return rules.default_explain_es or reason.get("explain", "")
    rule = next((r for r in rules.rules if r.get("id") == reason.get("rule")), {})
    return rule.get("explain_es") or reason.get("explain", "")


def suggestion_label(suggestion: Suggestion) -> str:
    """What narrative assist suggests, in words (never ``vic_…`` = ``Code``)."""
    if suggestion.kind == "coding":
        return coding_label(suggestion.field, [suggestion.value]).rstrip(".")
    if suggestion.kind == "signal":
        return signal_label(suggestion.key.split(":", 1)[1]) or suggestion.label
    return suggestion.label


def signal_label(signal_id: str) -> str:
    """A signal's words in the page's language: the reading's own, or the learned
    reading's (vocab/narrative_model.py); its id when neither knows it."""
    signal = load_reading().signal(signal_id)
    if signal is not None:
        return _in_language(signal.label)
    learned = LEARNED_SIGNAL_LABELS.get(signal_id)
    return _in_language(learned) if learned else signal_id


def suggestion_words(suggestion: Suggestion) -> tuple[str, ...]:
    """The words behind a suggestion, as the operator should read them: every span that
    decided a type of exploitation, a signal's whole sentence, else the one span."""
    if suggestion.kind == "signal" and suggestion.sentence and not suggestion.chance:
        return (suggestion.sentence,)  # a learned signal: the words that carried it
    spans = tuple(dict.fromkeys(text for _, _, text in suggestion.evidence if text))
    return spans or ((suggestion.text,) if suggestion.text else ())


def suggestion_note(suggestion: Suggestion) -> str:
    """How one of Harborlight's own codings is recorded in HTCDS, in the page's language
    ("HTCDS has no code for forced criminality: …"), that the learned reading added a
    coding, or nothing."""
    name = suggestion.key.split(":", 1)[1]
    chance = {"chance": round(100 * suggestion.chance)}
    if name in WITHDRAWN_SIGNALS.values():
        return _("The rules read this type of exploitation; the learned reading withdrew it "
                 "(chance %(chance)d%%): the words shown weighed against it.") % chance
    if name in DISPUTED_SIGNALS:
        return _("The rules read this as going on now; the learned reading does not read it "
                 "as urgent (chance %(chance)d%%): the words shown weighed against it. An "
                 "emergency resting on the present tense alone is held back: if it is "
                 "happening now, answer “Is this happening now?” with yes, or reject "
                 "this.") % chance
    if name == NO_EXPLOITATION_SIGNAL:
        return _("The rules found a sign but no type of exploitation, and the learned reading "
                 "reads none (chance of the likelier type %(chance)d%%): the words shown "
                 "weighed against it. A sign alone is then information only: if this is "
                 "exploitation, add its type or reject this.") % chance
    if suggestion.chance:  # added by the learned reading, not by a rule (assist.learned)
        return _("Suggested by the learned reading (chance %(chance)d%%), not by a rule: "
                 "the words shown carried it.") % chance
    if suggestion.kind != "coding":
        return ""
    own = load_reading().own_fields.get(suggestion.field, {}).get("values", {})
    note = own.get(suggestion.value, {}).get("note")
    return _in_language(note) if note else ""

