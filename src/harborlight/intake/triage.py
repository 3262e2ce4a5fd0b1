"""Triage of a tip, assembled from its answers, its narrative and the operator's reviews.

The rules and their evaluator are data and a pure function (:mod:`harborlight.vocab.triage`);
this module gathers what they judge and stores what they decide:

1. :func:`suggestions`: narrative assist over the catalog in force (indicators and HTCDS
   codings, each with its span of text);
2. :func:`evidence`: the structured answers, plus the indicators in play: suggested and
   not rejected, confirmed, or selected by the operator; the narrative is read again with
   them (a rejected indicator no longer gives points to a type of exploitation, a
   selected one does), and a rejected coding or signal is removed, so "no, this is not
   sexual exploitation" or "no, this is not happening now" changes the level;
3. :func:`assess`: the rules decide the level and say why; the tip stores the level, every
   reason and the releases of rules and catalog that decided.

The steps that change what triage sees (logging a tip, answering the questions, reviewing
a suggestion) live here too, so the tip is triaged again in the same act, audited once.
"""

from __future__ import annotations

from django.utils import timezone

from harborlight.cases.references import next_tip_reference
from harborlight.cases.vocabulary import with_htcds_values
from harborlight.intake import passphrases
from harborlight.intake import assist
from harborlight.intake.assist import REPORTER_SIGNS, Suggestion, suggest
from harborlight.intake.catalog import current_catalog, current_rules
from harborlight.intake.models import SuggestionDecision, SuggestionReview, Tip, TipStateError
from harborlight.security.audit.log import audited, record
from harborlight.vocab.indicators import Catalog
from harborlight.vocab.triage import Evidence, TriageDecision, decide_level


def suggestions(tip: Tip, catalog: Catalog | None = None) -> list[Suggestion]:
    return suggest(tip.narrative, catalog or current_catalog(tip.organisation_id))


def evidence(tip: Tip, catalog: Catalog | None = None,
             found: list[Suggestion] | None = None) -> Evidence:
    """Answers plus the indicators in play (see the module docstring, step 2)."""
    reviews = tip.reviews_by_key()
    return assist.evidence(
        tip.narrative, with_htcds_values(tip.organisation_id, tip.answers),
        catalog or current_catalog(tip.organisation_id), found=found,
        rejected={k for k, d in reviews.items() if d == SuggestionDecision.REJECTED},
        confirmed={k for k, d in reviews.items() if d == SuggestionDecision.CONFIRMED})


def assess(tip: Tip, catalog: Catalog | None = None) -> TriageDecision:
    """Decide the tip's level with the rules in force and store it on the tip (unsaved)."""
    catalog = catalog or current_catalog(tip.organisation_id)
    rules = current_rules()
    decision = decide_level(evidence(tip, catalog), rules, catalog.release)
    tip.apply_triage(decision, rules.release, catalog.release)
    return decision


TRIAGE_FIELDS = ["triage_level", "triage_reasons", "triage_release"]


def create_tip(organisation, *, narrative: str, channel: str, location: str = "",
               reporter_contact: str = "", people_involved: str = "",
               caller_type: str = "unknown", answers: dict | None = None, logged_by=None,
               public: bool = False, language: str = "",
               reporter_signs=()) -> tuple[Tip, str]:
    """Log a tip, triaged, in one transaction; return it and its follow-up passphrase.

    ``reporter_signs`` are the guide's signs a public reporter ticked (the report form and
    ``POST /api/v1/tips`` alike): only public sign ids are kept, as suggestions for the
    operator (``answers["reporter_signs"]``).

    Public tips get a passphrase (only its hash is stored); tips logged by staff get none
    ("" is returned). One ``create`` entry; a public report has no actor.
    """
    passphrase = passphrases.generate() if public else ""
    answers = dict(answers or {})
    if signs := assist.ticked_signs(current_catalog(organisation.pk), reporter_signs):
        answers[REPORTER_SIGNS] = [ident for ident, _words in signs]
    tip = Tip(organisation=organisation, reference=next_tip_reference(), channel=channel,
              narrative=narrative, location=location, reporter_contact=reporter_contact,
              people_involved=people_involved, caller_type=caller_type,
              answers=answers, logged_by=logged_by, submitted_publicly=public,
              language=language,
              passphrase_hash=passphrases.make_hash(passphrase) if public else "")
    assess(tip)
    with audited():
        tip.save()
        record("create", actor=logged_by, obj=tip, organisation=organisation.pk,
               details={"channel": channel, "public": public, "level": tip.triage_level})
    return tip, passphrase


def set_answers(tip: Tip, answers: dict, by) -> None:
    """Store the operator's answers to the structured questions; triage again. The signs
    a public reporter ticked stay: they are the reporter's, not an answer to change."""
    kept = {k: v for k, v in tip.answers.items() if k == REPORTER_SIGNS}
    tip.answers = {**kept, **dict(answers)}
    with audited():
        assess(tip)
        tip.save(update_fields=["answers", *TRIAGE_FIELDS])
        record("update", actor=by, obj=tip, details={"change": "answers",
                                                     "level": tip.triage_level})


def review_suggestion(tip: Tip, key: str, decision: str, by) -> str:
    """Record an operator's confirm or reject of a suggestion, then triage again."""
    if decision not in SuggestionDecision.values:
        raise TipStateError(f"Choose one of: {', '.join(SuggestionDecision.values)}.")
    if key not in {suggestion.key for suggestion in suggestions(tip)}:
        raise TipStateError("That suggestion is not (or no longer) made for this tip.")
    with audited():
        SuggestionReview.objects.update_or_create(
            tip=tip, key=key, defaults={"decision": decision, "reviewed_by": by,
                                        "reviewed_at": timezone.now()})
        assess(tip)
        tip.save(update_fields=TRIAGE_FIELDS)
        record("update", actor=by, obj=tip,
               details={"change": f"suggestion {decision}", "suggestion": key,
                        "level": tip.triage_level})
    return decision
