"""Where the learned reading decides the type and where the rules keep the last word
(issue 14, late night of 2026-12-07: ``assist.learned`` and ``assist.RulesHold``).

The models are made by hand (tests/intake/test_narrative_model.py's ``hand_made``), so each
test states what the model "believes": the rules keep the last word in one short sentence
and where the narrative's context speaks against a type; the learned reading decides
elsewhere, and a sign alone it reads no exploitation in is information only.
"""

from __future__ import annotations

import pytest

from harborlight.intake import assist
from harborlight.intake.assist import codings_of, evidence, suggest
from harborlight.vocab.indicators import build_catalog
from harborlight.vocab.triage import decide_level, load_rules

from .test_narrative_model import hand_made, read, said_in_both_languages

AGAINST_SEX = {"sex": {"w:motel": -500.0, "w:men": -500.0, "w:weekend": -500.0}}
# A sign strong enough alone ("sells her to men"), in one sentence and in two.
STRONG_SHORT = "He sells her to men at the motel."
STRONG_LONG = ("He sells her to men at the motel. They drive over every weekend and the "
               "manager knows them.")


def types(found) -> set[str]:
    return codings_of(found).get("vic_TypeOfExploitation", set())


def test_a_strong_sign_in_one_short_sentence_stands_against_the_words():
    found = suggest(STRONG_SHORT, build_catalog(), model=hand_made(AGAINST_SEX, bias=-20.0))
    assert "SexualExploitation" in types(found)
    assert "signal:learned.not-sex" not in {s.key for s in found}


def test_in_a_longer_narrative_the_learned_reading_may_withdraw_a_strong_sign():
    catalog = build_catalog()
    assert "SexualExploitation" in types(suggest(STRONG_LONG, catalog, model=None))
    found = suggest(STRONG_LONG, catalog, model=hand_made(AGAINST_SEX, bias=-20.0))
    assert "SexualExploitation" not in types(found)
    withdrawn = next(s for s in found if s.key == "signal:learned.not-sex")
    assert withdrawn.evidence and all(STRONG_LONG[a:b] == said
                                      for a, b, said in withdrawn.evidence)
    # the operator rejects the withdrawal: the rules' type stands, and so does the level
    kept = evidence(STRONG_LONG, {}, catalog, found=found,
                    model=hand_made(AGAINST_SEX, bias=-20.0),
                    rejected=frozenset({withdrawn.key}))
    assert "SexualExploitation" in kept.found["vic_TypeOfExploitation"]


def test_a_strong_sign_stands_where_the_rules_read_both_types():
    narrative = ("Her boyfriend sells her to men at the motel every night. Her brother is made "
                 "to sell drugs for a gang to pay a debt.")
    catalog = build_catalog()
    assert types(suggest(narrative, catalog, model=None)) >= {"SexualExploitation",
                                                               "ForcedLabour"}
    sister_story = hand_made({"labour": {"w:motel": -500.0, "w:boyfriend": -500.0}},
                             bias=-20.0)
    found = suggest(narrative, catalog, model=sister_story)
    assert "ForcedLabour" in types(found)
    assert "signal:learned.not-labour" not in {s.key for s in found}


OWN_WORK = ("Mi amiga tiene 30 años y es dama de compañía. Ella sola pone sus anuncios, "
            "decide sus clientes y nadie le quita nada.")
LOVES_ESCORTS = {"sex": {"w:compania": 900.0, "w:clientes": 900.0, "w:anuncios": 900.0}}


def test_context_that_speaks_against_a_type_keeps_the_learned_reading_from_adding_it():
    assert not types(suggest(OWN_WORK, build_catalog(), model=None))
    result = read(OWN_WORK, hand_made(LOVES_ESCORTS, bias=0.0))
    assert not result["codings"].get("vic_TypeOfExploitation"), result["codings"]
    assert result["level"] == "information"


# Worth about 0.77 in the short sentence (the words weigh more where there are fewer), and
# about 0.88 in the longer narrative, where "brought" and "man" add their weight.
LOVES_TAMALES = {"labour": {"w:tamales": 10.0, "w:market": 10.0, "w:brought": 10.0,
                            "w:man": 10.0}}


def test_one_short_sentence_needs_a_high_chance_before_the_model_adds_a_type():
    short = "We sell tamales at the market on Sundays."
    assert len(short.split()) < assist.SHORT_WORDS
    model = hand_made(LOVES_TAMALES, bias=-4.0, threshold=0.5)
    chance = assist.probability(model.decision("labour").logit(
        assist.view_of(short, build_catalog(), model.dim)[0]))
    assert assist.LEARNED_ALONE <= chance < assist.LEARNED_SHORT
    assert not read(short, model)["codings"].get("vic_TypeOfExploitation")
    # the same belief, told at more length, is the learned reading's to decide
    longer = ("We sell tamales at the market on Sundays. The man who brought us keeps what "
              "we make and says we still owe him for the trip.")
    assert "ForcedLabour" in read(longer, model)["codings"]["vic_TypeOfExploitation"]


SIGN_ALONE = ("The couple next door has a young woman who cleans for them. The wife keeps "
              "her passport in a drawer.")
NOTHING_IN_CLEANING = {"sex": {"w:cleans": -50.0}, "labour": {"w:cleans": -50.0}}


def test_a_sign_alone_the_learned_reading_reads_no_exploitation_in_is_information():
    catalog, rules = build_catalog(), load_rules()
    rules_alone = decide_level(evidence(SIGN_ALONE, {}, catalog, model=None), rules,
                               catalog.release)
    assert rules_alone.level == "standard"  # without the learned reading: a sign alone
    model = hand_made(NOTHING_IN_CLEANING, bias=-4.0)  # reads no exploitation here
    found = suggest(SIGN_ALONE, catalog, model=model)
    assert not types(found)
    said = next(s for s in found if s.key == "signal:learned.no-exploitation")
    assert said.chance < assist.LEARNED_NO_EXPLOITATION
    decision = decide_level(evidence(SIGN_ALONE, {}, catalog, found=found, model=model),
                            rules, catalog.release)
    assert decision.level == "information"
    # the operator disagrees with the learned reading: the sign alone is standard again
    rejected = evidence(SIGN_ALONE, {}, catalog, found=found, model=model,
                        rejected=frozenset({said.key}))
    assert decide_level(rejected, rules, catalog.release).level == "standard"


def test_the_no_exploitation_signal_is_said_in_words_in_both_languages():
    found = suggest(SIGN_ALONE, build_catalog(), model=hand_made(NOTHING_IN_CLEANING))
    said = next(s for s in found if s.key == "signal:learned.no-exploitation")
    said_in_both_languages(said, {"en": ("A sign alone", "information only"),
                                  "es": ("Una señal sola", "solo información")})


def test_no_no_exploitation_signal_where_a_type_is_read():
    found = suggest(SIGN_ALONE, build_catalog(),
                    model=hand_made({"labour": {"w:cleans": 900.0}}, bias=0.0))
    assert "ForcedLabour" in types(found)
    assert "signal:learned.no-exploitation" not in {s.key for s in found}


def test_a_learned_urgency_does_not_outlast_a_said_end():
    urgent = hand_made({"urgent": {"w:captain": 900.0}, "coerced": {"w:captain": 900.0},
                        "labour": {"w:captain": 900.0}}, bias=0.0)
    still = ("The captain of the fishing boat took our passports and hit one man with a "
             "rope. I got off but the others are on the boat.")
    assert read(still, urgent)["level"] == "emergency"
    ended = ("The captain of the fishing boat took our passports and hit one man with a "
             "rope. They are back home now, all of them.")
    found = suggest(ended, build_catalog(), model=urgent)
    assert {"signal:learned.urgent", "signal:stopped"} <= {s.key for s in found}
    assert read(ended, urgent)["level"] == "high"


@pytest.mark.parametrize("narrative, plain, value", [
    ("The boy sold pills at school to buy shoes. He says nobody made him.",
     "The boy sold pills at school to buy shoes. He says a man gives him the pills.",
     "ForcedLabour"),
    ("El muchacho vendía pastillas para comprarse zapatos. Dice que nadie lo obligó.",
     "El muchacho vendía pastillas para comprarse zapatos. Dice que un señor se las da.",
     "ForcedLabour"),
    ("We fish three days on the boat. Then everyone goes home on Friday.",
     "We fish three days on the boat. Then the captain sails to another port.",
     "ForcedLabour"),
    ("Pescamos tres días en la lancha. Después todos regresamos a casa el viernes.",
     "Pescamos tres días en la lancha. Después el capitán nos lleva a otro puerto.",
     "ForcedLabour"),
    ("Trabajo de mesera en una fonda. Tengo que atender a los clientes en las mesas.",
     "Trabajo en una fonda. Tengo que atender a los clientes en los cuartos.",
     "SexualExploitation"),
    ("I work at a diner. I wait on tables and the customers tip well.",
     "I work at a diner. The customers take me to the back and tip well.",
     "SexualExploitation"),
])
def test_said_freedom_and_ordinary_service_keep_a_learned_type_out(narrative, plain, value):
    family = "sex" if value == "SexualExploitation" else "labour"
    loves = hand_made({family: {f"w:{word}": 900.0 for word in (
        "pills", "pastillas", "boat", "lancha", "fonda", "diner")}}, bias=0.0)
    assert value not in types(suggest(narrative, build_catalog(), model=loves))
    # the same belief, without the words that speak against the type, adds it
    assert value in types(suggest(plain, build_catalog(), model=loves))
